"""Helpers for tests that need users, tokens and API keys (importable by any test package).

Two ways to get credentials:

* through HTTP, like a client: `register_and_login(client)` (counts against the rate limits);
* straight through the services, no HTTP and no rate limit: `create_user(app, tier="pro")`,
  `access_token(app, user)`, `bearer(app, user)`, `api_key(app, user, scopes=[...])`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt as pyjwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_jwt_extended import create_access_token, create_refresh_token

from quantum.auth import apikeys, jwtverify, service
from quantum.auth.models import User
from quantum.auth.scopes import scopes_for_user
from quantum.auth.tokens import token_claims
from quantum.extensions import db

PASSWORD = "correct-horse-42"


def unique_email(stem: str = "user") -> str:
    """A fresh, valid email address."""
    return f"{stem}-{uuid.uuid4().hex[:10]}@example.com"


def create_user(
    app: Flask,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    username: str | None = None,
    tier: str = "free",
    role: str = "user",
    status: str = "active",
) -> User:
    """A user made through the account service (hashing, audit and all); detached, attributes loaded."""
    with app.app_context():
        user = service.create_user(
            session=db.session,
            data={"email": email or unique_email(), "password": password, "username": username, "tier": tier,
                  "role": role},
        )
        if status != "active":
            service.update_user(session=db.session, user=user, changes={"account_status": status})
        db.session.expunge(user)
        return user


def access_token(app: Flask, user: User, *, expires_delta: timedelta | None = None) -> str:
    """An access token for `user`, as login would issue it (optionally with another lifetime)."""
    with app.app_context():
        kwargs: dict[str, Any] = {"additional_claims": token_claims(user)}
        if expires_delta is not None:
            kwargs["expires_delta"] = expires_delta
        return create_access_token(identity=str(user.id), **kwargs)


def refresh_token(app: Flask, user: User, *, expires_delta: timedelta | None = None) -> str:
    """A refresh token for `user`."""
    with app.app_context():
        kwargs: dict[str, Any] = {} if expires_delta is None else {"expires_delta": expires_delta}
        return create_refresh_token(identity=str(user.id), **kwargs)


def bearer(app: Flask, user: User) -> dict[str, str]:
    """Authorization headers with a fresh access token for `user`."""
    return {"Authorization": f"Bearer {access_token(app, user)}"}


def api_key(app: Flask, user: User, *, scopes: list[str] | None = None, name: str = "test key") -> str:
    """A new API key in clear for `user` (all of the user's scopes when `scopes` is None)."""
    with app.app_context():
        fresh = db.session.get(User, user.id)
        _key, raw = apikeys.create_api_key(
            session=db.session, user=fresh, name=name, scopes=scopes, granted=scopes_for_user(fresh), max_keys=1000
        )
        return raw


def register_and_login(
    client: FlaskClient, *, email: str | None = None, password: str = PASSWORD, username: str | None = None
) -> dict[str, Any]:
    """Register and log in over HTTP; return {"user", "tokens", "headers", "email", "password"}."""
    email = email or unique_email()
    body: dict[str, Any] = {"email": email, "password": password}
    if username is not None:
        body["username"] = username
    registered = client.post("/api/auth/register", json=body)
    assert registered.status_code == 201, registered.get_json()
    logged_in = client.post("/api/auth/login", json={"email": email, "password": password})
    assert logged_in.status_code == 200, logged_in.get_json()
    tokens = logged_in.get_json()
    return {
        "user": registered.get_json(),
        "tokens": tokens,
        "headers": {"Authorization": f"Bearer {tokens['access_token']}"},
        "email": email,
        "password": password,
    }


def assert_error(response: Any, status: int, error: str) -> dict[str, Any]:
    """Assert the one error format with this status and `error`; return the body."""
    body = response.get_json()
    assert response.status_code == status, (response.status_code, body)
    assert body is not None and body["error"] == error, body
    assert set(body) >= {"error", "message", "details", "error_code"}, body
    assert isinstance(body["message"], str) and body["message"]
    return body


def freeze_token_clock(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    """Move both clocks a bearer token is checked against to `when`: the verified-token memo's and PyJWT's."""

    class Frozen(datetime):
        """datetime whose now() is `when`."""

        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206
            return when if tz is not None else when.replace(tzinfo=None)

    monkeypatch.setattr(jwtverify, "_clock", when.timestamp)
    monkeypatch.setattr(pyjwt.api_jwt, "datetime", Frozen)
