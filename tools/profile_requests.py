"""Where the CPU of one authenticated read goes: time and profile hot routes in-process.

    .venv/bin/python tools/profile_requests.py sqlite:////tmp/small.db [--requests 2000] [--profile]

Builds the app with production settings (JSON logs, Prometheus multiprocess files in a temporary
directory, as under gunicorn), mints access tokens for seeded demo users, warms the routes up, then
calls each route through the Flask test client: microseconds per request (median of several
rounds) and, with --profile, the functions that cost the most (cProfile, by own time and by
cumulative time). The test client skips gunicorn (HTTP parsing, access log) but nothing of the app.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Before anything imports prometheus_client: the metrics are created in multiprocess mode, as under gunicorn.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="quantum-profile-metrics-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROUTES = {
    "latest": "/api/portfolio/latest",
    "snapshots": "/api/portfolio/snapshots?limit=20",
    "positions": "/api/trading/positions",
    "health": "/api/health",
}
SECRET = "profile-secret-key-that-is-long-enough-0123456789"


def build_app(url: str) -> Any:
    """The app as gunicorn serves it in production (multiprocess metrics directory included)."""
    os.environ.update({
        "DATABASE_URL": url, "QUANTUM_ENV": "production", "JWT_SECRET_KEY": SECRET,
        "JWT_ACCESS_TOKEN_EXPIRES": "86400", "LOG_FORMAT": "json", "SLOW_QUERY_LOG": os.devnull,
    })
    from quantum import create_app

    return create_app()


def mint_tokens(app: Any, users: int, seed: int) -> list[str]:
    """Access tokens for the first `users` demo users of `seed`."""
    import sqlalchemy as sa

    from quantum.auth.models import User
    from quantum.auth.tokens import issue_tokens
    from quantum.extensions import db
    from quantum.perf.seed import demo_email

    with app.app_context():
        emails = [demo_email(seed, i) for i in range(1, users + 1)]
        people = db.session.scalars(sa.select(User).where(User.email.in_(emails))).all()
        return [issue_tokens(user=user)["access_token"] for user in people]


def bare_app() -> Any:
    """bench/bare_app.py's route: the smallest JSON answer Flask gives, for the ratio."""
    from flask import Flask, jsonify

    app = Flask("bare")
    app.add_url_rule("/bare", "bare", lambda: jsonify(status="ok"))
    return app


def run(client: Any, path: str, tokens: list[str], count: int) -> None:
    """`count` GETs of `path`, rotating the tokens; every answer must be 200."""
    for index in range(count):
        response = client.get(path, headers={"Authorization": f"Bearer {tokens[index % len(tokens)]}"})
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.get_data(as_text=True)[:200]}")


def time_route(client: Any, path: str, tokens: list[str], count: int, rounds: int) -> float:
    """Median CPU microseconds per request over `rounds` rounds of `count` requests.

    CPU time of this process, not wall time: on a shared machine it moves far less with the load
    (the database's own CPU is not counted for PostgreSQL, only the client side of it).
    """
    per_request = []
    for _ in range(rounds):
        started = time.process_time()
        run(client, path, tokens, count)
        per_request.append((time.process_time() - started) / count * 1e6)
    return statistics.median(per_request)


def count_calls(client: Any, path: str, tokens: list[str], count: int) -> float:
    """Function calls per request as cProfile counts them: a proxy for CPU that load does not move."""
    profiler = cProfile.Profile()
    profiler.enable()
    run(client, path, tokens, count)
    profiler.disable()
    return pstats.Stats(profiler).total_calls / count


def main() -> None:
    """Parse the options, time every route, profile on request."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url")
    parser.add_argument("--requests", type=int, default=1000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--routes", default="latest,snapshots,positions,health")
    parser.add_argument("--profile", action="store_true", help="print the top functions of each route")
    parser.add_argument("--calls", action="store_true",
                        help="also count Python function calls per request (deterministic, unlike time)")
    parser.add_argument("--pyinstrument", action="store_true", help="print a sampled call tree (pip install pyinstrument)")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    app = build_app(args.database_url)
    tokens = mint_tokens(app, args.users, args.seed)
    if not tokens:
        raise SystemExit("no demo users found: seed the database with `flask db-seed-demo` first")
    client = app.test_client()
    names = [name for name in args.routes.split(",") if name]
    for name in names:
        run(client, ROUTES[name], tokens, 200)  # warm up: schema guard, pool, statement caches
    bare = bare_app().test_client()
    run(bare, "/bare", tokens, 200)
    bare_micros = time_route(bare, "/bare", tokens, args.requests, args.rounds)
    print(f"{'bare':<10} {bare_micros:8.0f} us/request")
    calls = {"bare": count_calls(bare, "/bare", tokens, 200)} if args.calls else {}
    if calls:
        print(f"{'':<10} {'':8} {calls['bare']:8.0f} calls/request")
    for name in names:
        micros = time_route(client, ROUTES[name], tokens, args.requests, args.rounds)
        counted = f"  {count_calls(client, ROUTES[name], tokens, 200):8.0f} calls/request" if args.calls else ""
        print(f"{name:<10} {micros:8.0f} us/request  ({bare_micros / micros:.2f} x bare){counted}")
    if args.pyinstrument:
        from pyinstrument import Profiler

        for name in names:
            sampler = Profiler(interval=0.0002)
            sampler.start()
            run(client, ROUTES[name], tokens, args.requests)
            sampler.stop()
            print(f"\n===== {name}: {args.requests} requests (pyinstrument) =====")
            print(sampler.output_text(unicode=False, color=False, short_mode=False))
    if not args.profile:
        return
    for name in names:
        profiler = cProfile.Profile()
        profiler.enable()
        run(client, ROUTES[name], tokens, args.requests)
        profiler.disable()
        print(f"\n===== {name}: {args.requests} requests =====", file=sys.stdout)
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top * 2)


if __name__ == "__main__":
    main()
