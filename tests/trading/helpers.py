"""Helpers for trading and portfolio tests: users through the real auth routes, sessions, invariants."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from quantum.auth.models import User
from quantum.cash.models import Balance, Payment, PaymentStatus
from quantum.errors import Conflict
from quantum.portfolio import service as portfolio
from quantum.schema_engine.connect import install_sqlite_pragmas
from quantum.trading import service
from quantum.trading.models import Position
from quantum.trading.service import OrderResult

PASSWORD = "correct-horse-42"


def register_and_login(client: FlaskClient, stem: str = "trader") -> dict[str, str]:
    """Register a fresh account and log in through the API; return the Authorization header."""
    email = f"{stem}-{uuid.uuid4().hex[:10]}@example.com"
    registered = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.get_json()
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.get_json()
    return {"Authorization": f"Bearer {login.get_json()['access_token']}"}


def user_id(client: FlaskClient, headers: dict[str, str]) -> int:
    """The id of the account behind `headers`."""
    return client.get("/api/auth/me", headers=headers).get_json()["id"]


def deposit(client: FlaskClient, headers: dict[str, str], amount: str) -> dict[str, Any]:
    """Deposit through the API and return the payment."""
    response = client.post("/api/portfolio/deposits", json={"amount": amount, "currency": "USD"}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def order(client: FlaskClient, headers: dict[str, str], side: str, quantity: str, price: str, symbol: str = "AAPL",
          **extra: Any):
    """Place an order through the API; return the response."""
    body = {"symbol": symbol, "side": side, "quantity": quantity, "price": price, **extra}
    return client.post("/api/trading/orders", json=body, headers=headers)


def make_engine(url: str) -> sa.Engine:
    """An engine configured like the app's (WAL and busy timeout on SQLite)."""
    connect_args = {"timeout": 15, "check_same_thread": False} if url.startswith("sqlite") else {}
    engine = sa.create_engine(url, connect_args=connect_args)
    install_sqlite_pragmas(engine)
    return engine


def session_for(engine: sa.Engine) -> Session:
    """A session like the app's (objects stay readable after commit)."""
    return Session(engine, expire_on_commit=False)


def new_user(session: Session, stem: str = "svc") -> User:
    """A user row made directly (service tests do not need a password)."""
    user = User(email=f"{stem}-{uuid.uuid4().hex[:10]}@example.com", password_hash="not-a-hash")
    session.add(user)
    session.commit()
    return user


def ledger(session: Session, uid: int) -> dict[str, Decimal]:
    """Cash, cost basis, realized P&L, quantity and completed deposits of a user, summed exactly in Python."""
    session.rollback()  # read the latest committed state
    cash = session.scalar(sa.select(Balance.available).where(Balance.user_id == uid)) or Decimal(0)
    positions = session.scalars(sa.select(Position).where(Position.user_id == uid)).all()
    deposits = session.scalars(
        sa.select(Payment.amount).where(Payment.user_id == uid, Payment.status == PaymentStatus.completed)
    ).all()
    return {
        "cash": cash,
        "cost_basis": sum((p.cost_basis for p in positions), Decimal(0)),
        "realized_pnl": sum((p.realized_pnl for p in positions), Decimal(0)),
        "quantity": sum((p.quantity for p in positions), Decimal(0)),
        "deposits": sum(deposits, Decimal(0)),
    }


def assert_conserved(session: Session, uid: int) -> dict[str, Decimal]:
    """Money is neither made nor lost: cash + cost basis - realized P&L == deposits, exactly; no overdraft."""
    figures = ledger(session, uid)
    assert figures["cash"] >= 0, figures
    assert figures["cash"] + figures["cost_basis"] - figures["realized_pnl"] == figures["deposits"], figures
    return figures


# -- calling the trading service directly (no HTTP) ---------------------------------------------


def place(session: Session, user: User, side: str, quantity: str, price: str, symbol: str = "AAPL",
          **extra: Any) -> OrderResult:
    """Place an order through the service (no HTTP)."""
    data = {"symbol": symbol, "side": side, "quantity": Decimal(quantity), "price": Decimal(price), **extra}
    return service.place_order(session=session, user=user, data=data)


def refused(session: Session, user: User, side: str, quantity: str, price: str, symbol: str = "AAPL",
            **extra: Any) -> Conflict:
    """Place an order that must be refused with a 409; return the Conflict."""
    with pytest.raises(Conflict) as caught:
        place(session, user, side, quantity, price, symbol, **extra)
    return caught.value


def fund(session: Session, user: User, amount: str) -> None:
    """Deposit `amount` USD for `user`."""
    portfolio.deposit(session=session, user=user, data={"amount": Decimal(amount), "currency": "USD"})


def utc(*parts: int) -> datetime:
    """A UTC datetime from year, month, day[, hour, minute, second]."""
    return datetime(*parts, tzinfo=UTC)


@contextmanager
def twin_committed_before(engine: sa.Engine, trigger: str, sql: str, params: dict[str, Any]) -> Iterator[list[str]]:
    """Just before the first statement containing `trigger`, run `sql` on the same connection and commit it.

    This is the window a unique constraint backstops: a twin row becomes committed after the service
    checked for it and before the service inserts its own. The statement is real SQL on the real
    database; the commit ends the service's transaction so far (only its lock reads), which is what
    a twin committing first looks like to the service afterwards. Yields the triggering statements.
    """
    fired: list[str] = []

    def before(conn: sa.Connection, cursor: Any, statement: str, *_: Any) -> None:
        if fired or trigger not in statement:
            return
        fired.append(statement)
        conn.execute(sa.text(sql), params)
        conn.connection.dbapi_connection.commit()

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield fired
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
