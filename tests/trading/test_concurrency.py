"""Orders under concurrency: threads through the app, and gunicorn with several worker processes.

A balance that covers only some of the orders: exactly the affordable ones fill, the rest get 409,
nothing overdraws, nothing answers 5xx, and cash + position value equals the deposit exactly.
"""

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
from decimal import Decimal
from pathlib import Path
from threading import Barrier

import pytest
import sqlalchemy as sa

from quantum.trading.models import Fill, Order
from tests.conftest import ROOT, TEST_SECRET
from tests.trading.helpers import assert_conserved, deposit, order, register_and_login, user_id

ORDERS = 24
PRICE = Decimal("100.125")
QUANTITY = Decimal("2.5")
NOTIONAL = PRICE * QUANTITY  # 250.3125, exact at 8 places
AFFORDABLE = 9
DEPOSIT = NOTIONAL * AFFORDABLE + Decimal("100")  # covers 9 orders, not 10


def _concurrently(count: int, call):
    """Run call(i) for i in range(count) on `count` threads released at the same moment."""
    barrier = Barrier(count)

    def run(i: int):
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _check_outcome(statuses: list[int], bodies: list[dict], session, uid: int) -> None:
    assert all(status < 500 for status in statuses), list(zip(statuses, bodies, strict=True))
    assert sorted(set(statuses)) == [201, 409], statuses
    assert statuses.count(201) == AFFORDABLE
    for status, body in zip(statuses, bodies, strict=True):
        if status == 409:
            assert body["error"] == "insufficient_funds"
            assert Decimal(body["details"]["shortfall"]) > 0
    figures = assert_conserved(session, uid)
    # All fills at one price: cash + position value at that price is the deposit, to the last unit.
    assert figures["cash"] + figures["quantity"] * PRICE == DEPOSIT
    assert figures["quantity"] == QUANTITY * AFFORDABLE
    assert figures["cash"] == DEPOSIT - NOTIONAL * AFFORDABLE
    fills = session.scalar(sa.select(sa.func.count()).select_from(Fill).where(Fill.user_id == uid))
    assert fills == AFFORDABLE


def test_concurrent_orders_through_the_app(app, session):
    setup = app.test_client()
    headers = register_and_login(setup)
    uid = user_id(setup, headers)
    deposit(setup, headers, str(DEPOSIT))

    def place(i: int):
        response = order(app.test_client(), headers, "buy", str(QUANTITY), str(PRICE))
        return response.status_code, response.get_json()

    results = _concurrently(ORDERS, place)
    _check_outcome([s for s, _ in results], [b for _, b in results], session, uid)


def test_concurrent_buys_and_sells_conserve_cash(app, session):
    client = app.test_client()
    headers = register_and_login(client)
    uid = user_id(client, headers)
    deposit(client, headers, "1000")
    assert order(client, headers, "buy", "5", "100").status_code == 201

    def trade(i: int):
        side = "buy" if i % 2 else "sell"
        response = order(app.test_client(), headers, side, "1.5", "100")
        return response.status_code, response.get_json()

    results = _concurrently(ORDERS, trade)
    assert all(status in (201, 409) for status, _ in results), results
    figures = assert_conserved(session, uid)
    assert figures["quantity"] >= 0
    assert figures["cash"] + figures["quantity"] * Decimal("100") == Decimal("1000")


def test_same_client_order_id_concurrently_fills_once(app, session):
    client = app.test_client()
    headers = register_and_login(client)
    uid = user_id(client, headers)
    deposit(client, headers, "100000")

    def place(i: int):
        response = order(app.test_client(), headers, "buy", "1", "10", client_order_id="twin-42")
        return response.status_code, response.get_json()

    results = _concurrently(20, place)
    statuses = [status for status, _ in results]
    assert statuses.count(201) == 1 and statuses.count(200) == 19, statuses
    assert len({body["id"] for _, body in results}) == 1
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.user_id == uid)) == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(Fill).where(Fill.user_id == uid)) == 1
    assert_conserved(session, uid)


# -- gunicorn ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(method: str, url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def gunicorn_server(db_url, tmp_path):
    """gunicorn wsgi:app with 3 workers on the test database; yields its base URL."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "QUANTUM_", "RATELIMIT_"))},
        "DATABASE_URL": db_url,
        "QUANTUM_ENV": "testing",
        "JWT_SECRET_KEY": TEST_SECRET,
        "WEB_CONCURRENCY": "3",
        "RATELIMIT_ENABLED": "false",
    }
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "wsgi:app", "-c", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            # Every worker runs its schema guard before its first request; until all three have, some
            # answer 503 schema_not_ready. Ready means a burst of concurrent probes all get 200 (12 in flight
            # against 3 workers x 4 threads, so every worker takes some).
            try:
                with ThreadPoolExecutor(max_workers=12) as pool:
                    probes = list(pool.map(lambda _: _request("GET", base + "/api/health/ready")[0], range(24)))
                if probes == [200] * 24:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    text = log_path.read_text()
    assert "Traceback" not in text, text


@pytest.mark.slow
def test_concurrent_orders_through_gunicorn_workers(gunicorn_server, session):
    base = gunicorn_server
    email = f"gunicorn-{time.monotonic_ns()}@example.com"
    assert _request("POST", base + "/api/auth/register", {"email": email, "password": "correct-horse-42"})[0] == 201
    status, login = _request("POST", base + "/api/auth/login", {"email": email, "password": "correct-horse-42"})
    assert status == 200, login
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    uid = _request("GET", base + "/api/auth/me", headers=headers)[1]["id"]
    assert _request("POST", base + "/api/portfolio/deposits", {"amount": str(DEPOSIT)}, headers)[0] == 201

    def place(i: int):
        body = {"symbol": "AAPL", "side": "buy", "quantity": str(QUANTITY), "price": str(PRICE)}
        return _request("POST", base + "/api/trading/orders", body, headers)

    results = _concurrently(ORDERS, place)
    _check_outcome([s for s, _ in results], [b for _, b in results], session, uid)

    # The same client_order_id from many connections at once, spread over the workers: one fill.
    def twin(i: int):
        body = {"symbol": "MSFT", "side": "buy", "quantity": "0.1", "price": "1", "client_order_id": "gw-twin"}
        return _request("POST", base + "/api/trading/orders", body, headers)

    twins = _concurrently(12, twin)
    assert sorted(status for status, _ in twins) == [200] * 11 + [201], twins
    assert len({body["id"] for _, body in twins}) == 1
    assert_conserved(session, uid)
