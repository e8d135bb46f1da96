"""The memo of verified tokens (quantum.auth.jwtverify) changes no answer: only the signature check is remembered.

Each test first uses a token so that it is remembered, then checks that whatever changed since (the clock,
the blocklist, the account, the key) still decides the next answer exactly as without the memo.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_jwt_extended import decode_token
from flask_jwt_extended.utils import get_unverified_jwt_headers

from quantum.auth.jwtverify import VerifiedTokens
from quantum.auth.models import User
from quantum.extensions import db
from tests.auth.helpers import access_token, assert_error, freeze_token_clock, refresh_token


def _me(client, token: str):
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def _remembered(app) -> VerifiedTokens:
    return app.extensions["quantum_verified_tokens"]


def test_decode_equals_flask_jwt_extended(app, user_factory, backend):
    user = user_factory()
    token = access_token(app, user)
    with app.app_context():
        expected = decode_token(token), get_unverified_jwt_headers(token)
        verified = _remembered(app)
        assert verified.decode(token) == expected  # first: the full decode
        assert verified.decode(token) == expected  # then: remembered
        first, _ = verified.decode(token)
        first["sub"] = "someone else"  # a caller changing its copy changes nothing for the next one
        assert verified.decode(token) == expected


def test_a_remembered_token_still_expires(app, client, user_factory, backend, monkeypatch):
    user = user_factory()
    token = access_token(app, user, expires_delta=timedelta(minutes=5))
    assert _me(client, token).status_code == 200
    assert _me(client, token).status_code == 200  # remembered now

    freeze_token_clock(monkeypatch, datetime.now(UTC) + timedelta(minutes=10))
    body = assert_error(_me(client, token), 401, "token_expired")
    assert body["details"]["expired_at"]


def test_revocation_applies_to_a_remembered_token(app, client, user_factory, backend):
    user = user_factory()
    token = access_token(app, user)
    assert _me(client, token).status_code == 200
    assert client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert_error(_me(client, token), 401, "token_revoked")


def test_account_changes_apply_to_a_remembered_token(app, client, user_factory, backend):
    user = user_factory()
    token = access_token(app, user)
    assert _me(client, token).get_json()["tier"] == "free"
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user.id).values(tier="pro"))
        db.session.commit()
    assert _me(client, token).get_json()["tier"] == "pro"
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user.id).values(account_status="suspended"))
        db.session.commit()
    assert_error(_me(client, token), 403, "account_suspended")
    with app.app_context():
        db.session.execute(sa.delete(User).where(User.id == user.id))
        db.session.commit()
    assert_error(_me(client, token), 401, "user_not_found")


def test_a_new_key_refuses_a_remembered_token(app, client, user_factory, backend):
    user = user_factory()
    token = access_token(app, user)
    assert _me(client, token).status_code == 200
    app.config["JWT_SECRET_KEY"] = "another-secret-key-that-is-long-enough-0123456789"
    assert_error(_me(client, token), 401, "invalid_token")


def test_a_tampered_token_is_refused(app, client, user_factory, backend):
    user = user_factory()
    token = access_token(app, user)
    assert _me(client, token).status_code == 200
    head, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert_error(_me(client, f"{head}.{payload}.{flipped}"), 401, "invalid_token")


def test_token_types_still_checked_when_remembered(app, client, user_factory, backend):
    user = user_factory()
    refresh = refresh_token(app, user)
    for _ in range(2):
        assert_error(_me(client, refresh), 401, "wrong_token_type")
    access = access_token(app, user)
    assert _me(client, access).status_code == 200
    for _ in range(2):
        response = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {access}"})
        assert_error(response, 401, "wrong_token_type")


def test_the_memo_is_bounded(app, user_factory, backend):
    user = user_factory()
    verified = VerifiedTokens(max_tokens=2)
    tokens = [access_token(app, user, expires_delta=timedelta(minutes=m)) for m in (1, 2, 3)]
    with app.app_context():
        for token in tokens:
            verified.decode(token)
        assert list(verified._tokens) == tokens[1:]
