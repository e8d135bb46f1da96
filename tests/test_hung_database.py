"""A database that stops answering: a real proxy between the app and PostgreSQL that relays nothing.

The bound is small (1 s) so the tests stay short; the only timed assertion is a generous ceiling
(3x the bound) that a request without the bound would blow through (it would hang forever).
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

from quantum.auth.models import User
from quantum.cash.models import Balance
from quantum.extensions import db
from quantum.trading.models import Fill, Order, Position
from tests.conftest import make_app
from tests.faults import FaultyProxy
from tests.trading.helpers import deposit, order, register_and_login

BOUND_MS = 1000
CEILING = 3 * BOUND_MS / 1000


@pytest.fixture
def frozen_setup(pg_url, monkeypatch):
    """An app on PostgreSQL through a proxy that can freeze; yields (app, client, proxy)."""
    monkeypatch.setenv("DB_QUERY_TIMEOUT_MS", str(BOUND_MS))
    parsed = make_url(pg_url)
    proxy = FaultyProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    proxied = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = make_app(proxied, DB_CIRCUIT_THRESHOLD="3", DB_CIRCUIT_RESET_SECONDS="1", RATELIMIT_ENABLED=False)
    try:
        yield app, app.test_client(), proxy
    finally:
        proxy.heal()
        with app.app_context():
            db.engine.dispose()
        proxy.close()


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _wait_until_ok(call, limit: float = 20.0):
    deadline = time.monotonic() + limit
    while True:
        response = call()
        if response.status_code < 500 or time.monotonic() > deadline:
            return response
        assert response.status_code == 503, response.get_json()
        time.sleep(0.2)


@pytest.mark.postgres
def test_frozen_database_answers_503_database_timeout_within_the_bound_and_recovers(frozen_setup):
    app, client, proxy = frozen_setup
    headers = register_and_login(client)
    assert client.get("/api/trading/orders", headers=headers).status_code == 200

    proxy.freeze()
    response, elapsed = _timed(lambda: client.get("/api/trading/orders", headers=headers))
    body = response.get_json()
    assert response.status_code == 503, body
    assert body["error"] == "database_timeout" and body["retry_after"] >= 1, body
    assert response.headers["Retry-After"] == str(body["retry_after"])
    assert elapsed < CEILING, f"took {elapsed:.1f}s with a {BOUND_MS} ms bound"

    # Readiness answers too (503) within the same ceiling, on a pooled connection and on a fresh one.
    for _ in range(2):
        ready, elapsed = _timed(lambda: client.get("/api/health/ready"))
        assert ready.status_code == 503, ready.get_json()
        assert elapsed < CEILING, f"readiness took {elapsed:.1f}s"

    # The circuit breaker counted the timeouts: further requests fail fast instead of waiting.
    assert app.extensions["db_breaker"].state in ("open", "half_open")
    fast, elapsed = _timed(lambda: client.get("/api/trading/orders", headers=headers))
    assert fast.status_code == 503 and fast.get_json()["error"] in ("database_unavailable", "database_timeout")

    proxy.heal()
    recovered = _wait_until_ok(lambda: client.get("/api/trading/orders", headers=headers))
    assert recovered.status_code == 200, recovered.get_json()
    assert _wait_until_ok(lambda: client.get("/api/health/ready")).status_code == 200
    assert app.extensions["db_breaker"].state == "closed"


def _freeze_at(app, proxy, statement_prefix: str | None):
    """Freeze the proxy just before the next statement starting with `statement_prefix` (None: COMMIT)."""
    armed = threading.Event()
    armed.set()
    with app.app_context():
        engine = db.engine

    if statement_prefix is None:
        @event.listens_for(engine, "commit")
        def _on_commit(_connection) -> None:  # noqa: ANN001
            if armed.is_set():
                armed.clear()
                proxy.freeze()
    else:
        @event.listens_for(engine, "before_cursor_execute")
        def _on_execute(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001, ANN002
            if armed.is_set() and statement.lstrip().upper().startswith(statement_prefix):
                armed.clear()
                proxy.freeze()


def _books(url: str, email_stem: str) -> dict:
    """Cash, filled orders, fills and the position of the one user whose email starts with the stem."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            uid = connection.scalar(sa.select(User.id).where(User.email.like(f"{email_stem}-%")))
            orders = connection.execute(sa.select(Order.status, Order.notional, Order.quantity)
                                        .where(Order.user_id == uid)).all()
            return {
                "cash": connection.scalar(sa.select(Balance.available).where(Balance.user_id == uid)),
                "filled": [row for row in orders if row.status == "filled"],
                "orders": len(orders),
                "fills": connection.scalar(sa.select(sa.func.count()).select_from(Fill).where(Fill.user_id == uid)),
                "shares": connection.scalar(sa.select(Position.quantity).where(Position.user_id == uid))
                or Decimal(0),
            }
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("freeze_before", ["COMMIT", "INSERT INTO ORDERS"], ids=["during-commit", "mid-transaction"])
def test_order_in_flight_when_the_database_freezes_is_all_or_nothing(frozen_setup, pg_url, freeze_before):
    app, client, proxy = frozen_setup
    stem = "inflight" + freeze_before.split()[0].lower()
    headers = register_and_login(client, stem)
    deposit(client, headers, "1000")

    # Mid-transaction: the balance row is locked and the order's INSERT is on its way when it freezes.
    _freeze_at(app, proxy, None if freeze_before == "COMMIT" else freeze_before)
    response, elapsed = _timed(lambda: order(client, headers, "buy", "2", "100", client_order_id="inflight-1"))
    assert response.status_code == 503, response.get_json()
    assert response.get_json()["error"] == "database_timeout"
    assert elapsed < CEILING

    proxy.heal()
    time.sleep(0.5)  # bytes held by the proxy are delivered: a COMMIT that was in flight may land now
    books = _books(pg_url, stem)
    assert books["orders"] in (0, 1) and books["fills"] == len(books["filled"]) == books["orders"]
    spent = sum((row.notional for row in books["filled"]), Decimal(0))
    assert books["cash"] == Decimal("1000") - spent
    assert books["shares"] == sum((row.quantity for row in books["filled"]), Decimal(0))

    # The retry with the same idempotency key is answered once the database is back: exactly one order.
    retried = _wait_until_ok(lambda: order(client, headers, "buy", "2", "100", client_order_id="inflight-1"))
    assert retried.status_code in (200, 201), retried.get_json()
    after = _books(pg_url, stem)
    assert after["orders"] == 1 and after["cash"] == Decimal("800")


@pytest.mark.postgres
def test_deposit_in_flight_when_the_database_freezes_is_all_or_nothing(frozen_setup, pg_url):
    app, client, proxy = frozen_setup
    headers = register_and_login(client, "depositfreeze")
    _freeze_at(app, proxy, None)
    response = client.post("/api/portfolio/deposits", json={"amount": "250", "currency": "USD"}, headers=headers)
    assert response.status_code == 503 and response.get_json()["error"] == "database_timeout"
    proxy.heal()
    time.sleep(0.5)
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as connection:
            from quantum.cash.models import Payment

            uid = connection.scalar(sa.select(User.id).where(User.email.like("depositfreeze-%")))
            payments = connection.scalars(sa.select(Payment.amount).where(Payment.user_id == uid)).all()
            cash = connection.scalar(sa.select(Balance.available).where(Balance.user_id == uid)) or Decimal(0)
    finally:
        engine.dispose()
    assert len(payments) in (0, 1)
    assert cash == sum(payments, Decimal(0))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_busy_timeout_is_the_query_bound(db_url, monkeypatch):
    """SQLite's only wait is another writer's lock: busy_timeout is DB_QUERY_TIMEOUT_MS."""
    monkeypatch.setenv("DB_QUERY_TIMEOUT_MS", "1234")
    app = make_app(db_url)
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
        db.engine.dispose()


def test_query_timeout_setting_is_validated():
    from quantum.config import ConfigError, load_settings

    assert load_settings({"QUANTUM_ENV": "testing"}).database.query_timeout_ms == 10000
    assert load_settings({"QUANTUM_ENV": "testing", "DB_QUERY_TIMEOUT_MS": "2500"}).database.query_timeout_ms == 2500
    for bad in ("soon", "10"):
        with pytest.raises(ConfigError, match="DB_QUERY_TIMEOUT_MS"):
            load_settings({"QUANTUM_ENV": "testing", "DB_QUERY_TIMEOUT_MS": bad})


def test_watchdog_shuts_down_a_call_past_its_deadline_and_spares_the_others():
    import socket

    from quantum.db.deadline import Watchdog

    watchdog = Watchdog()
    stuck_reader, stuck_writer = socket.socketpair()
    quick_reader, quick_writer = socket.socketpair()
    try:
        quick = watchdog.arm(quick_reader.fileno(), 0.2)
        quick_writer.sendall(b"x")
        assert quick_reader.recv(1) == b"x"
        assert watchdog.disarm(quick) is False  # answered in time: nothing shut down

        stuck_reader.settimeout(30)  # without the watchdog: a timeout error, not a hung test
        stuck = watchdog.arm(stuck_reader.fileno(), 0.2)
        assert stuck_reader.recv(1) == b""  # blocked until the watchdog shut the socket down
        assert watchdog.disarm(stuck) is True

        quick_writer.sendall(b"y")
        assert quick_reader.recv(1) == b"y"  # the socket that answered in time still works
    finally:
        for sock in (stuck_reader, stuck_writer, quick_reader, quick_writer):
            sock.close()
