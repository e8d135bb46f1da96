"""Tokens signed with the right key but missing `exp` or `type`, or with a non-ASCII `sub`, are refused."""

from __future__ import annotations

import jwt as pyjwt

from tests.auth.helpers import access_token, assert_error, refresh_token
from tests.conftest import TEST_SECRET


def _me(client, token: str):
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def _claims(app, user) -> dict:
    return pyjwt.decode(access_token(app, user), TEST_SECRET, algorithms=["HS256"])


def test_a_token_without_exp_is_refused(app, client, user_factory, backend):
    claims = _claims(app, user_factory())
    assert _me(client, pyjwt.encode(claims, TEST_SECRET, "HS256")).status_code == 200  # the control
    claims.pop("exp")
    body = assert_error(_me(client, pyjwt.encode(claims, TEST_SECRET, "HS256")), 401, "invalid_token")
    assert "exp" in body["details"]["reason"]


def test_a_token_without_type_is_refused(app, client, user_factory, backend):
    claims = _claims(app, user_factory())
    claims.pop("type")
    body = assert_error(_me(client, pyjwt.encode(claims, TEST_SECRET, "HS256")), 401, "invalid_token")
    assert "type" in body["details"]["reason"]
    for odd in ("Access", "", None, 1):
        token = pyjwt.encode({**claims, "type": odd}, TEST_SECRET, "HS256")
        assert_error(_me(client, token), 401, "invalid_token")


def test_a_refresh_token_without_exp_cannot_refresh(app, client, user_factory, backend):
    user = user_factory()
    claims = pyjwt.decode(refresh_token(app, user), TEST_SECRET, algorithms=["HS256"])
    claims.pop("exp")
    response = client.post("/api/auth/refresh",
                           headers={"Authorization": f"Bearer {pyjwt.encode(claims, TEST_SECRET, 'HS256')}"})
    assert_error(response, 401, "invalid_token")


def test_a_subject_in_other_digits_names_no_user(app, client, user_factory, backend):
    user = user_factory()
    claims = _claims(app, user)
    digits = str(user.id)
    # Arabic-Indic, fullwidth and Devanagari forms of the same id: str.isdigit() and int() accept them all.
    for table in (str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"),
                  str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"),
                  str.maketrans("0123456789", "\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e\u096f")):
        token = pyjwt.encode({**claims, "sub": digits.translate(table)}, TEST_SECRET, "HS256")
        assert_error(_me(client, token), 401, "user_not_found")
    for sub in (f" {digits}", f"{digits}\n", f"+{digits}", f"0{digits}"):
        token = pyjwt.encode({**claims, "sub": sub}, TEST_SECRET, "HS256")
        assert _me(client, token).status_code == 401, sub
