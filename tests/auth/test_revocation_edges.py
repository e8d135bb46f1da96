"""Revocation at its edges: every path to the blocklist, repeats, expiry, odd subjects and the purge boundary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt as pyjwt
import pytest
import sqlalchemy as sa
from flask import Flask
from flask_jwt_extended import decode_token

from quantum.auth import tokens
from quantum.auth.models import TokenBlocklist, User
from quantum.auth.tokens import (
    claim_refresh_token,
    family_key,
    is_token_revoked,
    issue_tokens,
    load_user_and_revoked,
    purge_expired_tokens,
    revoke_family,
    revoke_token,
    user_id_from_subject,
)
from quantum.extensions import db
from tests.auth.helpers import access_token, assert_error, refresh_token, register_and_login
from tests.conftest import TEST_SECRET

CENTURY = timedelta(days=36500)
NOW = datetime(2030, 6, 30, 12, 0, 0, tzinfo=UTC)


def _me(client: Any, token: str) -> Any:
    """GET /api/auth/me with a bearer token."""
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def _rows(app: Flask) -> list[TokenBlocklist]:
    """Every blocklist row, oldest first."""
    with app.app_context():
        rows = db.session.execute(sa.select(TokenBlocklist).order_by(TokenBlocklist.id)).scalars().all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def _signed(app: Flask, user: User, **changes: Any) -> str:
    """An access token of `user` re-signed with the app's key after `changes` to its claims (None removes one)."""
    claims = pyjwt.decode(access_token(app, user), TEST_SECRET, algorithms=["HS256"])
    claims.update(changes)
    return pyjwt.encode({k: v for k, v in claims.items() if v is not None}, TEST_SECRET, "HS256")


def decode_jti(app: Flask, token: str) -> str:
    """The jti of a token."""
    with app.app_context():
        return decode_token(token)["jti"]


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The blocklist code's clock stands still at NOW."""
    monkeypatch.setattr(tokens, "utcnow", lambda: NOW)
    return NOW


# --- revoking twice ---------------------------------------------------------------------------------------


def test_a_token_revoked_twice_stays_revoked_with_one_blocklist_row(app, user_factory, backend):
    user = user_factory()
    with app.app_context():
        payload = decode_token(access_token(app, user))
        assert is_token_revoked(session=db.session, jti=payload["jti"]) is False
        assert revoke_token(session=db.session, payload=payload) is True
        db.session.commit()
        assert revoke_token(session=db.session, payload=payload) is False  # harmless: nothing added
        db.session.commit()
        assert is_token_revoked(session=db.session, jti=payload["jti"]) is True
    assert [(row.jti, row.token_type, row.user_id) for row in _rows(app)] == [(payload["jti"], "access", user.id)]


def test_logging_out_again_with_an_already_revoked_refresh_token_revokes_only_the_access_token(app, client, backend):
    session = register_and_login(client)
    refresh = session["tokens"]["refresh_token"]
    first = client.post("/api/auth/logout", headers=session["headers"], json={"refresh_token": refresh})
    assert first.status_code == 200 and first.get_json()["revoked"] == ["access", "refresh"]
    again = client.post("/api/auth/login", json={"email": session["email"], "password": session["password"]})
    headers = {"Authorization": f"Bearer {again.get_json()['access_token']}"}
    second = client.post("/api/auth/logout", headers=headers, json={"refresh_token": refresh})
    assert second.status_code == 200, second.get_json()
    assert second.get_json()["revoked"] == ["access"]
    assert sorted(row.token_type for row in _rows(app)) == ["access", "access", "refresh"]
    assert_error(client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {refresh}"}), 401,
                 "token_revoked")


def test_a_refresh_token_claimed_twice_rotates_only_once(app, user_factory, backend):
    user = user_factory()
    with app.app_context():
        payload = decode_token(refresh_token(app, user))
        assert claim_refresh_token(session=db.session, payload=payload) is True
        assert claim_refresh_token(session=db.session, payload=payload) is False
        assert is_token_revoked(session=db.session, jti=payload["jti"]) is True
    [row] = _rows(app)
    assert (row.token_type, row.user_id) == ("refresh", user.id)
    assert row.expires_at == datetime.fromtimestamp(payload["exp"], UTC)


# --- revocation honours exp ----------------------------------------------------------------------------


@pytest.mark.parametrize("lifetime", [timedelta(minutes=1), CENTURY], ids=["one_minute", "a_century"])
def test_a_logged_out_token_is_remembered_exactly_until_its_exp(app, client, user_factory, backend, lifetime):
    user = user_factory()
    token = access_token(app, user, expires_delta=lifetime)
    exp = pyjwt.decode(token, TEST_SECRET, algorithms=["HS256"])["exp"]
    assert client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    [row] = _rows(app)
    assert row.expires_at == datetime.fromtimestamp(exp, UTC)
    # Another logout purges expired entries: this one has not expired, so the token stays revoked.
    other = access_token(app, user)
    assert client.post("/api/auth/logout", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    assert {r.jti for r in _rows(app)} == {row.jti, decode_jti(app, other)}
    assert_error(_me(client, token), 401, "token_revoked")


def test_a_revoked_payload_without_exp_is_kept_for_a_century(app, user_factory, backend, fixed_clock):
    user = user_factory()
    with app.app_context():
        assert revoke_token(session=db.session, payload={"jti": "no-exp", "sub": str(user.id)}) is True
        db.session.commit()
    [row] = _rows(app)
    assert (row.jti, row.token_type, row.user_id) == ("no-exp", "access", user.id)
    assert row.expires_at == fixed_clock + CENTURY


def test_revoking_a_payload_with_a_subject_that_is_no_user_id_stores_no_user(app, backend):
    with app.app_context():
        for jti, sub in (("letters", "abc"), ("too-big", "2147483648"), ("missing", None)):
            payload = {"jti": jti, "type": "refresh", "exp": 4_000_000_000}
            if sub is not None:
                payload["sub"] = sub
            assert revoke_token(session=db.session, payload=payload) is True
        db.session.commit()
    assert {(row.jti, row.token_type, row.user_id) for row in _rows(app)} == {
        ("letters", "refresh", None), ("too-big", "refresh", None), ("missing", "refresh", None)
    }


# --- every path through is_token_revoked --------------------------------------------------------------


def test_is_token_revoked_answers_for_the_token_and_for_its_family(app, user_factory, backend):
    user = user_factory()
    with app.app_context():
        session = db.session
        assert is_token_revoked(session=session, jti="j1") is False
        assert is_token_revoked(session=session, jti="j1", family=family_key("f1")) is False
        revoke_token(session=session, payload={"jti": "j1", "sub": str(user.id), "exp": 4_000_000_000})
        assert revoke_family(session=session, payload={"fam": "f1", "sub": str(user.id)}) is True
        session.commit()
        assert is_token_revoked(session=session, jti="j1") is True
        assert is_token_revoked(session=session, jti="j1", family=family_key("f2")) is True
        assert is_token_revoked(session=session, jti="j2", family=family_key("f1")) is True
        assert is_token_revoked(session=session, jti="j2", family=family_key("f2")) is False
        assert is_token_revoked(session=session, jti="j2") is False
        # A jti that happens to equal the family key is that key.
        assert is_token_revoked(session=session, jti=family_key("f1")) is True

        assert load_user_and_revoked(session=session, user_id=user.id, jti="j2", family=family_key("f2")) \
            == (session.get(User, user.id), False)
        assert load_user_and_revoked(session=session, user_id=user.id, jti="j1")[1] is True
        assert load_user_and_revoked(session=session, user_id=user.id, jti="j2", family=family_key("f1"))[1] is True
        assert load_user_and_revoked(session=session, user_id=user.id + 1000, jti="j1") is None


def test_a_revoked_token_naming_no_user_says_revoked_before_user_not_found(app, client, user_factory, backend):
    user = user_factory()
    for sub in ("abc", "0", "999999"):
        token = _signed(app, user, sub=sub)
        assert_error(_me(client, token), 401, "user_not_found")  # the control: not revoked yet
        with app.app_context():
            # A row naming no user (user 999999 would break the foreign key: its rows went with it).
            db.session.add(TokenBlocklist(jti=decode_token(token)["jti"], token_type="access",
                                          expires_at=NOW + CENTURY))
            db.session.commit()
        assert_error(_me(client, token), 401, "token_revoked")


def test_a_revoked_family_is_refused_even_for_a_token_naming_no_user(app, client, user_factory, backend):
    user = user_factory()
    token = _signed(app, user, sub="999999", fam="lost-family")
    assert_error(_me(client, token), 401, "user_not_found")
    with app.app_context():
        assert revoke_family(session=db.session, payload={"fam": "lost-family", "sub": "abc"}) is True
        db.session.commit()
    assert_error(_me(client, token), 401, "token_revoked")
    # A token of a real user in that family is refused too; one of another family is not.
    assert_error(_me(client, _signed(app, user, fam="lost-family")), 401, "token_revoked")
    assert _me(client, _signed(app, user, fam="kept-family")).status_code == 200


def test_a_revoked_access_and_refresh_token_are_refused_on_their_own_routes(app, client, user_factory, backend):
    user = user_factory()
    access, refresh = access_token(app, user), refresh_token(app, user)
    assert _me(client, access).status_code == 200
    with app.app_context():
        for token in (access, refresh):
            revoke_token(session=db.session, payload=decode_token(token))
        db.session.commit()
    body = assert_error(_me(client, access), 401, "token_revoked")
    assert body["details"]["token_type"] == "access"
    body = assert_error(client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {refresh}"}), 401,
                        "token_revoked")
    assert body["details"]["token_type"] == "refresh"


def test_a_signed_token_without_a_jti_counts_as_revoked(app, client, user_factory, backend):
    user = user_factory()
    assert _me(client, _signed(app, user)).status_code == 200  # the control
    assert_error(_me(client, _signed(app, user, jti=None)), 401, "token_revoked")


# --- subjects that are not user ids -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "expected"),
    [
        ("1", 1), ("9", 9), ("10", 10), ("2147483647", 2**31 - 1), ("1000000000", 1_000_000_000),
        ("0", None), ("01", None), ("2147483648", None), ("12345678901", None), ("-1", None), ("", None),
        (" 1", None), ("1 ", None), ("\u0661", None), (1, None), (None, None), ("1.0", None), ("a1", None),
    ],
)
def test_only_plain_ascii_ids_in_range_name_a_user(sub, expected):
    assert user_id_from_subject(sub) == expected


@pytest.mark.parametrize("sub", ["abc", "01", "2147483648", "1e3", "\u0031\u0301"])
def test_a_subject_that_is_no_user_id_is_refused_as_401_in_the_error_format(app, client, user_factory, backend, sub):
    user_factory()  # user 1 exists, so "01" or "1e3" must not be read as a number
    body = assert_error(_me(client, _signed(app, user_factory(), sub=sub)), 401, "user_not_found")
    assert body["error_code"] == "AUTH_006"


def test_a_token_without_a_subject_is_refused_as_401_in_the_error_format(app, client, user_factory, backend):
    body = assert_error(_me(client, _signed(app, user_factory(), sub=None)), 401, "invalid_token")
    assert body["error_code"] == "AUTH_002" and "sub" in body["details"]["reason"]


# --- the purge boundary --------------------------------------------------------------------------------


def test_the_purge_removes_only_entries_that_expired_before_now(app, backend, fixed_clock):
    with app.app_context():
        for jti, offset in (("a-second-ago", -1), ("exactly-now", 0), ("in-a-second", 1)):
            db.session.add(TokenBlocklist(jti=jti, token_type="access",
                                          expires_at=fixed_clock + timedelta(seconds=offset)))
        db.session.commit()
        assert purge_expired_tokens(session=db.session) == 1
        db.session.commit()
        assert purge_expired_tokens(session=db.session) == 0
        db.session.commit()
    assert [row.jti for row in _rows(app)] == ["exactly-now", "in-a-second"]


# --- families -------------------------------------------------------------------------------------------


def test_a_family_is_revoked_for_as_long_as_a_refresh_token_lives(app, user_factory, backend, fixed_clock):
    user = user_factory()
    with app.app_context():
        payload = {"fam": "f" * 48, "sub": str(user.id)}
        assert revoke_family(session=db.session, payload=payload) is True
        db.session.commit()
        assert revoke_family(session=db.session, payload=payload) is True  # again: already revoked, no new row
        db.session.commit()
    [row] = _rows(app)
    assert (row.jti, row.token_type, row.user_id) == ("family:" + "f" * 48, "family", user.id)
    assert row.expires_at == fixed_clock + timedelta(days=30)


def test_a_family_revoked_when_refresh_tokens_never_expire_is_kept_for_a_century(app, backend, fixed_clock):
    app.config["JWT_REFRESH_TOKEN_EXPIRES"] = False
    with app.app_context():
        assert revoke_family(session=db.session, payload={"fam": "forever", "sub": "abc"}) is True
        db.session.commit()
    [row] = _rows(app)
    assert (row.user_id, row.expires_at) == (None, fixed_clock + CENTURY)


@pytest.mark.parametrize("family", [None, "", "f" * 49, 42, ["f"]])
def test_a_payload_without_a_usable_family_revokes_nothing(app, backend, family):
    with app.app_context():
        assert revoke_family(session=db.session, payload={"fam": family, "sub": "1"}) is False
        db.session.commit()
    assert _rows(app) == []


def test_family_keys_accept_one_to_48_characters():
    assert family_key("x") == "family:x"
    assert family_key("f" * 48) == "family:" + "f" * 48
    assert [family_key(bad) for bad in ("", "f" * 49, None, 7)] == [None, None, None, None]


# --- what a login issues ----------------------------------------------------------------------------------


def test_issued_tokens_share_one_family_and_report_their_lifetimes(app, user_factory, backend):
    user = user_factory()
    app.config.update(JWT_ACCESS_TOKEN_EXPIRES=timedelta(minutes=5), JWT_REFRESH_TOKEN_EXPIRES=False)
    with app.app_context():
        fresh = issue_tokens(user=user)
        kept = issue_tokens(user=user, family="given-family")
        access, refresh = decode_token(fresh["access_token"]), decode_token(fresh["refresh_token"], allow_expired=True)
        assert access["fam"] == refresh["fam"] and len(access["fam"]) == 32
        assert decode_token(kept["access_token"])["fam"] == "given-family"
        assert decode_token(kept["refresh_token"])["fam"] == "given-family"
    assert (fresh["expires_in"], fresh["refresh_expires_in"], fresh["token_type"]) == (300, None, "Bearer")
    assert access["exp"] - access["iat"] == 300 and "exp" not in refresh
    assert fresh["scopes"] == access["scopes"] == ["portfolio:read", "portfolio:write", "trading:read",
                                                   "trading:write", "ai:read"]
