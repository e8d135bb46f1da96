"""Every endpoint of `make bench`, this checkout against another one, alternated in one run.

    .venv/bin/python bench/compare.py --other /path/to/older/checkout --rounds 3

Each checkout runs its own `bench/run.py` with its own virtualenv (`<checkout>/.venv`) on its own copy
of one dataset (seeded once, by this checkout, so both start from the same rows); the two
alternate round after round, so machine load falls on both alike. Prints, per endpoint, the median
req/s and p50/p99 of each checkout over the rounds and their ratio (this / other). `flask db-ensure`'s
no-op is compared by bench/ensure_noop.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATASET = ["--users", "200", "--snapshots-per-user", "200", "--orders-per-user", "200",
           "--heavy-user-orders", "20000", "--bars", "2000"]


def seed_dataset(workdir: Path) -> Path:
    """The dataset both checkouts copy, seeded once by this checkout (development mode: seeding refuses production)."""
    seed = workdir / "compare-seed.db"
    if not seed.exists():
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{seed}", "QUANTUM_ENV": "development"}
        flask = str(ROOT / ".venv" / "bin" / "flask")
        subprocess.run([flask, "db-ensure"], env=env, cwd=ROOT, check=True, capture_output=True)
        subprocess.run([flask, "db-seed-demo", *DATASET, "--seed", "42"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    return seed


def run_bench(checkout: Path, database: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One `bench/run.py` of `checkout` on its own database; the report it wrote."""
    command = [
        str(checkout / ".venv" / "bin" / "python"), str(checkout / "bench" / "run.py"), "--backend", "sqlite",
        "--database-url", f"sqlite:///{database}", "--skip", "commands,inprocess",
        "--endpoint-duration", str(args.endpoint_duration), "--duration", str(args.duration),
        "--connections", str(args.connections), "--port", str(args.port), *DATASET,
    ]
    done = subprocess.run(command, cwd=checkout, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"bench/run.py failed in {checkout}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    written = re.findall(r"^results: (\S+)$", done.stdout, flags=re.M)
    return json.loads((checkout / written[-1]).read_text())


def rows_by_endpoint(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The wrk rows of a report, by endpoint name."""
    return {row["endpoint"]: row for row in report["wrk"]}


def median_of(reports: list[dict[str, Any]], endpoint: str, key: str) -> float:
    """The median of one figure of one endpoint over the rounds."""
    values = [rows_by_endpoint(report)[endpoint].get(key) for report in reports]
    return statistics.median(value for value in values if value is not None)


def main() -> None:
    """Alternate the two checkouts' benchmarks and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", required=True, type=Path, help="the checkout to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--endpoint-duration", type=int, default=8)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "data")
    args = parser.parse_args()
    checkouts = {"this": ROOT, "other": args.other.resolve()}
    args.workdir.mkdir(parents=True, exist_ok=True)
    reports: dict[str, list[dict[str, Any]]] = {label: [] for label in checkouts}
    seed = seed_dataset(args.workdir)
    for label in checkouts:
        shutil.copy(seed, args.workdir / f"compare-{label}.db")
    for round_number in range(1, args.rounds + 1):
        # Alternate which one goes first, so neither always runs on a warmer (or busier) machine.
        order = list(checkouts) if round_number % 2 else list(reversed(checkouts))
        for label in order:
            print(f"round {round_number}/{args.rounds}: {label} ({checkouts[label]})", file=sys.stderr, flush=True)
            database = args.workdir / f"compare-{label}.db"
            reports[label].append(run_bench(checkouts[label], database, args))
    endpoints = [row["endpoint"] for row in reports["this"][0]["wrk"]]
    print(f"{'endpoint':<12} {'req/s this':>11} {'req/s other':>11} {'ratio':>6}   "
          f"{'p50 this':>9} {'p50 other':>9}   {'p99 this':>9} {'p99 other':>9}")
    for endpoint in endpoints:
        this_rps, other_rps = (median_of(reports[label], endpoint, "rps") for label in ("this", "other"))
        p50 = [median_of(reports[label], endpoint, "p50_ms") for label in ("this", "other")]
        p99 = [median_of(reports[label], endpoint, "p99_ms") for label in ("this", "other")]
        print(f"{endpoint:<12} {this_rps:>11.0f} {other_rps:>11.0f} {this_rps / other_rps:>6.2f}   "
              f"{p50[0]:>9.1f} {p50[1]:>9.1f}   {p99[0]:>9.1f} {p99[1]:>9.1f}")
    print(f"\nmedians of {args.rounds} alternated rounds; sqlite; {args.connections} connections; "
          f"{args.endpoint_duration} s per endpoint, {args.duration} s mixed")


if __name__ == "__main__":
    main()
