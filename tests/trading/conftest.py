"""Fixtures for trading and portfolio tests: the app without login rate limits, a service-level session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from quantum.trading import service
from tests.conftest import make_app
from tests.trading.helpers import make_engine, session_for


@pytest.fixture
def app(db_url: str):
    """The app on a migrated database, with the register/login rate limits off (tests make many users)."""
    from quantum.extensions import db

    application = make_app(db_url, RATELIMIT_ENABLED=False)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def engine(db_url: str):
    """An engine on the test database for service-level tests."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    """A session for calling services directly (no HTTP)."""
    with session_for(engine) as session:
        yield session


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Set the time the trading service reads as "now" (its module-level `utcnow`)."""

    def set_now(now: datetime) -> None:
        monkeypatch.setattr(service, "utcnow", lambda: now)

    return set_now
