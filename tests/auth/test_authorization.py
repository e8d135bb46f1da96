"""Scopes, roles and account status: one decorator decides, and says what is missing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Blueprint

from quantum.auth.decorators import admin_required, auth_required, current_principal
from quantum.auth.models import AuditLog, User
from quantum.extensions import db
from tests.auth.helpers import PASSWORD, access_token, api_key, assert_error, bearer, register_and_login


@pytest.fixture
def probe_client(app):
    """The app plus test-only routes guarded by the decorator the real routes use."""
    probes = Blueprint("auth_probes", __name__)

    @probes.post("/_probe/trade")
    @auth_required("trading:write")
    def trade():
        principal = current_principal()
        return {"email": principal.user.email, "id": principal.user.id, "method": principal.method}

    @probes.post("/_probe/ai")
    @auth_required("ai:read", "ai:run")
    def run_ai():
        return {"ok": True}

    @probes.get("/_probe/anyone")
    @auth_required()
    def anyone():
        return {"scopes": list(current_principal().scopes)}

    @probes.get("/_probe/admin")
    @admin_required
    def admin_only():
        return {"ok": True}

    app.register_blueprint(probes)
    return app.test_client()


def test_decorator_refuses_typos_and_bare_use():
    with pytest.raises(ValueError, match="trading:wirte"):
        auth_required("trading:wirte")
    with pytest.raises(TypeError):
        auth_required(lambda: None)


def test_free_tier_token_may_trade_but_not_run_ai(app, probe_client, user_factory, backend):
    user = user_factory(tier="free")
    headers = bearer(app, user)
    response = probe_client.post("/_probe/trade", headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"email": user.email, "id": user.id, "method": "jwt"}
    body = assert_error(probe_client.post("/_probe/ai", headers=headers), 403, "insufficient_scope")
    assert "'ai:run'" in body["message"]
    assert body["details"]["missing"] == ["ai:run"]
    assert body["details"]["required"] == ["ai:read", "ai:run"]


@pytest.mark.parametrize("tier", ["pro", "enterprise"])
def test_paid_tiers_may_run_ai(app, probe_client, user_factory, backend, tier):
    assert probe_client.post("/_probe/ai", headers=bearer(app, user_factory(tier=tier))).status_code == 200


def test_api_key_with_a_subset_of_scopes_gets_403_naming_the_scope(app, probe_client, user_factory, backend):
    user = user_factory(tier="pro")
    key = {"X-API-Key": api_key(app, user, scopes=["portfolio:read", "trading:read"])}
    assert probe_client.get("/_probe/anyone", headers=key).get_json()["scopes"] == ["portfolio:read", "trading:read"]
    body = assert_error(probe_client.post("/_probe/trade", headers=key), 403, "insufficient_scope")
    assert "'trading:write'" in body["message"] and "API key" in body["message"]
    assert body["details"]["missing"] == ["trading:write"]
    assert body["details"]["granted"] == ["portfolio:read", "trading:read"]
    assert body["error_code"] == "AUTH_102"
    body = assert_error(probe_client.post("/_probe/ai", headers=key), 403, "insufficient_scope")
    assert body["details"]["missing"] == ["ai:read", "ai:run"]
    trader = {"X-API-Key": api_key(app, user, scopes=["trading:write"])}
    assert probe_client.post("/_probe/trade", headers=trader).get_json()["method"] == "api_key"


def test_missing_credentials_are_401_not_403(probe_client, backend):
    assert_error(probe_client.post("/_probe/trade"), 401, "missing_credentials")
    assert_error(probe_client.get("/_probe/admin"), 401, "missing_credentials")


@pytest.mark.parametrize("status", ["suspended", "inactive"])
def test_suspension_applies_to_tokens_and_keys_issued_before_it(app, probe_client, runner, backend, status):
    session = register_and_login(probe_client)
    user = User(id=session["user"]["id"], email=session["email"], tier="free", role="user")
    key = {"X-API-Key": api_key(app, user)}
    assert probe_client.post("/_probe/trade", headers=session["headers"]).status_code == 200
    result = runner.invoke(args=["users", "set-status", session["email"], status])
    assert result.exit_code == 0, result.output
    for headers in (session["headers"], key):
        for path, method in (("/_probe/trade", "post"), ("/_probe/anyone", "get"), ("/api/auth/me", "get"),
                             ("/api/auth/api-keys", "get")):
            response = getattr(probe_client, method)(path, headers=headers)
            body = assert_error(response, 403, "account_suspended")
            assert body["details"]["account_status"] == status
    # Reactivated: the same old credentials work again.
    runner.invoke(args=["users", "set-status", session["email"], "active"])
    assert probe_client.post("/_probe/trade", headers=session["headers"]).status_code == 200
    assert probe_client.post("/_probe/trade", headers=key).status_code == 200


def test_tier_changes_apply_to_existing_tokens(app, probe_client, runner, user_factory, backend):
    user = user_factory(tier="free")
    headers = bearer(app, user)
    assert probe_client.post("/_probe/ai", headers=headers).status_code == 403
    runner.invoke(args=["users", "set-tier", user.email, "pro"])
    assert probe_client.post("/_probe/ai", headers=headers).status_code == 200
    runner.invoke(args=["users", "set-tier", user.email, "free"])
    assert probe_client.post("/_probe/ai", headers=headers).status_code == 403


def test_admin_routes_need_the_admin_role(app, probe_client, user_factory, runner, backend):
    user = user_factory()
    body = assert_error(probe_client.get("/_probe/admin", headers=bearer(app, user)), 403, "insufficient_role")
    assert "admin" in body["message"]
    admin = user_factory(role="admin")
    assert probe_client.get("/_probe/admin", headers=bearer(app, admin)).status_code == 200
    # An admin's key needs the admin scope too; a demoted admin's token stops working at once.
    narrow = {"X-API-Key": api_key(app, admin, scopes=["portfolio:read"])}
    assert_error(probe_client.get("/_probe/admin", headers=narrow), 403, "insufficient_scope")
    token = bearer(app, admin)
    runner.invoke(args=["users", "set-role", admin.email, "user"])
    assert_error(probe_client.get("/_probe/admin", headers=token), 403, "insufficient_role")


def test_admin_api_lists_users_and_changes_status(app, client, user_factory, backend):
    admin = user_factory(role="admin")
    target = user_factory()
    headers = bearer(app, admin)
    listed = client.get("/api/admin/users", query_string={"email": target.email.upper()}, headers=headers)
    assert listed.status_code == 200
    assert [u["email"] for u in listed.get_json()["items"]] == [target.email]
    assert "password_hash" not in listed.get_data(as_text=True)
    target_headers = bearer(app, target)
    response = client.patch(f"/api/admin/users/{target.id}", headers=headers,
                            json={"account_status": "suspended", "tier": "pro"})
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["account_status"], response.get_json()["tier"]) == ("suspended", "pro")
    assert_error(client.get("/api/auth/me", headers=target_headers), 403, "account_suspended")
    with app.app_context():
        entries = db.session.execute(
            sa.select(AuditLog).where(AuditLog.user_id == target.id, AuditLog.action.like("user.%_change"))
        ).scalars().all()
    assert {(e.action, e.details["to"], e.details["actor_id"]) for e in entries} == {
        ("user.status_change", "suspended", admin.id), ("user.tier_change", "pro", admin.id)
    }
    audit = client.get("/api/admin/audit-log", query_string={"user_id": target.id}, headers=headers)
    assert audit.status_code == 200
    assert {"user.status_change", "user.tier_change"} <= {e["action"] for e in audit.get_json()["items"]}


def test_admin_api_refuses_bad_input_and_self_changes(app, client, user_factory, backend):
    admin = user_factory(role="admin")
    headers = bearer(app, admin)
    body = assert_error(client.patch(f"/api/admin/users/{admin.id}", headers=headers, json={"role": "user"}),
                        409, "cannot_modify_self")
    assert "own" in body["message"]
    body = assert_error(client.patch(f"/api/admin/users/{admin.id}", headers=headers, json={"tier": "platinum"}),
                        422, "validation_error")
    assert "tier" in body["details"]
    assert_error(client.patch("/api/admin/users/99999999999", headers=headers, json={"tier": "pro"}), 404,
                 "not_found")
    body = assert_error(client.get("/api/admin/users", query_string={"limit": "0"}, headers=headers), 422,
                        "validation_error")
    assert "limit" in body["details"]


def test_regular_users_cannot_use_the_admin_api(app, client, user_factory, backend):
    user = user_factory()
    headers = bearer(app, user)
    assert_error(client.get("/api/admin/users", headers=headers), 403, "insufficient_role")
    assert_error(client.patch(f"/api/admin/users/{user.id}", headers=headers, json={"role": "admin"}), 403,
                 "insufficient_role")
    assert_error(client.get("/api/admin/audit-log", headers=headers), 403, "insufficient_role")


def test_login_after_promotion_carries_the_admin_scope(app, client, runner, user_factory, backend):
    user = user_factory()
    runner.invoke(args=["users", "set-role", user.email, "admin"])
    tokens = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD}).get_json()
    assert "admin" in tokens["scopes"]
    assert client.get("/api/admin/users", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code \
        == 200


def test_current_principal_outside_an_authenticated_view_raises(app):
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="auth_required"):
        current_principal()


def test_token_helper_matches_login(app, client, user_factory, backend):
    user = user_factory()
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {access_token(app, user)}"}).status_code \
        == 200
