"""API keys: shown once, stored hashed, scoped, counted, revoked at once, never crossing users."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from quantum.auth.models import ApiKey, AuditLog
from quantum.extensions import db
from tests.auth.helpers import assert_error, register_and_login
from tests.conftest import make_app

FREE_SCOPES = ["portfolio:read", "portfolio:write", "trading:read", "trading:write", "ai:read"]


def _create(client, headers, **body):
    return client.post("/api/auth/api-keys", headers=headers, json={"name": "bot", **body})


def _rows(app) -> list[ApiKey]:
    with app.app_context():
        return list(db.session.execute(sa.select(ApiKey).order_by(ApiKey.id)).scalars())


def test_key_is_shown_once_and_stored_as_a_hash(app, client, backend):
    session = register_and_login(client)
    response = _create(client, session["headers"], name="trading bot")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    key = body["key"]
    assert key.startswith(body["prefix"] + "_") and body["prefix"].startswith("ql_")
    assert body["scopes"] == FREE_SCOPES and body["status"] == "active" and body["usage_count"] == 0
    [row] = _rows(app)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {row.prefix, row.key_hash, row.name}
    listed = client.get("/api/auth/api-keys", headers=session["headers"])
    assert listed.status_code == 200
    assert key not in listed.get_data(as_text=True)
    assert "key_hash" not in listed.get_data(as_text=True)
    [item] = listed.get_json()["items"]
    assert "key" not in item and item["prefix"] == body["prefix"]


def test_key_authenticates_and_counts_its_use(app, client, backend):
    session = register_and_login(client)
    key = _create(client, session["headers"]).get_json()["key"]
    for _ in range(3):
        me = client.get("/api/auth/me", headers={"X-API-Key": key})
        assert me.status_code == 200
    assert me.get_json()["email"] == session["email"] and me.get_json()["auth_method"] == "api_key"
    [row] = _rows(app)
    assert row.usage_count == 3 and row.last_used_at is not None


def test_key_scopes_are_a_subset_of_the_users(client, backend):
    session = register_and_login(client)
    response = _create(client, session["headers"], scopes=["trading:read", "trading:read", "portfolio:read"])
    assert response.status_code == 201
    assert response.get_json()["scopes"] == ["portfolio:read", "trading:read"]
    body = assert_error(_create(client, session["headers"], scopes=["trading:read", "ai:run"]), 422,
                        "validation_error")
    assert body["details"] == {"scopes": ["not granted to you: ai:run"]}
    body = assert_error(_create(client, session["headers"], scopes=["admin"]), 422, "validation_error")
    assert "scopes" in body["details"]
    body = assert_error(_create(client, session["headers"], scopes=["root"]), 422, "validation_error")
    assert "scopes" in body["details"]


def test_a_key_cannot_mint_a_key_with_more_scopes(client, backend):
    session = register_and_login(client)
    key = _create(client, session["headers"], scopes=["portfolio:read"]).get_json()["key"]
    wider = _create(client, {"X-API-Key": key}, scopes=["trading:write"])
    assert_error(wider, 422, "validation_error")
    same = _create(client, {"X-API-Key": key})
    assert same.status_code == 201 and same.get_json()["scopes"] == ["portfolio:read"]


def test_revoked_key_is_refused_at_once(app, client, backend):
    session = register_and_login(client)
    created = _create(client, session["headers"]).get_json()
    headers = {"X-API-Key": created["key"]}
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    revoked = client.delete(f"/api/auth/api-keys/{created['id']}", headers=session["headers"])
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    assert revoked.get_json()["revoked_at"]
    body = assert_error(client.get("/api/auth/me", headers=headers), 401, "api_key_revoked")
    assert body["error_code"] == "AUTH_009"
    # Revoking again is harmless.
    assert client.delete(f"/api/auth/api-keys/{created['id']}", headers=session["headers"]).status_code == 200
    with app.app_context():
        actions = list(db.session.execute(sa.select(AuditLog.action).order_by(AuditLog.id)).scalars())
    assert actions.count("api_key.create") == 1 and actions.count("api_key.revoke") == 1


def test_a_key_can_revoke_itself(client, backend):
    session = register_and_login(client)
    created = _create(client, session["headers"]).get_json()
    headers = {"X-API-Key": created["key"]}
    assert client.delete(f"/api/auth/api-keys/{created['id']}", headers=headers).status_code == 200
    assert_error(client.get("/api/auth/me", headers=headers), 401, "api_key_revoked")


def test_unknown_keys_are_401(client, backend):
    for raw in ("", "garbage", "ql_", "ql_deadbeef_" + "A" * 40, "ql_" + "x" * 5000, "' OR '1'='1",
                "ql_1_2; DROP TABLE api_keys"):
        assert_error(client.get("/api/auth/me", headers={"X-API-Key": raw}), 401, "invalid_api_key")


def test_a_near_miss_key_is_401(client, backend):
    session = register_and_login(client)
    key = _create(client, session["headers"]).get_json()["key"]
    assert_error(client.get("/api/auth/me", headers={"X-API-Key": key[:-1]}), 401, "invalid_api_key")
    assert_error(client.get("/api/auth/me", headers={"X-API-Key": key + "x"}), 401, "invalid_api_key")
    assert client.get("/api/auth/me", headers={"X-API-Key": f"  {key} "}).status_code == 200


def test_both_credentials_at_once_is_400(client, backend):
    session = register_and_login(client)
    key = _create(client, session["headers"]).get_json()["key"]
    response = client.get("/api/auth/me", headers={**session["headers"], "X-API-Key": key})
    assert_error(response, 400, "ambiguous_credentials")


def test_another_users_keys_stay_out_of_reach(client, backend):
    alice = register_and_login(client)
    bob = register_and_login(client)
    alice_key = _create(client, alice["headers"], name="alice's").get_json()
    bob_key = _create(client, bob["headers"], name="bob's").get_json()
    # Listing, with a token or a key, shows only your own keys.
    for headers in (bob["headers"], {"X-API-Key": bob_key["key"]}):
        names = [item["name"] for item in client.get("/api/auth/api-keys", headers=headers).get_json()["items"]]
        assert names == ["bob's"]
    # Bob can neither revoke nor see Alice's key: 404, the same as for a key that does not exist.
    for headers in (bob["headers"], {"X-API-Key": bob_key["key"]}):
        assert_error(client.delete(f"/api/auth/api-keys/{alice_key['id']}", headers=headers), 404, "not_found")
    assert_error(client.delete("/api/auth/api-keys/999999", headers=bob["headers"]), 404, "not_found")
    # Alice's key still works and is still Alice's.
    me = client.get("/api/auth/me", headers={"X-API-Key": alice_key["key"]}).get_json()
    assert me["email"] == alice["email"]


def test_out_of_range_and_non_numeric_key_ids_are_404(client, backend):
    session = register_and_login(client)
    for key_id in ("0", "99999999999999999999", "2147483648", "-1", "1%27%20OR%201=1"):
        response = client.delete(f"/api/auth/api-keys/{key_id}", headers=session["headers"])
        assert_error(response, 404, "not_found")


def test_key_of_a_suspended_account_is_403(client, runner, backend):
    session = register_and_login(client)
    key = _create(client, session["headers"]).get_json()["key"]
    assert runner.invoke(args=["users", "set-status", session["email"], "suspended"]).exit_code == 0
    assert_error(client.get("/api/auth/me", headers={"X-API-Key": key}), 403, "account_suspended")


def test_a_downgrade_narrows_existing_keys(client, runner, backend):
    session = register_and_login(client)
    assert runner.invoke(args=["users", "set-tier", session["email"], "pro"]).exit_code == 0
    key = _create(client, session["headers"], scopes=["ai:run", "ai:read"]).get_json()["key"]
    assert client.get("/api/auth/me", headers={"X-API-Key": key}).get_json()["scopes"] == ["ai:read", "ai:run"]
    assert runner.invoke(args=["users", "set-tier", session["email"], "free"]).exit_code == 0
    assert client.get("/api/auth/me", headers={"X-API-Key": key}).get_json()["scopes"] == ["ai:read"]


def test_active_keys_are_capped(db_url, backend):
    app = make_app(db_url, API_KEYS_MAX_PER_USER="2")
    client = app.test_client()
    session = register_and_login(client)
    first = _create(client, session["headers"]).get_json()
    assert _create(client, session["headers"]).status_code == 201
    assert_error(_create(client, session["headers"]), 409, "too_many_api_keys")
    client.delete(f"/api/auth/api-keys/{first['id']}", headers=session["headers"])
    assert _create(client, session["headers"]).status_code == 201
    with app.app_context():
        db.engine.dispose()


def test_key_table_is_indexed(app, backend):
    with app.app_context():
        indexes = {ix["name"]: ix for ix in sa.inspect(db.engine).get_indexes("api_keys")}
    assert indexes["ix_api_keys_key_hash"]["unique"] and indexes["ix_api_keys_key_hash"]["column_names"] == ["key_hash"]
    assert indexes["ix_api_keys_user_id"]["column_names"] == ["user_id"]
