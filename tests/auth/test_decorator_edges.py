"""@auth_required at its edges: which credential wins, role before scope, exact refusals, and the API docs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt as pyjwt
import pytest
import sqlalchemy as sa
from flask import Blueprint, current_app

from quantum.auth.decorators import AUTH_RESPONSES, SECURITY, admin_required, auth_required, current_principal
from quantum.auth.models import ApiKey
from quantum.extensions import db
from tests.auth.helpers import access_token, api_key, assert_error, bearer, freeze_token_clock, refresh_token
from tests.conftest import TEST_SECRET

FREE_SCOPES = ["portfolio:read", "portfolio:write", "trading:read", "trading:write", "ai:read"]


@pytest.fixture
def probes(app) -> Any:
    """The app plus test-only routes guarded by each form of the decorator."""
    blueprint = Blueprint("edge_probes", __name__)

    def who() -> dict[str, Any]:
        principal = current_principal()
        return {"id": principal.user.id, "method": principal.method, "scopes": list(principal.scopes)}

    blueprint.get("/_edge/role-as-text", endpoint="role_text")(auth_required(role="admin")(who))
    blueprint.get("/_edge/role-and-scope", endpoint="role_scope")(auth_required("ai:run", role="admin")(who))
    blueprint.get("/_edge/admin-called", endpoint="admin_called")(admin_required()(who))
    blueprint.get("/_edge/admin-bare", endpoint="admin_bare")(admin_required(who))
    blueprint.get("/_edge/two-scopes", endpoint="two_scopes")(auth_required("trading:write", "ai:run")(who))
    blueprint.get("/_edge/one-scope", endpoint="one_scope")(auth_required("trading:write")(who))
    app.register_blueprint(blueprint)
    return app.test_client()


# --- which credential is used -------------------------------------------------------------------------


def test_refresh_ignores_an_api_key_and_takes_only_the_refresh_token(app, client, user_factory, backend):
    user = user_factory()
    key = {"X-API-Key": api_key(app, user)}
    body = assert_error(client.post("/api/auth/refresh", headers=key), 401, "missing_credentials")
    assert body["error_code"] == "AUTH_001"
    both = {**key, "Authorization": f"Bearer {refresh_token(app, user)}"}
    response = client.post("/api/auth/refresh", headers=both)  # not "ambiguous": refresh never reads the key
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["token_type"] == "Bearer"


def test_an_empty_api_key_header_is_an_invalid_key_not_a_missing_one(app, probes, user_factory, backend):
    user = user_factory()
    body = assert_error(probes.get("/_edge/one-scope", headers={"X-API-Key": ""}), 401, "invalid_api_key")
    assert body["error_code"] == "AUTH_008"
    body = assert_error(probes.get("/_edge/one-scope", headers={"X-API-Key": "", **bearer(app, user)}), 400,
                        "ambiguous_credentials")
    assert body["error_code"] == "AUTH_011"


def test_an_api_key_with_an_empty_authorization_header_is_used(app, probes, user_factory, backend):
    user = user_factory()
    headers = {"X-API-Key": api_key(app, user), "Authorization": ""}
    response = probes.get("/_edge/one-scope", headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"id": user.id, "method": "api_key", "scopes": FREE_SCOPES}


# --- roles ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/_edge/role-as-text", "/_edge/admin-called", "/_edge/admin-bare"])
def test_admin_only_routes_refuse_a_user_and_let_an_admin_in(app, probes, user_factory, backend, path):
    user = user_factory()
    body = assert_error(probes.get(path, headers=bearer(app, user)), 403, "insufficient_role")
    assert body["error_code"] == "AUTH_103"
    assert body["details"] == {"required_role": "admin"}
    assert body["message"] == "this route needs the admin role"
    admin = user_factory(role="admin")
    response = probes.get(path, headers=bearer(app, admin))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["id"] == admin.id


def test_the_role_is_checked_before_the_scopes(app, probes, user_factory, backend):
    free_user = user_factory(tier="free")  # lacks both the role and ai:run
    body = assert_error(probes.get("/_edge/role-and-scope", headers=bearer(app, free_user)), 403, "insufficient_role")
    assert body["details"] == {"required_role": "admin"}
    free_admin = user_factory(tier="free", role="admin")  # the role, but not the scope
    body = assert_error(probes.get("/_edge/role-and-scope", headers=bearer(app, free_admin)), 403,
                        "insufficient_scope")
    assert body["details"]["missing"] == ["ai:run"]
    pro_admin = user_factory(tier="pro", role="admin")
    assert probes.get("/_edge/role-and-scope", headers=bearer(app, pro_admin)).status_code == 200


def test_an_admin_api_key_without_the_admin_scope_is_refused_by_scope(app, probes, user_factory, backend):
    admin = user_factory(role="admin")
    narrow = {"X-API-Key": api_key(app, admin, scopes=["portfolio:read"])}
    body = assert_error(probes.get("/_edge/admin-called", headers=narrow), 403, "insufficient_scope")
    assert body["details"] == {"missing": ["admin"], "required": ["admin"], "granted": ["portfolio:read"]}
    full = {"X-API-Key": api_key(app, admin, scopes=["admin"])}
    assert probes.get("/_edge/admin-called", headers=full).get_json()["method"] == "api_key"


# --- scopes --------------------------------------------------------------------------------------------


def test_a_missing_scope_is_named_in_the_message_and_details(app, probes, user_factory, backend):
    user = user_factory(tier="free")
    body = assert_error(probes.get("/_edge/two-scopes", headers=bearer(app, user)), 403, "insufficient_scope")
    assert body["error_code"] == "AUTH_102"
    assert body["message"] == "this route needs the scope 'ai:run', which this account does not have"
    assert body["details"] == {"missing": ["ai:run"], "required": ["trading:write", "ai:run"], "granted": FREE_SCOPES}

    key = {"X-API-Key": api_key(app, user, scopes=["portfolio:read"])}
    body = assert_error(probes.get("/_edge/two-scopes", headers=key), 403, "insufficient_scope")
    assert body["message"] == (
        "this route needs the scopes 'trading:write', 'ai:run', which this API key does not have"
    )
    assert body["details"] == {"missing": ["trading:write", "ai:run"], "required": ["trading:write", "ai:run"],
                               "granted": ["portfolio:read"]}


def test_an_api_key_carries_only_the_scopes_its_user_still_has(app, probes, user_factory, backend):
    user = user_factory(tier="pro")
    key = {"X-API-Key": api_key(app, user, scopes=["ai:run", "trading:write", "portfolio:read"])}
    assert probes.get("/_edge/two-scopes", headers=key).get_json()["scopes"] == [
        "portfolio:read", "trading:write", "ai:run"
    ]
    with app.app_context():
        db.session.execute(sa.text("UPDATE users SET tier = 'free' WHERE id = :id"), {"id": user.id})
        db.session.commit()
    body = assert_error(probes.get("/_edge/two-scopes", headers=key), 403, "insufficient_scope")
    assert body["details"]["granted"] == ["portfolio:read", "trading:write"]


# --- account status --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["suspended", "inactive"])
def test_a_deactivated_users_key_is_refused_and_its_use_not_counted(app, probes, user_factory, backend, status):
    user = user_factory(status=status)
    headers = {"X-API-Key": api_key(app, user)}
    body = assert_error(probes.get("/_edge/one-scope", headers=headers), 403, "account_suspended")
    assert body["error_code"] == "AUTH_101"
    assert body["details"] == {"account_status": status}
    assert body["message"] == f"this account is {status}; contact support"
    with app.app_context():
        uses = db.session.execute(sa.select(ApiKey.usage_count, ApiKey.last_used_at)).one()
    assert tuple(uses) == (0, None)
    body = assert_error(probes.get("/_edge/one-scope", headers=bearer(app, user)), 403, "account_suspended")
    assert body["details"] == {"account_status": status}


def test_an_active_users_key_use_is_counted(app, probes, user_factory, backend):
    headers = {"X-API-Key": api_key(app, user_factory())}
    for _ in range(2):
        assert probes.get("/_edge/one-scope", headers=headers).status_code == 200
    with app.app_context():
        count, last_used = db.session.execute(sa.select(ApiKey.usage_count, ApiKey.last_used_at)).one()
    assert count == 2 and last_used is not None


# --- what the decorator documents -------------------------------------------------------------------------


def _doc(view: Any) -> dict[str, Any]:
    """The OpenAPI fragment the decorator attached to a view."""
    return view._apidoc["manual_doc"]


def test_the_decorator_documents_security_scopes_role_and_responses():
    def view() -> None:
        """A view."""

    scoped = auth_required("trading:write", "ai:run")(view)
    assert _doc(scoped)["security"] == SECURITY == [{"bearerAuth": []}, {"apiKeyAuth": []}]
    assert _doc(scoped)["x-required-scopes"] == ["trading:write", "ai:run"]
    assert "x-required-role" not in _doc(scoped)
    assert _doc(scoped)["responses"] == AUTH_RESPONSES and set(AUTH_RESPONSES) == {"401", "403"}
    assert scoped.__name__ == "view" and scoped.__doc__ == "A view."

    admin = admin_required(view)
    assert _doc(admin)["x-required-scopes"] == ["admin"] and _doc(admin)["x-required-role"] == "admin"
    assert _doc(auth_required(role="admin")(view))["x-required-role"] == "admin"
    assert _doc(auth_required()(view))["x-required-scopes"] == []


def test_the_decorator_keeps_documentation_written_before_it():
    def view() -> None:
        """A view."""

    view._apidoc = {"manual_doc": {"responses": {"404": {"description": "no such thing"}}, "summary": "s"}}
    documented = auth_required("trading:read")(view)
    assert _doc(documented)["summary"] == "s"
    assert set(_doc(documented)["responses"]) == {"401", "403", "404"}
    assert view._apidoc["manual_doc"] == {"responses": {"404": {"description": "no such thing"}}, "summary": "s"}


def test_a_role_that_does_not_exist_is_refused_when_decorating():
    with pytest.raises(ValueError, match="superuser"):
        auth_required(role="superuser")


# --- the bearer-token check behind the decorator (quantum.auth.jwtverify) ----------------------------------


def _me(client: Any, token: str) -> Any:
    """GET /api/auth/me with a bearer token."""
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("leeway", [0, 10, timedelta(seconds=10)], ids=["no_leeway", "seconds", "timedelta"])
def test_a_remembered_token_expires_at_exactly_exp_plus_leeway(app, client, user_factory, backend, monkeypatch,
                                                               leeway):
    app.config["JWT_DECODE_LEEWAY"] = leeway
    seconds = leeway.total_seconds() if isinstance(leeway, timedelta) else leeway
    token = access_token(app, user_factory(), expires_delta=timedelta(minutes=5))
    exp = pyjwt.decode(token, TEST_SECRET, algorithms=["HS256"])["exp"]
    assert _me(client, token).status_code == 200  # remembered from now on
    freeze_token_clock(monkeypatch, datetime.fromtimestamp(exp + seconds - 1, UTC))
    assert _me(client, token).status_code == 200  # one second before the end of its window
    freeze_token_clock(monkeypatch, datetime.fromtimestamp(exp + seconds, UTC))
    assert_error(_me(client, token), 401, "token_expired")


def test_a_token_with_a_fractional_exp_is_refused(app, client, user_factory, backend):
    claims = pyjwt.decode(access_token(app, user_factory()), TEST_SECRET, algorithms=["HS256"])
    assert _me(client, pyjwt.encode(claims, TEST_SECRET, "HS256")).status_code == 200  # the control
    body = assert_error(_me(client, pyjwt.encode({**claims, "exp": claims["exp"] + 0.5}, TEST_SECRET, "HS256")),
                        401, "invalid_token")
    assert body["details"]["reason"] == "Missing or malformed claim: exp"


def test_a_custom_key_loader_is_asked_on_every_request(app, client, user_factory, backend, monkeypatch):
    app.config["ROTATING_KEY"] = TEST_SECRET
    manager = app.extensions["flask-jwt-extended"]  # one JWTManager for every app: put its loader back afterwards
    monkeypatch.setattr(manager, "_decode_key_callback", manager._decode_key_callback)
    manager.decode_key_loader(lambda _header, _payload: current_app.config["ROTATING_KEY"])
    token = access_token(app, user_factory())
    assert _me(client, token).status_code == 200
    assert _me(client, token).status_code == 200
    app.config["ROTATING_KEY"] = "another-secret-key-that-is-long-enough-0123456789"
    assert_error(_me(client, token), 401, "invalid_token")
