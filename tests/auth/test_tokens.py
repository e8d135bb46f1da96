"""JWTs: access and refresh, revocation, expiry, and every way a token can be bad."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt as pyjwt
import pytest
import sqlalchemy as sa

from quantum.auth.models import TokenBlocklist, User
from quantum.extensions import db
from tests.auth.helpers import PASSWORD, access_token, assert_error, refresh_token, register_and_login
from tests.conftest import TEST_SECRET, make_app


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _me(client, token: str):
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_me_answers_for_the_token_owner_only(client, backend):
    alice = register_and_login(client)
    bob = register_and_login(client)
    assert client.get("/api/auth/me", headers=alice["headers"]).get_json()["email"] == alice["email"]
    assert client.get("/api/auth/me", headers=bob["headers"]).get_json()["email"] == bob["email"]


def test_access_token_claims(app, client, backend):
    tokens = register_and_login(client)["tokens"]
    claims = pyjwt.decode(tokens["access_token"], TEST_SECRET, algorithms=["HS256"])
    assert isinstance(claims["sub"], str) and claims["sub"].isdigit()
    assert claims["type"] == "access"
    assert claims["tier"] == "free" and claims["role"] == "user"
    assert "trading:write" in claims["scopes"] and "ai:run" not in claims["scopes"]
    assert claims["exp"] - claims["iat"] == 900
    refresh = pyjwt.decode(tokens["refresh_token"], TEST_SECRET, algorithms=["HS256"])
    assert refresh["type"] == "refresh" and refresh["exp"] - refresh["iat"] == 30 * 24 * 3600


def test_token_lifetimes_come_from_config(db_url, backend):
    app = make_app(db_url, JWT_ACCESS_TOKEN_EXPIRES="60", JWT_REFRESH_TOKEN_EXPIRES="3600")
    session = register_and_login(app.test_client())
    assert session["tokens"]["expires_in"] == 60
    assert session["tokens"]["refresh_expires_in"] == 3600
    with app.app_context():
        db.engine.dispose()


def test_missing_credentials(client, backend):
    body = assert_error(client.get("/api/auth/me"), 401, "missing_credentials")
    assert body["error_code"] == "AUTH_001"
    assert_error(client.get("/api/auth/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401,
                 "missing_credentials")
    assert_error(client.get("/api/auth/me", headers={"Authorization": ""}), 401, "missing_credentials")


def test_expired_token_has_its_own_error(app, client, user_factory, backend):
    user = user_factory()
    expired = access_token(app, user, expires_delta=timedelta(seconds=-5))
    body = assert_error(_me(client, expired), 401, "token_expired")
    assert body["details"]["token_type"] == "access"
    assert body["details"]["expired_at"]
    expired_refresh = refresh_token(app, user, expires_delta=timedelta(seconds=-5))
    response = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {expired_refresh}"})
    assert_error(response, 401, "token_expired")


MANGLERS = {
    "garbage": lambda t: "garbage",
    "truncated": lambda t: t[: len(t) // 2],
    "short-signature": lambda t: t[:-3],
    "no-signature": lambda t: t.rsplit(".", 1)[0],
    "extra-char": lambda t: t + "x",
    "three-junk-segments": lambda t: "a.b.c",
    "doubled-scheme": lambda t: "Bearer " + t,
    "non-ascii": lambda t: "\u00e9" * 50,
    "very-long": lambda t: "x" * 20000,
    "sql": lambda t: "' OR 1=1 --",
}


def test_bad_tokens_are_401(app, client, user_factory, backend):
    good = access_token(app, user_factory())
    for name, mangle in MANGLERS.items():
        response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {mangle(good)}"})
        assert response.status_code == 401, (name, response.get_json())
        assert response.get_json()["error"] in {"invalid_token", "missing_credentials"}, name


def test_alg_none_token_is_401(app, client, user_factory, backend):
    user = user_factory()
    claims = pyjwt.decode(access_token(app, user), TEST_SECRET, algorithms=["HS256"])
    forged = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert_error(_me(client, forged), 401, "invalid_token")
    forged_upper = f"{_b64({'alg': 'None', 'typ': 'JWT'})}.{_b64(claims)}."
    assert_error(_me(client, forged_upper), 401, "invalid_token")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS512 with our HS256 test key
def test_forged_and_tampered_tokens_are_401(app, client, user_factory, backend):
    victim = user_factory()
    attacker = user_factory()
    claims = pyjwt.decode(access_token(app, attacker), TEST_SECRET, algorithms=["HS256"])
    wrong_key = pyjwt.encode({**claims, "sub": str(victim.id)}, "another-secret-that-is-long-enough-0123", "HS256")
    assert_error(_me(client, wrong_key), 401, "invalid_token")
    header, payload, signature = access_token(app, attacker).split(".")
    tampered = f"{header}.{_b64({**claims, 'sub': str(victim.id), 'role': 'admin'})}.{signature}"
    assert_error(_me(client, tampered), 401, "invalid_token")
    hs512 = pyjwt.encode(claims, TEST_SECRET, "HS512")
    assert_error(_me(client, hs512), 401, "invalid_token")


def test_signed_token_with_non_string_subject_is_401(app, client, user_factory, backend):
    claims = pyjwt.decode(access_token(app, user_factory()), TEST_SECRET, algorithms=["HS256"])
    token = pyjwt.encode({**claims, "sub": 1}, TEST_SECRET, "HS256")
    assert _me(client, token).status_code == 401


def test_token_for_nobody_is_401_user_not_found(app, client, user_factory, backend):
    claims = pyjwt.decode(access_token(app, user_factory()), TEST_SECRET, algorithms=["HS256"])
    for sub in ("999999", "99999999999999999999999", "0", "-1", "abc"):
        token = pyjwt.encode({**claims, "sub": sub}, TEST_SECRET, "HS256")
        assert_error(_me(client, token), 401, "user_not_found")


def test_token_of_a_deleted_user_is_401(app, client, backend):
    session = register_and_login(client)
    key = client.post("/api/auth/api-keys", headers=session["headers"], json={"name": "bot"}).get_json()["key"]
    with app.app_context():
        db.session.delete(db.session.get(User, session["user"]["id"]))
        db.session.commit()
    body = assert_error(client.get("/api/auth/me", headers=session["headers"]), 401, "user_not_found")
    assert body["error_code"] == "AUTH_006"
    assert_error(client.get("/api/auth/me", headers={"X-API-Key": key}), 401, "invalid_api_key")
    refresh = session["tokens"]["refresh_token"]
    assert_error(client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {refresh}"}), 401,
                 "user_not_found")


def test_refresh_token_is_not_an_access_token_and_vice_versa(client, backend):
    tokens = register_and_login(client)["tokens"]
    assert_error(_me(client, tokens["refresh_token"]), 401, "wrong_token_type")
    response = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert_error(response, 401, "wrong_token_type")


def test_refresh_rotates_the_refresh_token(client, backend):
    session = register_and_login(client)
    old = session["tokens"]["refresh_token"]
    response = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {old}"})
    assert response.status_code == 200, response.get_json()
    fresh = response.get_json()
    assert fresh["token_type"] == "Bearer" and fresh["access_token"] != session["tokens"]["access_token"]
    assert _me(client, fresh["access_token"]).status_code == 200
    # The used refresh token is revoked at once; the new one works.
    again = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {fresh['refresh_token']}"})
    assert again.status_code == 200
    # Presenting a rotated token again revokes its whole family (tests/auth/test_refresh_rotation.py).
    assert_error(client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {old}"}), 401, "token_revoked")
    latest = again.get_json()["refresh_token"]
    assert_error(client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {latest}"}), 401, "token_revoked")


def test_refresh_refuses_a_suspended_account(app, client, runner, backend):
    session = register_and_login(client)
    assert runner.invoke(args=["users", "set-status", session["email"], "suspended"]).exit_code == 0
    refresh = session["tokens"]["refresh_token"]
    assert_error(client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {refresh}"}), 403,
                 "account_suspended")


def test_logout_revokes_the_token_at_once(app, client, backend):
    session = register_and_login(client)
    response = client.post("/api/auth/logout", headers=session["headers"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["revoked"] == ["access"]
    body = assert_error(client.get("/api/auth/me", headers=session["headers"]), 401, "token_revoked")
    assert body["error_code"] == "AUTH_004"
    assert_error(client.post("/api/auth/logout", headers=session["headers"]), 401, "token_revoked")
    # Other sessions of the same user keep working.
    other = client.post("/api/auth/login", json={"email": session["email"], "password": PASSWORD}).get_json()
    assert _me(client, other["access_token"]).status_code == 200
    with app.app_context():
        rows = db.session.execute(sa.select(TokenBlocklist)).scalars().all()
    assert [(row.token_type, row.user_id) for row in rows] == [("access", session["user"]["id"])]


def test_logout_can_revoke_the_refresh_token_too(client, backend):
    session = register_and_login(client)
    refresh = session["tokens"]["refresh_token"]
    response = client.post("/api/auth/logout", headers=session["headers"], json={"refresh_token": refresh})
    assert response.status_code == 200
    assert response.get_json()["revoked"] == ["access", "refresh"]
    assert_error(client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {refresh}"}), 401,
                 "token_revoked")


def test_logout_refuses_someone_elses_refresh_token(client, backend):
    alice = register_and_login(client)
    bob = register_and_login(client)
    response = client.post("/api/auth/logout", headers=alice["headers"],
                           json={"refresh_token": bob["tokens"]["refresh_token"]})
    body = assert_error(response, 422, "validation_error")
    assert "refresh_token" in body["details"]
    # Nothing was revoked: the request failed as a whole.
    assert _me(client, alice["tokens"]["access_token"]).status_code == 200
    bob_refresh = {"Authorization": f"Bearer {bob['tokens']['refresh_token']}"}
    assert client.post("/api/auth/refresh", headers=bob_refresh).status_code == 200


def test_logout_with_a_junk_refresh_token_is_422(client, backend):
    session = register_and_login(client)
    for junk in ("garbage", "a.b.c", "x" * 5000, 42, ["x"], "e30.e30.\u00e9"):
        response = client.post("/api/auth/logout", headers=session["headers"], json={"refresh_token": junk})
        assert_error(response, 422, "validation_error")
    # The failed calls revoked nothing.
    assert client.get("/api/auth/me", headers=session["headers"]).status_code == 200


def test_logout_purges_expired_blocklist_entries(app, client, backend):
    with app.app_context():
        db.session.add(TokenBlocklist(jti="long-gone", token_type="access",
                                      expires_at=datetime.now(UTC) - timedelta(hours=1)))
        db.session.add(TokenBlocklist(jti="still-live", token_type="refresh",
                                      expires_at=datetime.now(UTC) + timedelta(hours=1)))
        db.session.commit()
    session = register_and_login(client)
    assert client.post("/api/auth/logout", headers=session["headers"]).status_code == 200
    with app.app_context():
        jtis = set(db.session.execute(sa.select(TokenBlocklist.jti)).scalars())
    assert "long-gone" not in jtis and "still-live" in jtis and len(jtis) == 2


def test_blocklist_is_indexed(app, backend):
    with app.app_context():
        indexes = {ix["name"]: ix for ix in sa.inspect(db.engine).get_indexes("token_blocklist")}
    assert indexes["ix_token_blocklist_jti"]["unique"]
    assert indexes["ix_token_blocklist_jti"]["column_names"] == ["jti"]
    assert indexes["ix_token_blocklist_expires_at"]["column_names"] == ["expires_at"]


def test_logout_with_an_api_key_is_refused(app, client, api_key_headers, backend):
    response = client.post("/api/auth/logout", headers=api_key_headers())
    assert_error(response, 400, "token_required")
