"""Token lifetimes given as plain seconds, revocation on a host outside UTC, and the wording of a refusal.

Behaviours the earlier auth tests left open (mutation testing, issue 21, docs/testing.md).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import jwt as pyjwt
import pytest
import sqlalchemy as sa

from quantum.auth.decorators import auth_required
from quantum.auth.models import TokenBlocklist
from quantum.auth.tokens import user_id_from_subject
from quantum.extensions import db
from tests.auth.helpers import access_token, assert_error, register_and_login
from tests.conftest import TEST_SECRET, make_app


def test_lifetimes_set_as_seconds_are_reported_as_seconds(db_url):
    """JWT_ACCESS_TOKEN_EXPIRES=600 and JWT_REFRESH_TOKEN_EXPIRES=86400 (ints) answer expires_in 600 and 86400."""
    app = make_app(db_url, JWT_ACCESS_TOKEN_EXPIRES=600, JWT_REFRESH_TOKEN_EXPIRES=86400, RATELIMIT_ENABLED=False)
    tokens = register_and_login(app.test_client())["tokens"]
    assert (tokens["expires_in"], tokens["refresh_expires_in"]) == (600, 86400)
    claims = pyjwt.decode(tokens["access_token"], TEST_SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 600


@pytest.fixture
def host_time_zone():
    """The process's local time zone set to UTC+5:30 for the test, then put back."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Kolkata"
    time.tzset()
    yield
    if previous is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = previous
    time.tzset()


def test_a_revoked_token_is_remembered_until_its_exp_in_utc_on_a_host_outside_utc(app, client, user_factory,
                                                                                   host_time_zone):
    """On a host at UTC+5:30 the blocklist row still expires at the token's exp, not 5.5 hours off."""
    token = access_token(app, user_factory())
    exp = pyjwt.decode(token, TEST_SECRET, algorithms=["HS256"])["exp"]
    assert client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with app.app_context():
        expires_at = db.session.scalar(sa.select(TokenBlocklist.expires_at))
    assert expires_at == datetime.fromtimestamp(exp, UTC)


def test_a_token_without_type_is_refused_with_the_claim_named(app, client, user_factory):
    """The 401's reason says which claim is missing."""
    claims = pyjwt.decode(access_token(app, user_factory()), TEST_SECRET, algorithms=["HS256"])
    claims.pop("type")
    token = pyjwt.encode(claims, TEST_SECRET, "HS256")
    body = assert_error(client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}), 401, "invalid_token")
    assert body["details"]["reason"] == "Missing or malformed claim: type"


def test_auth_required_without_parentheses_is_refused_when_the_view_is_defined():
    """`@auth_required` written bare would protect nothing: it raises TypeError saying how to write it."""
    with pytest.raises(TypeError, match=r"use @auth_required\(\) with parentheses \(and scopes, if any\)"):

        @auth_required
        def view() -> str:
            return "open"


def test_user_zero_is_no_user():
    """Ids start at 1: a `sub` of "0" names nobody (so revoking such a token stores no user id)."""
    assert user_id_from_subject("0") is None
    assert user_id_from_subject("1") == 1
