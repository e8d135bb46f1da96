"""The benchmark suite: one command, one backend, every number of issue 7.

    .venv/bin/python bench/run.py --backend sqlite --duration 60
    .venv/bin/python bench/run.py --backend sqlite --duration 60 --paced-rps 400   # plus the paced runs

Steps: build the dataset with `flask db-seed-demo` unless it exists; time `flask db-ensure` against
`flask db upgrade` on it; time `place_order` in-process (wall and SQL time per call); time trading
metrics and risk metrics for the heavy user; start gunicorn (production gunicorn.conf.py) on the app
and on bench/bare_app.py; run wrk per endpoint and one mixed run at --connections; print a table and
write bench/results/<backend>-<time>.json.

Per route inside the mixed run. wrk keeps one histogram per run, so the app's own Prometheus histogram
(quantum_http_request_duration_seconds, per method and route) is scraped from /metrics, with METRICS_TOKEN,
once the server is idle before the run and again after it. The bucket deltas give each route's requests,
req/s and p50/p95/p99, interpolated linearly within a bucket: "server-side, from histogram buckets". The
buckets (1, 2.5, 5, 10, 25, 50, 100, 250, 500 ms, ...) make a p99 a guess inside its bucket, so each row
also prints the bucket holding its p99 and the share of requests at or under 50 ms, which is exact (50 ms
is a bucket bound). That span starts in Flask's before_request: it leaves out the wait in the socket
backlog and for a free gunicorn thread, which is most of the latency at saturation. Requests in flight
when wrk stops still count (they end before the second scrape). --client-split adds the client-side
view: bench.lua times each request per route, matched by an X-Request-ID the app echoes (the span wrk
measures). It adds a Lua response hook to that run, which is why it is off by default.

Paced runs (--paced-rps R; 0, the default, = none). The closed-loop runs measure latency at saturation:
each of the 100 connections sends its next request as soon as it has an answer, so by Little's law a
p99 under 50 ms would need more than 2,000 req/s. The paced runs keep 100 connections but make each one
wait a think time after every answer (wrk's delay() hook): exponential, mean connections / R seconds
(capped at 4 s, under gunicorn's 5 s keepalive), so the connections add up to about R req/s of roughly
Poisson arrivals. Every connection sends its first request at once, undelayed: a connection left open and
silent holds a gunicorn gthread thread (it waits up to 5 s for the first bytes), which stalled the others
for seconds. That burst of 100 is left out: figures count only requests sent after --paced-warmup seconds
(and the server-side split is scraped at that moment too). The paced runs cover latest, snapshots,
positions (--endpoint-duration each) and the mixed workload (--duration, split per route), and report the
achieved req/s, p50/p95/p99 and share <= 50 ms, client-side per request; errors are wrk's over the whole
run. The JSON keeps wrk's own figures for the whole run too ("wrk_all": burst included, and upstream wrk
corrects its histogram for coordinated omission at the end, which the per-request figures do not).
Caveat: this is not an open-loop load generator. A connection thinks only after its answer arrives, so
the achieved rate is connections / (think + latency): a little under R when answers are fast, and much
less when the server slows down, which is when latency matters. The requests a slow server would have
been sent meanwhile are never sent and never measured (coordinated omission), so the paced percentiles
are those at the achieved rate and flatter a struggling server; the table says when the achieved rate
fell under 90% of R. Precise open-loop figures need a constant-rate generator that measures from the
intended send time (wrk2 -R).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from route_latency import (
    CLIENT_NOTE,
    SERVER_NOTE,
    bucket_resolution,
    client_split,
    percentile,
    scrape,
    server_split,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
SECRET = "bench-secret-key-that-is-long-enough-0123456789abcdef"
METRICS_TOKEN = "bench-metrics-token"  # /metrics is scraped around the mixed runs, with a token as in production
PACED_ENDPOINTS = ("latest", "snapshots", "positions", "mixed")
ENDPOINTS = ("latest", "snapshots", "positions", "metrics", "risk", "order", "snapshot")
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/quantum_bench"
sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    """Progress on stderr, so stdout stays the report."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def app_env(url: str) -> dict[str, str]:
    """The environment of every process the bench starts (production settings)."""
    return {
        **os.environ, "DATABASE_URL": url, "QUANTUM_ENV": "production", "JWT_SECRET_KEY": SECRET,
        "JWT_ACCESS_TOKEN_EXPIRES": "86400", "LOG_FORMAT": "json", "SLOW_QUERY_LOG": os.devnull,
        "METRICS_TOKEN": METRICS_TOKEN,
    }


# --- dataset -----------------------------------------------------------------------------------------------------


def ensure_dataset(args: argparse.Namespace, url: str) -> None:
    """Seed the database unless it already holds the demo users of --seed."""
    import sqlalchemy as sa

    from quantum.perf.seed import demo_email

    if args.backend == "postgresql":
        admin = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            name = url.rsplit("/", 1)[1]
            if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            seeded = connection.scalar(sa.text("SELECT 1 FROM users WHERE email = :e"), {"e": demo_email(args.seed, 0)})
    except sa.exc.DBAPIError:
        seeded = None
    engine.dispose()
    if seeded:
        log("dataset present, reusing it")
        return
    log("seeding (this is the slow part the first time)")
    subprocess.run(
        [str(VENV_BIN / "flask"), "db-seed-demo", "--users", str(args.users), "--snapshots-per-user",
         str(args.snapshots_per_user), "--orders-per-user", str(args.orders_per_user), "--heavy-user-orders",
         str(args.heavy_user_orders), "--bars", str(args.bars), "--seed", str(args.seed)],
        # db-seed-demo refuses production (demo accounts with a published password); the server runs in it.
        env={**app_env(url), "QUANTUM_ENV": "development"}, cwd=ROOT, check=True,
    )


def database_size(url: str, backend: str) -> int:
    """Bytes on disk (SQLite file + WAL, or pg_database_size)."""
    if backend == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        size = connection.scalar(sa.text("SELECT pg_database_size(current_database())"))
    engine.dispose()
    return int(size)


# --- in-process measurements -------------------------------------------------------------------------------------


def time_commands(url: str, repeat: int) -> dict[str, Any]:
    """Median wall time of `flask db-ensure`, its full validation (`--check`) and `flask db upgrade`, all no-ops."""
    results: dict[str, Any] = {}
    commands = (("db-ensure", ["db-ensure"]), ("db-ensure --check", ["db-ensure", "--check"]),
                ("db upgrade", ["db", "upgrade"]))
    for name, command in commands:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run([str(VENV_BIN / "flask"), *command], env=app_env(url), cwd=ROOT, check=True,
                           capture_output=True)
            times.append(time.perf_counter() - started)
        results[name] = {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
                         "runs": repeat}
    # The in-process figures each run reports itself (no interpreter start-up, no imports), and which
    # validation answered: "fingerprint" (the fast path) or "full".
    for name, command in (("db-ensure", ["db-ensure", "--json"]), ("db-ensure --check", ["db-ensure", "--check", "--json"])):
        out = subprocess.run([str(VENV_BIN / "flask"), *command], env=app_env(url), cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout
        report = json.loads(out.strip().splitlines()[-1])
        results[name]["self_reported_ms"] = report["duration_ms"]
        results[name]["validation"] = report.get("validation", "full")
    return results


def in_process(url: str, users: int, orders: int) -> dict[str, Any]:
    """place_order timings (wall and SQL), and heavy-user metrics/risk timings, in this process; tokens too."""
    import sqlalchemy as sa
    from sqlalchemy import event

    os.environ.update(app_env(url))
    from quantum import create_app
    from quantum.ai import service as ai_service
    from quantum.auth.models import User
    from quantum.auth.tokens import issue_tokens
    from quantum.extensions import db
    from quantum.perf.seed import demo_email
    from quantum.portfolio.service import deposit
    from quantum.trading import service as trading

    app = create_app({"SCHEMA_GUARD": False})
    out: dict[str, Any] = {}
    with app.app_context():
        app.config["SCHEMA_GUARD"] = False
        sql_time = [0.0]
        starts: dict[int, float] = {}

        @event.listens_for(db.engine, "before_cursor_execute")
        def _before(conn, cursor, statement, params, context, many):  # noqa: ANN001, ANN202
            starts[id(cursor)] = time.perf_counter()

        @event.listens_for(db.engine, "after_cursor_execute")
        def _after(conn, cursor, statement, params, context, many):  # noqa: ANN001, ANN202
            sql_time[0] += time.perf_counter() - starts.pop(id(cursor), time.perf_counter())

        seed = int(os.environ.get("BENCH_SEED", "42"))
        emails = [demo_email(seed, i) for i in range(1, users + 1)]
        people = db.session.scalars(sa.select(User).where(User.email.in_(emails))).all()
        heavy = db.session.scalars(sa.select(User).where(User.email == demo_email(seed, 0))).one()
        tokens = [issue_tokens(user=u)["access_token"] for u in people]
        # Enough cash for every order the load test places (they buy 1 AAPL at 1.00).
        for user in people:
            deposit(session=db.session, user=user, data={"amount": "1000000", "currency": "USD"})

        wall, sql = [], []
        for i in range(orders):
            user = people[(i // 2) % len(people)]  # buy, then sell what was bought
            sql_time[0] = 0.0
            started = time.perf_counter()
            trading.place_order(session=db.session, user=user,
                                data={"symbol": "MSFT", "side": "buy" if i % 2 == 0 else "sell",
                                      "quantity": "1", "price": "2.00"})
            wall.append((time.perf_counter() - started) * 1000)
            sql.append(sql_time[0] * 1000)
        out["place_order"] = {"calls": 0}
        if wall:
            out["place_order"] = {
                "calls": orders, "wall_p50_ms": percentile(wall, 50), "wall_p95_ms": percentile(wall, 95),
                "sql_p50_ms": percentile(sql, 50), "sql_p95_ms": percentile(sql, 95),
            }

        def timed(fn: Any, n: int) -> dict[str, float]:
            values = []
            for _ in range(n):
                started = time.perf_counter()
                fn()
                values.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
            return {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95), "max_ms": max(values)}

        orders_count = db.session.scalar(sa.select(sa.func.count()).select_from(trading.Order)
                                         .where(trading.Order.user_id == heavy.id))
        out["heavy_user"] = {
            "orders": orders_count,
            "metrics_service": timed(lambda: trading.metrics(session=db.session, user=heavy), 20),
            "risk_service": timed(lambda: ai_service.risk_metrics(session=db.session, user=heavy), 20),
            "token": issue_tokens(user=heavy)["access_token"],
        }
        out["tokens"] = tokens
    return out


def http_timings(base: str, path: str, token: str, n: int, warmup: int = 16) -> dict[str, float]:
    """Sequential requests (one connection at a time): latency of one route for one user."""
    values = []
    # The first request each worker serves runs the schema guard; warm every worker up before timing.
    for index in range(warmup + n):
        request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
        if index >= warmup:
            values.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95), "max_ms": max(values)}


# --- servers and wrk ---------------------------------------------------------------------------------------------


def start_gunicorn(target: str, port: int, env: dict[str, str], logfile: Path, extra: list[str]) -> subprocess.Popen:
    """gunicorn with the production gunicorn.conf.py, bound to 127.0.0.1:port; waits until it answers."""
    proc = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), target, "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
         *extra],
        env=env, cwd=ROOT, stdout=logfile.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    probe = "/bare" if "bare" in target else "/api/health"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    stop(proc)
    raise SystemExit(f"gunicorn {target} did not answer on port {port}; see {logfile}")


def stop(proc: subprocess.Popen) -> None:
    """Stop the gunicorn master we started (its workers follow)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def wrk(port: int, endpoint: str, tokens_file: Path, duration: int, connections: int, threads: int, *,
        think_ms: float = 0.0, split: bool = False, warmup_s: float = 0.0,
        on_start: Callable[[], None] | None = None) -> dict[str, Any]:
    """One wrk run; the Lua script prints the summary as JSON (and, with split, per-route latencies)."""
    env = {**os.environ, "ENDPOINT": endpoint, "TOKENS": str(tokens_file)}
    if think_ms:
        env.update(THINK_MS=f"{think_ms:.3f}", CONNECTIONS_PER_THREAD=str(connections // threads))
    if split:
        env.update(SPLIT="1", WARMUP_S=str(warmup_s))
    with subprocess.Popen(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
         "-s", str(BENCH / "lua" / "bench.lua"), f"http://127.0.0.1:{port}"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as process:
        if on_start is not None:
            on_start()
        stdout, stderr = process.communicate()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, process.args, stdout, stderr)
    line = next(x for x in stdout.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    seconds = data["duration_us"] / 1e6
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    row = {"endpoint": endpoint, "rps": data["requests"] / seconds, "p50_ms": data["p50"] / 1000,
           "p95_ms": data["p95"] / 1000, "p99_ms": data["p99"] / 1000, "max_ms": data["max"] / 1000,
           "requests": data["requests"], "errors": errors, "status_errors": data["status"],
           "socket_errors": errors - data["status"], "duration_s": seconds}
    if split:
        raw: dict[str, dict[str, Any]] = {}
        for answer in stdout.splitlines():
            if answer.startswith("WRKLAT "):
                _, name, micros, status, _ = answer.split()
                route = raw.setdefault(name, {"latency_us": [], "status_errors": 0})
                route["latency_us"].append(int(micros))
                route["status_errors"] += int(status) >= 400
        window = max(seconds - warmup_s, 1e-9)
        overall, routes = client_split(raw, window)
        row["client"] = {"note": CLIENT_NOTE, "warmup_s": warmup_s, "window_s": window, "all": overall,
                         "routes": routes}
    return row


def settled_scrape(base: str, timeout: float = 15.0) -> dict[tuple[str, str], dict[str, Any]]:
    """Scrape /metrics once the server is idle (two scrapes 0.5 s apart count the same requests).

    When wrk stops, the requests it had in flight are still being served; waiting for them keeps them out of the
    next run's split (and in this one's)."""
    deadline = time.monotonic() + timeout
    previous = scrape(base, METRICS_TOKEN)
    while True:
        time.sleep(0.5)
        current = scrape(base, METRICS_TOKEN)
        if sum(r["count"] for r in current.values()) == sum(r["count"] for r in previous.values()) \
                or time.monotonic() > deadline:
            return current
        previous = current


def scraped_run(port: int, endpoint: str, tokens_file: Path, duration: int, args: argparse.Namespace,
                **options: Any) -> dict[str, Any]:
    """A wrk run on the app between two scrapes of /metrics: the row, plus the server-side split per route.

    With a warm-up (paced runs), the first scrape is taken warmup_s into the run, so both sides leave it out."""
    base = f"http://127.0.0.1:{port}"
    before = [settled_scrape(base)]
    warmup = options.get("warmup_s", 0.0)
    timer = threading.Timer(warmup, lambda: before.__setitem__(0, scrape(base, METRICS_TOKEN))) if warmup else None
    row = wrk(port, endpoint, tokens_file, duration, args.connections, args.wrk_threads,
              on_start=timer.start if timer else None, **options)
    if timer:
        timer.join()
    routes = server_split(before[0], settled_scrape(base), row["duration_s"] - warmup)
    row["server"] = {"note": SERVER_NOTE, "routes": routes, "coarse_p99": bucket_resolution(routes),
                     "warmup_s": warmup}
    return row


def paced_run(port: int, endpoint: str, tokens_file: Path, duration: int, args: argparse.Namespace) -> dict[str, Any]:
    """The paced measurement: --connections connections, each thinking connections / --paced-rps s between requests."""
    think_ms = args.connections / args.paced_rps * 1000
    row = scraped_run(port, endpoint, tokens_file, duration, args, think_ms=think_ms, split=True,
                      warmup_s=args.paced_warmup)
    overall = row["client"]["all"]
    return {
        "endpoint": endpoint, "mode": "paced", "offered_rps": args.paced_rps, "think_ms": think_ms,
        "rps": overall["rps"], "p50_ms": overall.get("p50_ms"), "p95_ms": overall.get("p95_ms"),
        "p99_ms": overall.get("p99_ms"), "max_ms": overall.get("max_ms"),
        "share_under_50ms": overall.get("share_under_50ms"), "requests": overall["requests"],
        "errors": row["errors"], "window_errors": overall["errors"],
        # wrk's own figures over the whole run, the burst at start included.
        "wrk_all": {key: row[key] for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "max_ms", "requests",
                                              "duration_s")},
        "client": row["client"], "server": row["server"],
    }


# --- main --------------------------------------------------------------------------------------------------------


def main() -> None:  # noqa: PLR0915 - a script, read top to bottom
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", help="default: bench/data/bench.db or " + DEFAULT_PG)
    parser.add_argument("--duration", type=int, default=60, help="seconds of the mixed run")
    parser.add_argument("--endpoint-duration", type=int, default=15, help="seconds of each per-endpoint run")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--bench-users", type=int, default=50, help="users whose tokens the load spreads over")
    parser.add_argument("--repeat", type=int, default=10, help="runs of db-ensure / db upgrade")
    parser.add_argument("--order-calls", type=int, default=500, help="place_order calls timed in-process")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--snapshots-per-user", type=int, default=1000)
    parser.add_argument("--orders-per-user", type=int, default=1000)
    parser.add_argument("--heavy-user-orders", type=int, default=1_000_000)
    parser.add_argument("--bars", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help="comma list of per-endpoint runs")
    parser.add_argument("--skip", default="", help="comma list of: commands,inprocess,endpoints,mixed")
    parser.add_argument("--client-split", action="store_true",
                        help="also time the closed-loop mixed run per route client-side (adds a Lua response hook)")
    parser.add_argument("--paced-rps", type=float, default=0.0,
                        help="offered req/s of the paced runs (0 = no paced runs); think time = connections / rps")
    parser.add_argument("--paced-endpoints", default=",".join(PACED_ENDPOINTS),
                        help="comma list of paced runs (mixed runs --duration, the others --endpoint-duration)")
    parser.add_argument("--paced-warmup", type=float, default=2.0,
                        help="seconds at the start of each paced run left out of its figures")
    args = parser.parse_args()
    if args.paced_rps < 0 or (args.paced_rps and args.paced_warmup >= min(args.duration, args.endpoint_duration)):
        parser.error("--paced-rps must be >= 0 and --paced-warmup shorter than every run")
    skip = set(filter(None, args.skip.split(",")))
    from quantum.config import normalize_database_url

    url = args.database_url or (f"sqlite:///{BENCH / 'data' / 'bench.db'}" if args.backend == "sqlite" else DEFAULT_PG)
    url = normalize_database_url(url, "--database-url")  # postgresql:// -> the psycopg2 driver, as the app does
    (BENCH / "data").mkdir(exist_ok=True)
    (BENCH / "results").mkdir(exist_ok=True)
    os.environ["BENCH_SEED"] = str(args.seed)

    ensure_dataset(args, url)
    subprocess.run([str(VENV_BIN / "flask"), "db-ensure"], env=app_env(url), cwd=ROOT, check=True,
                   capture_output=True)
    report: dict[str, Any] = {
        "backend": args.backend, "database_bytes": database_size(url, args.backend), "connections": args.connections,
        "duration": args.duration, "endpoint_duration": args.endpoint_duration, "cpus": os.cpu_count(),
        "workers": os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) * 2)),
        "threads": os.environ.get("GUNICORN_THREADS", "4"), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    log(f"database: {report['database_bytes'] / 1e9:.2f} GB")
    if "commands" not in skip:
        log("timing flask db-ensure vs flask db upgrade")
        report["commands"] = time_commands(url, args.repeat)
    log("in-process: place_order, heavy-user metrics, tokens")
    measured = in_process(url, args.bench_users, 0 if "inprocess" in skip else args.order_calls)
    tokens_file = Path(tempfile.mkstemp(prefix="bench-tokens-", suffix=".txt")[1])
    tokens_file.write_text("\n".join(measured.pop("tokens")) + "\n")
    heavy_token = measured["heavy_user"].pop("token")
    report.update(measured)

    logs = BENCH / "data"
    app = start_gunicorn("wsgi:app", args.port, app_env(url), logs / f"gunicorn-{args.backend}.log", [])
    rows: list[dict[str, Any]] = []
    try:
        base = f"http://127.0.0.1:{args.port}"
        report["heavy_user"]["metrics_http"] = http_timings(base, "/api/trading/metrics", heavy_token, 20)
        report["heavy_user"]["risk_http"] = http_timings(base, "/api/ai/risk-metrics", heavy_token, 20)
        if "endpoints" not in skip:
            for endpoint in filter(None, args.endpoints.split(",")):
                log(f"wrk {endpoint} {args.endpoint_duration}s")
                rows.append(wrk(args.port, endpoint, tokens_file, args.endpoint_duration, args.connections,
                                args.wrk_threads))
        if "mixed" not in skip:
            log(f"wrk mixed {args.duration}s")
            rows.append(scraped_run(args.port, "mixed", tokens_file, args.duration, args, split=args.client_split))
        if args.paced_rps:
            report["paced"] = {"offered_rps": args.paced_rps, "warmup_s": args.paced_warmup, "rows": [],
                               "think_ms": args.connections / args.paced_rps * 1000}
            for endpoint in filter(None, args.paced_endpoints.split(",")):
                duration = args.duration if endpoint == "mixed" else args.endpoint_duration
                log(f"wrk paced {endpoint} {duration}s at {args.paced_rps:g} req/s offered")
                report["paced"]["rows"].append(paced_run(args.port, endpoint, tokens_file, duration, args))
    finally:
        stop(app)
    bare = start_gunicorn("bare_app:app", args.port, app_env(url), logs / "gunicorn-bare.log",
                          ["--pythonpath", str(BENCH)])
    try:
        log(f"wrk bare {args.endpoint_duration}s")
        bare_row = wrk(args.port, "bare", tokens_file, args.endpoint_duration, args.connections, args.wrk_threads)
    finally:
        stop(bare)
    for row in rows:
        row["ratio_to_bare"] = row["rps"] / bare_row["rps"] if bare_row["rps"] else None
    rows.append({**bare_row, "ratio_to_bare": 1.0})
    report["wrk"] = rows
    tokens_file.unlink()

    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    out = BENCH / "results" / f"{args.backend}-{stamp}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print_report(report)
    print(f"\nresults: {out.relative_to(ROOT)}")


def print_report(report: dict[str, Any]) -> None:
    """The human-readable table."""
    print(f"backend {report['backend']}, database {report['database_bytes'] / 1e9:.2f} GB, "
          f"{report['connections']} connections, {report['cpus']} CPUs, "
          f"gunicorn {report['workers']} workers x {report['threads']} threads")
    print(f"{'endpoint':<18} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'x bare':>7}")
    for row in report.get("wrk", []):
        print(f"{row['endpoint']:<18} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
              f"{row['p99_ms']:>8.1f} {row['errors']:>7} {row['ratio_to_bare']:>7.2f}")
        if "server" in row:
            print_split(row["server"]["note"], row["server"]["routes"])
            if row["server"]["coarse_p99"]:
                print(f"    {len(row['server']['coarse_p99'])} of {len(row['server']['routes'])} p99s lie in a bucket wider "
                      "than 10 ms (see 'p99 in'): the figure is a guess within it; '<= 50 ms' is exact (a bucket bound)")
        if "client" in row:
            print_split(row["client"]["note"], [*row["client"]["routes"], row["client"]["all"]])
    if "paced" in report:
        print_paced(report)
    if "place_order" in report and report["place_order"]["calls"]:
        p = report["place_order"]
        print(f"place_order x{p['calls']}: SQL p50 {p['sql_p50_ms']:.2f} ms, p95 {p['sql_p95_ms']:.2f} ms; "
              f"wall p50 {p['wall_p50_ms']:.2f} ms, p95 {p['wall_p95_ms']:.2f} ms")
    heavy = report["heavy_user"]
    print(f"heavy user ({heavy['orders']} orders): metrics service p95 {heavy['metrics_service']['p95_ms']:.1f} ms, "
          f"HTTP p95 {heavy['metrics_http']['p95_ms']:.1f} ms; risk service p95 "
          f"{heavy['risk_service']['p95_ms']:.1f} ms, HTTP p95 {heavy['risk_http']['p95_ms']:.1f} ms")
    if "commands" in report:
        c = report["commands"]
        for name in ("db-ensure", "db-ensure --check"):
            print(f"flask {name} (noop): median {c[name]['median_s'] * 1000:.0f} ms "
                  f"(self-reported {c[name]['self_reported_ms']:.0f} ms, validation {c[name]['validation']})")
        print(f"flask db upgrade (noop): median {c['db upgrade']['median_s'] * 1000:.0f} ms")


def print_split(note: str, rows: list[dict[str, Any]]) -> None:
    """Per-route rows under the run they split."""
    print(f"  per route, {note}:")
    for row in rows:
        if not row["requests"]:
            print(f"    {row['endpoint']:<14} {row['rps']:>8.1f} {'-':>8} {'-':>8} {'-':>8} {row['errors']:>7}")
            continue
        remark = f"{row['share_under_50ms']:.1%} <= 50 ms" if row.get("share_under_50ms") is not None else ""
        if "p99_bucket_ms" in row:
            lower, upper = row["p99_bucket_ms"]
            remark += f", p99 in ({lower:g}, {'inf' if upper is None else f'{upper:g}'}]"
        print(f"    {row['endpoint']:<14} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
              f"{row['p99_ms']:>8.1f} {row['errors']:>7} {'':>7}  {remark}")


def print_paced(report: dict[str, Any]) -> None:
    """The paced rows: latency at an offered load below saturation, not at saturation."""
    paced = report["paced"]
    print(f"\npaced: {paced['offered_rps']:g} req/s offered over {report['connections']} connections (each waits an "
          f"exponential think time, mean {paced['think_ms']:.0f} ms, after every answer); client-side, the first "
          f"{paced['warmup_s']:g} s of each run left out; errors over the whole run")
    if paced["think_ms"] > 1000:
        print("(think times are capped at 4 s, under gunicorn's 5 s keepalive, so the achieved rate can exceed the "
              "offered one)")
    print(f"{'endpoint':<18} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'<=50ms':>7}")
    for row in paced["rows"]:
        if not row["requests"]:
            print(f"{'paced ' + row['endpoint']:<18} {row['rps']:>8.1f} (no answer after the warm-up)")
            continue
        print(f"{'paced ' + row['endpoint']:<18} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
              f"{row['p99_ms']:>8.1f} {row['errors']:>7} {row['share_under_50ms']:>7.1%}")
        if row["endpoint"] == "mixed":
            print_split(row["client"]["note"], row["client"]["routes"])
        if row["rps"] < 0.9 * row["offered_rps"]:
            print(f"    achieved {row['rps'] / row['offered_rps']:.0%} of the offered rate: a connection waits for its "
                  "answer before it thinks, so slow answers lower the load (coordinated omission)")


if __name__ == "__main__":
    main()
