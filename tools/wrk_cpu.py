"""App against bare route under wrk, alternating, with the CPU each request cost the server.

    .venv/bin/python tools/wrk_cpu.py sqlite:////tmp/small.db --endpoints latest,snapshots,positions --rounds 3

bench/run.py measures the bare route once, after every app run; on a shared machine its req/s moved 2x
between runs, so the ratio moved with it. This tool starts both servers (bench/run.py's gunicorn
settings, 4 workers x 4 threads) and alternates short wrk runs (100 connections) between the app's
endpoints and the bare route, so both see the same load. Besides req/s it reads the CPU time of each
gunicorn process group from /proc before and after every run: CPU per request moves far less with the
load than req/s does. For PostgreSQL it also reports the CPU of the server's backends connected to the
database under test (other databases' load is not counted).
An endpoint is a bench/lua/bench.lua name (latest, snapshots, positions, ...) or a path ("/api/health").
It only reads: tokens are minted in-process, nothing is deposited.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
TICKS = os.sysconf("SC_CLK_TCK")
PATH_SCRIPT = """
local path = os.getenv("WPATH")
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do if #line > 0 then tokens[#tokens + 1] = line end end
local counter = 0
function request()
  counter = counter + 1
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1]})
end
function done(summary, latency, requests)
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "status": %d, "p99": %d}\\n',
    summary.requests, summary.duration, summary.errors.status, latency:percentile(99)))
end
"""


def cpu_seconds(select: Any) -> float:
    """User + system CPU seconds of the processes `select(pid, stat_fields, name)` accepts (children included)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                head, _, rest = handle.read().rpartition(")")
        except OSError:
            continue
        fields = rest.split()
        if select(int(pid), fields, head.partition("(")[2]):
            total += sum(int(value) for value in fields[11:15])
    return total / TICKS


def backend_of(database: str | None) -> Any:
    """A `cpu_seconds` selector for the PostgreSQL backends connected to `database` (none for SQLite)."""

    def select(pid: int, fields: list[str], name: str) -> bool:
        if database is None or name != "postgres":
            return False
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                title = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return False
        return f" {database} " in title  # "postgres: user database host(port) state"

    return select


def mint_tokens(url: str, users: int, seed: int) -> list[str]:
    """Access tokens for demo users 1..users, signed with bench/run.py's key."""
    import run as bench  # bench/run.py
    import sqlalchemy as sa

    os.environ.update(bench.app_env(url))
    from quantum import create_app
    from quantum.auth.models import User
    from quantum.auth.tokens import issue_tokens
    from quantum.extensions import db
    from quantum.perf.seed import demo_email

    app = create_app({"SCHEMA_GUARD": False})
    with app.app_context():
        emails = [demo_email(seed, i) for i in range(1, users + 1)]
        tokens = [issue_tokens(user=user)["access_token"] for user in db.session.scalars(
            sa.select(User).where(User.email.in_(emails)))]
        db.engine.dispose()
    return tokens


def run_wrk(port: int, endpoint: str, tokens: Path, seconds: int, script: Path) -> dict[str, Any]:
    """One wrk run of an endpoint name (bench.lua) or a path (GET with a bearer token)."""
    import run as bench

    if not endpoint.startswith("/"):
        return bench.wrk(port, endpoint, tokens, seconds, 100, 2)
    result = subprocess.run(
        ["wrk", "-t2", "-c100", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}"],
        env={**os.environ, "WPATH": endpoint, "TOKENS": str(tokens)}, capture_output=True, text=True, check=True,
    )
    data = json.loads(next(x for x in result.stdout.splitlines() if x.startswith("WRKJSON ")).removeprefix("WRKJSON "))
    return {"requests": data["requests"], "rps": data["requests"] / (data["duration_us"] / 1e6),
            "p99_ms": data["p99"] / 1000, "errors": data["status"]}


def main() -> None:
    """Alternate the runs and print req/s, ratio to bare, CPU per request and p99 of each endpoint."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url")
    parser.add_argument("--endpoints", default="latest,snapshots,positions")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run")
    parser.add_argument("--port", type=int, default=8771, help="the app's; the bare route gets the next one")
    args = parser.parse_args()
    import run as bench

    from quantum.config import normalize_database_url

    url = normalize_database_url(args.database_url, "database_url")
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    is_backend = backend_of(parsed.database if parsed.get_backend_name() == "postgresql" else None)
    tokens = Path(tempfile.mkstemp(suffix=".txt")[1])
    tokens.write_text("\n".join(mint_tokens(url, 50, 42)) + "\n")
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(PATH_SCRIPT)
    logs = Path(tempfile.mkdtemp(prefix="wrk-cpu-"))
    env = bench.app_env(url)
    app = bench.start_gunicorn("wsgi:app", args.port, env, logs / "app.log", [])
    bare = bench.start_gunicorn("bare_app:app", args.port + 1, env, logs / "bare.log",
                                ["--pythonpath", str(ROOT / "bench")])
    endpoints = [e for e in args.endpoints.split(",") if e]
    plan = [(e, args.port, app) for e in endpoints] + [("bare", args.port + 1, bare)]
    totals: dict[str, dict[str, Any]] = {}
    try:
        for endpoint, port, _server in plan:  # warm up: the schema guard runs on each worker's first request
            for _ in range(3):
                run_wrk(port, endpoint, tokens, 2, script)
        for _ in range(args.rounds):
            for endpoint, port, server in plan:
                in_group = lambda pid, fields, name, pgid=server.pid: int(fields[2]) == pgid  # noqa: E731
                before, pg_before = cpu_seconds(in_group), cpu_seconds(is_backend)
                row = run_wrk(port, endpoint, tokens, args.seconds, script)
                after, pg_after = cpu_seconds(in_group), cpu_seconds(is_backend)
                total = totals.setdefault(endpoint, {"requests": 0, "seconds": 0.0, "cpu": 0.0, "pg": 0.0,
                                                     "errors": 0, "p99": []})
                total["requests"] += row["requests"]
                total["seconds"] += row["requests"] / row["rps"]
                total["cpu"] += after - before
                total["pg"] += pg_after - pg_before
                total["errors"] += row["errors"]
                total["p99"].append(row["p99_ms"])
    finally:
        bench.stop(app)
        bench.stop(bare)
        tokens.unlink()
        script.unlink()
    base = totals["bare"]
    bare_rps, bare_cpu = base["requests"] / base["seconds"], base["cpu"] / base["requests"] * 1e6
    print(f"{'endpoint':<16} {'req/s':>8} {'x bare':>7} {'CPU us/req':>11} {'x bare':>7} {'DB us/req':>10} "
          f"{'errors':>6}  p99 ms per run")
    for endpoint, total in totals.items():
        rps, cpu = total["requests"] / total["seconds"], total["cpu"] / total["requests"] * 1e6
        print(f"{endpoint:<16} {rps:8.1f} {rps / bare_rps:7.2f} {cpu:11.0f} {bare_cpu / cpu:7.2f} "
              f"{total['pg'] / total['requests'] * 1e6:10.0f} {total['errors']:6}  "
              + " ".join(f"{p:.0f}" for p in total["p99"]))


if __name__ == "__main__":
    main()
