"""Fixtures of the AI tests: users of each tier, admins, bars and snapshots written straight to the database."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from quantum.ai.models import Policy
from quantum.auth import service as auth_service
from quantum.auth.tokens import issue_tokens
from quantum.extensions import db
from quantum.portfolio.models import PortfolioSnapshot

PASSWORD = "correct-horse-battery-9"
DAY0 = datetime(2024, 1, 1, tzinfo=UTC)
_numbers = itertools.count(1)


@dataclass
class Account:
    """A user of the app under test and the headers that authenticate as them."""

    id: int
    email: str
    headers: dict[str, str]


@pytest.fixture
def make_account(app):
    """make_account(tier="free", role="user", status="active") -> Account with a bearer token."""

    def make(tier: str = "free", role: str = "user", status: str = "active") -> Account:
        email = f"user{next(_numbers)}@example.com"
        with app.app_context():
            user = auth_service.create_user(
                session=db.session, data={"email": email, "password": PASSWORD, "tier": tier, "role": role}
            )
            token = issue_tokens(user=user)["access_token"]
            if status != "active":
                auth_service.set_account_status(session=db.session, user=user, status=status)
            return Account(user.id, email, {"Authorization": f"Bearer {token}"})

    return make


@pytest.fixture
def admin(make_account) -> Account:
    """An administrator (enterprise tier)."""
    return make_account(tier="enterprise", role="admin")


def daily_bars(symbol: str, closes: list[float], start: datetime = DAY0) -> list[dict]:
    """One bar per day with the given closes; open = close, high/low 1% around it."""
    return [
        {
            "symbol": symbol,
            "ts": (start + timedelta(days=i)).isoformat(),
            "open": str(close),
            "high": str(Decimal(str(close)) * Decimal("1.01")),
            "low": str(Decimal(str(close)) * Decimal("0.99")),
            "close": str(close),
            "volume": "1000",
        }
        for i, close in enumerate(closes)
    ]


@pytest.fixture
def post_bars(client, admin):
    """post_bars(symbol, closes) stores daily bars through the admin route."""

    def post(symbol: str, closes: list[float], start: datetime = DAY0) -> None:
        response = client.post("/api/ai/price-bars", json={"bars": daily_bars(symbol, closes, start)},
                               headers=admin.headers)
        assert response.status_code == 201, response.get_json()

    return post


@pytest.fixture
def add_snapshots(app):
    """add_snapshots(user_id, values) stores one portfolio snapshot per day, oldest first."""

    def add(user_id: int, values: list[str], start: datetime = DAY0) -> None:
        with app.app_context():
            for i, value in enumerate(values):
                db.session.add(PortfolioSnapshot(
                    user_id=user_id, snapshot_data={"holdings": [], "cash": value}, total_value=Decimal(value),
                    created_at=start + timedelta(days=i),
                ))
            db.session.commit()

    return add


@pytest.fixture
def set_user_policy(app):
    """set_user_policy(user_id, **fields) gives one user their own policy (overrides their tier's)."""

    def set_policy(user_id: int, **fields) -> None:
        with app.app_context():
            db.session.add(Policy(user_id=user_id, **fields))
            db.session.commit()

    return set_policy
