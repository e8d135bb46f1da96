"""Auth tests: limits are relaxed unless a test is about them (tests/auth/test_rate_limits.py builds its own apps)."""

from __future__ import annotations

import pytest

RELAXED = "10000 per minute"


@pytest.fixture(autouse=True)
def _relaxed_rate_limits(request: pytest.FixtureRequest) -> None:
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        app.config.update(RATELIMIT_LOGIN=RELAXED, RATELIMIT_REGISTER=RELAXED)
