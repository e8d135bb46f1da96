"""The trading tests' fixtures, shared (the app without login rate limits, a service-level session)."""

from tests.trading.conftest import app, clock, engine, session  # noqa: F401
