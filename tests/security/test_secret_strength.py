"""Production refuses obviously weak signing keys, in one line with exit code 2."""

from __future__ import annotations

import secrets

import pytest

from quantum.config import ConfigError, load_settings, secret_weakness
from tests.conftest import run_flask

PRODUCTION = {"QUANTUM_ENV": "production", "DATABASE_URL": "postgresql://h/db"}
WEAK = ["x" * 48, " " * 32, "ab" * 24, "abc" * 16, "0123456789" * 4, "correct horse battery staple 12345",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "\t" + secrets.token_urlsafe(32)]


@pytest.mark.parametrize("secret", WEAK)
def test_weak_production_secrets_are_refused(secret):
    assert secret_weakness(secret)
    with pytest.raises(ConfigError, match="JWT_SECRET_KEY is weak"):
        load_settings({**PRODUCTION, "JWT_SECRET_KEY": secret})


def test_random_secrets_pass():
    for _ in range(200):
        for secret in (secrets.token_urlsafe(32), secrets.token_hex(32), secrets.token_urlsafe(48)):
            assert secret_weakness(secret) is None, secret
            load_settings({**PRODUCTION, "JWT_SECRET_KEY": secret})


def test_db_ensure_stops_on_a_weak_secret_in_one_line():
    process = run_flask(["db-ensure"], None, env={**PRODUCTION, "JWT_SECRET_KEY": "x" * 48})
    assert process.returncode == 2
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and "JWT_SECRET_KEY is weak" in lines[0], process.stderr
