"""Real faults: a proxy that drops PostgreSQL, a pool of one, a locked SQLite file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa
from flask import Blueprint
from sqlalchemy.engine import make_url

from quantum.auth.models import User
from quantum.db.breaker import CircuitBreaker, CircuitOpen
from quantum.extensions import db
from tests.conftest import make_app
from tests.faults import FaultyProxy


def _probe_blueprint(hold: threading.Event | None = None) -> Blueprint:
    probes = Blueprint("probes", __name__)

    @probes.get("/_probe/count")
    def count():
        return {"users": db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar()}

    @probes.post("/_probe/user/<email>")
    def add(email: str):
        db.session.add(User(email=email, password_hash="x"))
        db.session.commit()
        return {}, 201

    @probes.get("/_probe/slow")
    def slow():
        db.session.execute(sa.text("SELECT 1"))
        hold.wait(10)  # keeps the pool's only connection checked out
        return {}

    return probes


@pytest.mark.postgres
def test_dropped_database_opens_the_circuit_and_recovers_postgresql(pg_url):
    parsed = make_url(pg_url)
    proxy = FaultyProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    try:
        proxied = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        app = make_app(proxied, DB_CIRCUIT_THRESHOLD="2", DB_CIRCUIT_RESET_SECONDS="1")
        app.register_blueprint(_probe_blueprint())
        client = app.test_client()
        assert client.post("/_probe/user/kept@example.com").status_code == 201
        assert client.get("/_probe/count").get_json() == {"users": 1}

        proxy.cut("drop")
        statuses = []
        for _ in range(6):
            response = client.get("/_probe/count")
            statuses.append(response.status_code)
            body = response.get_json()
            assert response.status_code == 503, body
            assert body["error"] == "database_unavailable" and body["retry_after"] >= 1
            assert response.headers["Retry-After"] == str(body["retry_after"])
        assert app.extensions["db_breaker"].state in ("open", "half_open")

        proxy.heal()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            response = client.get("/_probe/count")
            if response.status_code == 200:
                break
            assert response.status_code == 503
            time.sleep(0.2)
        assert response.status_code == 200 and response.get_json() == {"users": 1}
        assert app.extensions["db_breaker"].state == "closed"
    finally:
        proxy.close()


def test_pool_of_one_held_by_a_slow_request_gives_pool_exhausted(db_url):
    hold = threading.Event()
    app = make_app(db_url, DB_POOL_SIZE="1", DB_MAX_OVERFLOW="0", DB_POOL_TIMEOUT="0.3")
    app.register_blueprint(_probe_blueprint(hold))
    assert app.test_client().get("/_probe/count").status_code == 200  # schema guard done
    slow = threading.Thread(target=lambda: app.test_client().get("/_probe/slow"))
    slow.start()
    try:
        time.sleep(0.3)
        response = app.test_client().get("/_probe/count")
        assert response.status_code == 503
        body = response.get_json()
        assert body["error"] == "pool_exhausted" and body["retry_after"] >= 1
    finally:
        hold.set()
        slow.join()
    assert app.test_client().get("/_probe/count").status_code == 200


def test_sqlite_locked_by_another_process_waits_then_succeeds(tmp_path, _migrated_templates):
    import shutil

    path = tmp_path / "locked.db"
    shutil.copy(make_url(_migrated_templates("sqlite")).database, path)
    app = make_app(f"sqlite:///{path}")
    app.register_blueprint(_probe_blueprint())
    client = app.test_client()
    assert client.get("/_probe/count").status_code == 200
    # Another process takes the write lock and keeps it for a second.
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
         "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(1); c.execute('COMMIT')",
         str(path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(sqlite3.OperationalError):
            probe = sqlite3.connect(str(path), timeout=0)
            probe.execute("BEGIN IMMEDIATE")  # proves the lock is really held
        assert client.post("/_probe/user/waited@example.com").status_code == 201
    finally:
        holder.wait(timeout=30)
    assert client.get("/_probe/count").get_json() == {"users": 1}


def test_breaker_opens_probes_and_closes():
    now = [0.0]
    changes = []
    breaker = CircuitBreaker(threshold=2, reset_seconds=5, clock=lambda: now[0],
                             on_change=lambda a, b: changes.append(b))
    breaker.record_failure()
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state == "open"
    with pytest.raises(CircuitOpen) as caught:
        breaker.before_call()
    assert caught.value.retry_after == 5
    now[0] = 6
    breaker.before_call()  # the probe goes through
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # only one probe at a time
    breaker.record_failure()  # probe failed: open again
    assert breaker.state == "open"
    now[0] = 12
    breaker.before_call()
    breaker.record_success()
    assert breaker.state == "closed"
    assert changes == ["open", "half_open", "open", "half_open", "closed"]
