"""`flask db-ensure` at head, this checkout against another one, alternated in one run.

    .venv/bin/python bench/ensure_noop.py --other /path/to/older/checkout --backend sqlite --rounds 15

Each checkout uses its own virtualenv (`<checkout>/.venv`) and its own database (a SQLite file, or a
new PostgreSQL database on --postgres-url), brought to its own head once; then the two no-op runs
alternate, round after round, so machine load falls on both alike. Prints the median, min and max
wall time of each, their ratio, and which validation answered (the fingerprint fast path or full).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-" + "k9X2mQ7vL4pR8sT1wZ6yB3nC5hJ0dF"


def database_for(backend: str, workdir: Path, label: str, postgres_url: str) -> str:
    """A new, empty database for one checkout."""
    if backend == "sqlite":
        return f"sqlite:///{workdir / (label + '.db')}"
    name = f"bench_noop_{label}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(postgres_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, postgres_url: str) -> None:
    """Drop a PostgreSQL database made by `database_for`."""
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    admin.dispose()


def ensure(checkout: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    """Run `flask db-ensure` of `checkout` on `url` (production settings)."""
    env = {**os.environ, "DATABASE_URL": url, "QUANTUM_ENV": "production", "JWT_SECRET_KEY": SECRET,
           "LOG_FORMAT": "json", "SLOW_QUERY_LOG": os.devnull}
    return subprocess.run([str(checkout / ".venv" / "bin" / "flask"), "db-ensure", *extra], env=env, cwd=checkout,
                          capture_output=True, text=True, check=False)


def main() -> None:
    """Alternate the two checkouts' no-op runs and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--other", required=True, type=Path, help="the checkout to compare with (its own .venv)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--postgres-url", default="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    checkouts = {"this": ROOT, "other": args.other.resolve()}
    with tempfile.TemporaryDirectory(prefix="ensure-noop-") as tmp:
        urls = {label: database_for(args.backend, Path(tmp), label, args.postgres_url) for label in checkouts}
        try:
            for label, checkout in checkouts.items():
                for _ in range(2):  # the first creates, the second records the fingerprints
                    done = ensure(checkout, urls[label])
                    if done.returncode != 0:
                        raise SystemExit(f"{label}: db-ensure exited {done.returncode}: {done.stderr.strip()[-400:]}")
            times: dict[str, list[float]] = {label: [] for label in checkouts}
            for _ in range(args.rounds):
                for label, checkout in checkouts.items():
                    started = time.perf_counter()
                    done = ensure(checkout, urls[label])
                    times[label].append(time.perf_counter() - started)
                    if done.returncode != 0:
                        raise SystemExit(f"{label}: db-ensure exited {done.returncode}")
            validation = {}
            for label, checkout in checkouts.items():
                report = json.loads(ensure(checkout, urls[label], "--json").stdout.strip().splitlines()[-1])
                validation[label] = (report.get("validation", "full"), report.get("duration_ms"))
        finally:
            if args.backend == "postgresql":
                for url in urls.values():
                    drop_database(url, args.postgres_url)

    print(f"flask db-ensure no-op, {args.backend}, {args.rounds} alternated rounds")
    for label, checkout in checkouts.items():
        series = times[label]
        how, own_ms = validation[label]
        print(f"  {label:5} {str(checkout):40} median {statistics.median(series) * 1000:7.0f} ms  "
              f"min {min(series) * 1000:6.0f}  max {max(series) * 1000:6.0f}  validation={how} ({own_ms} ms in-process)")
    ratio = statistics.median(times["this"]) / statistics.median(times["other"])
    print(f"  this / other (medians): {ratio:.2f}")


if __name__ == "__main__":
    main()
