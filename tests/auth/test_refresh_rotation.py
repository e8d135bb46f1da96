"""Refresh-token rotation: atomic under concurrency, and a reused token revokes its whole family."""

from __future__ import annotations

import threading

import jwt as pyjwt
import sqlalchemy as sa

from quantum.auth.models import AuditLog, TokenBlocklist
from quantum.extensions import db
from tests.auth.helpers import PASSWORD, assert_error, register_and_login
from tests.conftest import TEST_SECRET


def _refresh(client, token: str):
    return client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {token}"})


def _me(client, token: str):
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_tokens_of_one_login_share_a_family_that_rotation_keeps(client, backend):
    tokens = register_and_login(client)["tokens"]
    access = pyjwt.decode(tokens["access_token"], TEST_SECRET, algorithms=["HS256"])
    refresh = pyjwt.decode(tokens["refresh_token"], TEST_SECRET, algorithms=["HS256"])
    assert access["fam"] == refresh["fam"] and len(access["fam"]) == 32
    rotated = _refresh(client, tokens["refresh_token"]).get_json()
    assert pyjwt.decode(rotated["refresh_token"], TEST_SECRET, algorithms=["HS256"])["fam"] == access["fam"]
    assert pyjwt.decode(rotated["access_token"], TEST_SECRET, algorithms=["HS256"])["fam"] == access["fam"]


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(app, client, backend):
    session = register_and_login(client)
    first = session["tokens"]
    second = _refresh(client, first["refresh_token"]).get_json()
    third = _refresh(client, second["refresh_token"]).get_json()
    assert _me(client, third["access_token"]).status_code == 200

    # Someone presents the first refresh token again: a copy is in other hands.
    body = assert_error(_refresh(client, first["refresh_token"]), 401, "token_revoked")
    assert body["details"]["reason"] == "reused" and body["details"]["family_revoked"] is True

    # Every token of that login is dead now, access tokens included, the newest ones too.
    for token in (third["access_token"], second["access_token"], first["access_token"]):
        assert_error(_me(client, token), 401, "token_revoked")
    assert_error(_refresh(client, third["refresh_token"]), 401, "token_revoked")

    # Another login of the same account is another family and keeps working.
    other = client.post("/api/auth/login", json={"email": session["email"], "password": PASSWORD}).get_json()
    assert _me(client, other["access_token"]).status_code == 200
    assert _refresh(client, other["refresh_token"]).status_code == 200
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.user_id == session["user"]["id"])).all()
        families = db.session.scalars(sa.select(TokenBlocklist.token_type).where(TokenBlocklist.token_type == "family"))
        assert "auth.refresh_reuse" in actions and list(families) == ["family"]


def test_reusing_a_logged_out_refresh_token_revokes_the_family(client, backend):
    session = register_and_login(client)
    tokens = session["tokens"]
    other_access = _refresh(client, tokens["refresh_token"]).get_json()
    logout = client.post("/api/auth/logout", headers={"Authorization": f"Bearer {other_access['access_token']}"},
                         json={"refresh_token": other_access["refresh_token"]})
    assert logout.status_code == 200
    assert_error(_refresh(client, other_access["refresh_token"]), 401, "token_revoked")
    assert_error(_me(client, tokens["access_token"]), 401, "token_revoked")


def test_ten_concurrent_refreshes_of_one_token_exactly_one_succeeds(app, backend):
    session = register_and_login(app.test_client())
    token = session["tokens"]["refresh_token"]
    start = threading.Barrier(10)
    results: list = [None] * 10

    def attempt(index: int) -> None:
        client = app.test_client()
        start.wait()
        response = _refresh(client, token)
        results[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [body for status, body in results if status == 200]
    losers = [body for status, body in results if status != 200]
    assert len(winners) == 1, results
    assert all(body["error"] == "token_revoked" for body in losers), losers
    reasons = {body["details"]["reason"] for body in losers}
    assert reasons <= {"rotated_concurrently", "reused"}, reasons
    # Never two working families: the winner's pair works unless a late loser counted as a replay,
    # in which case the whole family (the winner's pair included) is revoked.
    client = app.test_client()
    winner_works = _me(client, winners[0]["access_token"]).status_code == 200
    assert winner_works == ("reused" not in reasons)
    if winner_works:
        assert _refresh(client, winners[0]["refresh_token"]).status_code == 200
    assert_error(_refresh(client, token), 401, "token_revoked")
