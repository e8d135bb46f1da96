"""Register and login: normalized emails, duplicates, the password policy, one answer for bad credentials."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from quantum.auth import passwords
from quantum.auth.models import AuditLog, User
from quantum.extensions import db
from tests.auth.helpers import PASSWORD, assert_error, register_and_login, unique_email

USER_FIELDS = {"id", "email", "username", "tier", "account_status", "role", "created_at"}


def _audit(app, action: str) -> list[AuditLog]:
    with app.app_context():
        return list(db.session.execute(sa.select(AuditLog).where(AuditLog.action == action)).scalars())


def test_register_returns_the_user_without_secrets(client, backend):
    response = client.post("/api/auth/register", json={"email": "  Ada.Lovelace@Example.COM ", "password": PASSWORD,
                                                       "username": "Ada"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == USER_FIELDS
    assert body["email"] == "ada.lovelace@example.com"
    assert body["username"] == "Ada"
    assert (body["tier"], body["account_status"], body["role"]) == ("free", "active", "user")
    assert body["created_at"].endswith("+00:00")
    assert "password" not in response.get_data(as_text=True)


def test_password_is_stored_as_argon2id(app, client, backend):
    email = unique_email()
    client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    with app.app_context():
        stored = db.session.execute(sa.select(User.password_hash).where(User.email == email)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_duplicate_email_is_409_whatever_the_case(client, backend):
    email = unique_email()
    assert client.post("/api/auth/register", json={"email": email, "password": PASSWORD}).status_code == 201
    body = assert_error(client.post("/api/auth/register", json={"email": " " + email.upper(), "password": PASSWORD}),
                        409, "email_taken")
    assert "email" in body["details"]


def test_duplicate_username_is_409_whatever_the_case(client, backend):
    client.post("/api/auth/register", json={"email": unique_email(), "password": PASSWORD, "username": "trader_1"})
    body = assert_error(
        client.post("/api/auth/register", json={"email": unique_email(), "password": PASSWORD, "username": "Trader_1"}),
        409, "username_taken",
    )
    assert "username" in body["details"]


def test_password_policy_names_every_broken_rule(client, backend):
    body = assert_error(client.post("/api/auth/register", json={"email": unique_email(), "password": "abc"}),
                        422, "validation_error")
    problems = body["details"]["password"]
    assert any("at least 8 characters" in p for p in problems)
    assert any("digit or symbol" in p for p in problems)
    assert "password" in body["message"]
    for weak in ("password1", "aaaaaaaaaaaa", "12345678901", "x" * 129 + "1"):
        response = client.post("/api/auth/register", json={"email": unique_email(), "password": weak})
        assert_error(response, 422, "validation_error")
        assert "password" in response.get_json()["details"]


def test_password_equal_to_email_is_refused(client, backend):
    email = "mallory99@example.com"
    response = client.post("/api/auth/register", json={"email": email, "password": "Mallory99"})
    assert_error(response, 422, "validation_error")
    assert any("email" in p for p in response.get_json()["details"]["password"])


def test_register_422_names_each_bad_field(client, backend):
    body = assert_error(
        client.post("/api/auth/register", json={"email": "not-an-email", "password": 12, "username": "a", "extra": 1}),
        422, "validation_error",
    )
    assert set(body["details"]) == {"email", "password", "username", "extra"}
    body = assert_error(client.post("/api/auth/register", json={}), 422, "validation_error")
    assert set(body["details"]) == {"email", "password"}


def test_login_returns_a_token_pair(client, backend):
    session = register_and_login(client)
    tokens = session["tokens"]
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    assert tokens["refresh_expires_in"] == 30 * 24 * 3600
    assert tokens["scopes"] == ["portfolio:read", "portfolio:write", "trading:read", "trading:write", "ai:read"]
    me = client.get("/api/auth/me", headers=session["headers"])
    assert me.status_code == 200
    assert me.get_json()["email"] == session["email"]


def test_login_email_is_normalized(client, backend):
    session = register_and_login(client)
    response = client.post("/api/auth/login", json={"email": "  " + session["email"].upper(), "password": PASSWORD})
    assert response.status_code == 200


def test_unknown_email_and_wrong_password_get_the_same_answer(app, client, backend):
    session = register_and_login(client)
    wrong_password = client.post("/api/auth/login", json={"email": session["email"], "password": "not-it-1234"})
    unknown_email = client.post("/api/auth/login", json={"email": unique_email(), "password": "not-it-1234"})
    assert_error(wrong_password, 401, "invalid_credentials")
    assert wrong_password.get_json() == unknown_email.get_json()
    assert wrong_password.status_code == unknown_email.status_code
    reasons = sorted(entry.details["reason"] for entry in _audit(app, "auth.login_failed"))
    assert reasons == ["unknown_email", "wrong_password"]
    assert len(_audit(app, "auth.login")) == 1


def test_unknown_email_costs_a_password_verification():
    # No timing here (tests run on busy machines): prove the unknown-email path runs a full
    # argon2 verification with the very parameters a real hash uses, so both cost the same.
    from argon2 import extract_parameters
    from argon2.exceptions import VerifyMismatchError
    from argon2.low_level import Type

    real_hash = passwords.hash_password("some-password-1")
    dummy = passwords._dummy_hash(False)
    assert extract_parameters(dummy) == extract_parameters(real_hash)
    assert extract_parameters(dummy).type is Type.ID
    # The dummy is a real hash: verifying against it runs the whole argon2 computation and mismatches.
    with pytest.raises(VerifyMismatchError):
        passwords._hasher(False).verify(dummy, b"wrong-password-1")
    assert passwords.verify_password(None, "wrong-password-1") is False


def test_login_audits_the_address(app, client, backend):
    session = register_and_login(client)
    [entry] = _audit(app, "auth.login")
    assert entry.user_id == session["user"]["id"]
    assert entry.ip_address == "127.0.0.1"
    assert entry.created_at is not None


def test_suspended_account_cannot_log_in(client, user_factory, backend):
    user = user_factory(status="suspended")
    response = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert_error(response, 403, "account_suspended")
    # A wrong password on a suspended account says nothing about the suspension.
    response = client.post("/api/auth/login", json={"email": user.email, "password": "wrong-password-1"})
    assert_error(response, 401, "invalid_credentials")
