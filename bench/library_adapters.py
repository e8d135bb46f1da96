"""What the two library adapters (quantum/auth/adapters) save, against the libraries' public paths.

    .venv/bin/python bench/library_adapters.py [--requests 200] [--rounds 25]

Builds the app with production settings on a fresh SQLite file (rate limits in memory), registers one
user and times, through the Flask test client, CPU microseconds per request (the median and the
fastest of many short rounds, each variant in turn within a round, so load on the machine moves them
alike), and counts the Python function calls per request (cProfile), which load does not move at all:

* `GET /api/auth/me`: the bearer token checked by quantum.auth.jwtverify (one decode per token, through
  the flask-jwt-extended adapter) vs flask-jwt-extended's public `verify_jwt_in_request`;
* `GET /api/health`: Flask-Limiter's before_request hook behind the gate (the Flask-Limiter adapter)
  vs the hook as `init_app` registers it.

Every answer must be 200: the variants differ in cost only (tests/auth/test_library_contracts.py
checks that they give the same answers).
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Before anything imports prometheus_client: the metrics are created in multiprocess mode, as under gunicorn.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="quantum-bench-metrics-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def build_app(directory: str) -> Any:
    """The production app on a migrated SQLite file in `directory`."""
    from quantum.config import load_settings
    from quantum.schema import ensure_app_schema

    url = f"sqlite:///{directory}/bench.db"
    ensure_app_schema(load_settings({"DATABASE_URL": url, "QUANTUM_ENV": "testing"}, instance_path=directory))
    os.environ.update({
        "DATABASE_URL": url, "QUANTUM_ENV": "production", "JWT_SECRET_KEY": SECRET, "LOG_FORMAT": "json",
        "SLOW_QUERY_LOG": os.devnull, "RATELIMIT_STORAGE_URI": "memory://",
    })
    from quantum import create_app

    return create_app()


def access_token(app: Any) -> str:
    """An access token for a freshly registered user."""
    from quantum.auth import service
    from quantum.auth.tokens import issue_tokens
    from quantum.extensions import db

    with app.app_context():
        user = service.create_user(session=db.session, data={"email": "bench@example.com",
                                                              "password": "Bench-password-0123456789"})
        db.session.commit()
        return issue_tokens(user)["access_token"]


def requests(client: Any, path: str, headers: dict[str, str], count: int) -> None:
    """`count` GETs of `path`; every answer must be 200."""
    for _ in range(count):
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.get_data(as_text=True)[:200]}")


def cpu_micros(run: Callable[[], None], count: int) -> float:
    """CPU microseconds per request of `run` (`count` requests): this process only, steadier than wall time."""
    started = time.process_time()
    run()
    return (time.process_time() - started) / count * 1e6


def calls_per_request(run: Callable[[], None], count: int) -> float:
    """Python function calls per request of `run`, as cProfile counts them: deterministic, unlike time."""
    profiler = cProfile.Profile()
    profiler.runcall(run)
    return pstats.Stats(profiler).total_calls / count


def main() -> None:
    """Time each variant and print the medians and what the adapters save."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="requests per variant per round")
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()

    from flask_jwt_extended import verify_jwt_in_request

    from quantum.auth import decorators
    from quantum.auth.adapters.flask_limiter import library_request_hook
    from quantum.auth.ratelimit import limiter

    with tempfile.TemporaryDirectory(prefix="quantum-bench-") as directory:
        app = build_app(directory)
        headers = {"Authorization": f"Bearer {access_token(app)}"}
        client = app.test_client()
        hooks = app.before_request_funcs[None]
        gated = next(hook for hook in hooks if getattr(hook, "__name__", "") == "_rate_limit_check")
        ungated = library_request_hook(limiter)
        adapter_verify = decorators.verify_jwt

        def public_verify(refresh: bool = False) -> tuple[dict, dict] | None:
            return verify_jwt_in_request(refresh=refresh)

        def me(verify: Callable[..., Any]) -> Callable[[], None]:
            def run() -> None:
                decorators.verify_jwt = verify
                try:
                    requests(client, "/api/auth/me", headers, args.requests)
                finally:
                    decorators.verify_jwt = adapter_verify
            return run

        def health(hook: Callable[[], None]) -> Callable[[], None]:
            def run() -> None:
                hooks[hooks.index(gated)] = hook
                try:
                    requests(client, "/api/health", headers, args.requests)
                finally:
                    hooks[hooks.index(hook)] = gated
            return run

        variants = {
            ("/api/auth/me", "flask-jwt-extended adapter"): me(adapter_verify),
            ("/api/auth/me", "public verify_jwt_in_request"): me(public_verify),
            ("/api/health", "Flask-Limiter adapter (gate)"): health(gated),
            ("/api/health", "public hook as init_app registers it"): health(ungated),
        }
        for run in variants.values():  # warm up: schema guard, pool, statement caches, the token memo
            run()
        timings: dict[tuple[str, str], list[float]] = {key: [] for key in variants}
        for _ in range(args.rounds):
            for key, run in variants.items():
                timings[key].append(cpu_micros(run, args.requests))
        calls = {key: calls_per_request(run, args.requests) for key, run in variants.items()}

    medians = {key: statistics.median(values) for key, values in timings.items()}
    fastest = {key: min(values) for key, values in timings.items()}
    print(f"{args.rounds} rounds of {args.requests} requests per variant; CPU us/request: median, fastest round; "
          "Python calls/request")
    for key in timings:
        path, variant = key
        print(f"  {path:<13} {variant:<38} {medians[key]:7.0f} {fastest[key]:7.0f} {calls[key]:7.0f}")
    keys = list(timings)
    for adapter, public in (keys[0:2], keys[2:4]):
        print(f"  {adapter[1]} on {adapter[0]} saves {medians[public] - medians[adapter]:.0f} us/request at the "
              f"median ({100 * (1 - medians[adapter] / medians[public]):.0f}%), "
              f"{fastest[public] - fastest[adapter]:.0f} us in the fastest rounds "
              f"({100 * (1 - fastest[adapter] / fastest[public]):.0f}%), "
              f"{calls[public] - calls[adapter]:.0f} Python calls/request")


if __name__ == "__main__":
    main()
