"""The first-request guard, in process and under gunicorn with several workers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_SECRET, make_app
from tests.db.helpers import execute, real_head, scalar, table_names


def test_first_request_creates_the_schema(empty_db_url):
    app = make_app(empty_db_url)
    client = app.test_client()
    response = client.get("/api/health/ready")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["database"]["revision"] == real_head()
    assert "users" in table_names(empty_db_url)
    assert app.extensions["schema_guard"].ready


def test_unfixable_schema_keeps_the_worker_up_with_json_503(empty_db_url):
    app = make_app(empty_db_url)
    app.test_client().get("/api/health/ready")
    execute(empty_db_url, "UPDATE alembic_version SET version_num = 'feedfacecafe'")
    fresh = make_app(empty_db_url).test_client()
    assert fresh.get("/api/health").status_code == 200
    ready = fresh.get("/api/health/ready")
    assert ready.status_code == 503
    assert ready.get_json()["details"]["reason"] == "database_ahead"
    other = fresh.get("/api/anything")
    assert other.status_code == 503
    body = other.get_json()
    assert body["error"] == "schema_not_ready" and body["retry_after"] > 0
    assert other.headers["Retry-After"] == str(body["retry_after"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.slow
def test_gunicorn_workers_on_an_empty_database_without_release_step(empty_db_url, tmp_path):
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "QUANTUM_"))},
        "DATABASE_URL": empty_db_url,
        "QUANTUM_ENV": "testing",
        "JWT_SECRET_KEY": TEST_SECRET,
        "WEB_CONCURRENCY": "4",
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "wsgi:app", "-c", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "gunicorn.log", "w"),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                _get(base + "/api/health")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        statuses: list[tuple[int, dict]] = []
        with ThreadPoolExecutor(max_workers=16) as pool:
            for _ in range(8):
                statuses += list(pool.map(lambda _: _get(base + "/api/health/ready"), range(32)))
        for status, body in statuses:
            assert status in (200, 503), (status, body)
            if status == 503:
                assert body["retry_after"] > 0 and body["error"] in ("not_ready", "schema_not_ready")
        # Every worker comes up by itself.
        final = [_get(base + "/api/health/ready")[0] for _ in range(24)]
        assert final == [200] * 24
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    log = (tmp_path / "gunicorn.log").read_text()
    assert "Traceback" not in log, log
    assert scalar(empty_db_url, "SELECT version_num FROM alembic_version") == real_head()
    # Exactly one worker migrated; the others found it done.
    assert log.count("db-ensure: created the schema") == 1, log
    assert log.count("db-ensure: already at") >= 1, log


def test_trading_status_answers_degraded_while_the_schema_is_not_ready(empty_db_url):
    app = make_app(empty_db_url)
    app.test_client().get("/api/health/ready")
    execute(empty_db_url, "UPDATE alembic_version SET version_num = 'feedfacecafe'")
    fresh = make_app(empty_db_url).test_client()
    assert fresh.get("/api/anything").status_code == 503  # the guard has now seen the bad schema
    response = fresh.get("/api/trading/status")
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded" and response.get_json()["reason"] == "schema_not_ready"


def _guard_with_gate(outcome, **kwargs):
    """A guard whose ensure blocks until `gate` is set, then returns or raises `outcome`."""
    import threading

    from quantum.db.guard import SchemaGuard

    gate, started, calls = threading.Event(), threading.Event(), []

    def ensure():
        calls.append(1)
        started.set()
        gate.wait(30)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return SchemaGuard(ensure, **kwargs), gate, started, calls


def test_requests_during_the_first_check_wait_for_it():
    guard, gate, started, calls = _guard_with_gate("ok")
    with ThreadPoolExecutor(max_workers=4) as pool:
        first = pool.submit(guard.check)
        assert started.wait(10)
        others = [pool.submit(guard.check) for _ in range(3)]
        gate.set()
        for future in [first, *others]:
            future.result(timeout=30)  # no SchemaNotReady: they waited and went on
    assert guard.ready and len(calls) == 1


def test_a_check_that_outlasts_the_wait_answers_schema_pending():
    from quantum.db.guard import SchemaNotReady

    guard, gate, started, calls = _guard_with_gate("ok", pending_wait=0.2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(guard.check)
        assert started.wait(10)
        with pytest.raises(SchemaNotReady) as info:
            guard.check()
        assert info.value.reason == "schema_pending" and info.value.retry_after == 1
        gate.set()
        first.result(timeout=30)
    assert guard.ready and len(calls) == 1


def test_waiting_requests_share_the_failure_instead_of_retrying_at_once():
    from quantum.db.guard import SchemaNotReady
    from quantum.schema_engine.errors import SchemaDrift

    guard, gate, started, calls = _guard_with_gate(SchemaDrift("users.email is missing"))
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(guard.check)
        assert started.wait(10)
        others = [pool.submit(guard.check) for _ in range(2)]
        gate.set()
        for future in [first, *others]:
            with pytest.raises(SchemaNotReady) as info:
                future.result(timeout=30)
            assert info.value.reason == "schema_drift"
    assert len(calls) == 1 and not guard.ready
