"""The /api/ai routes: who may call them, the seed routes, templates and market data."""

from __future__ import annotations

import pytest

from tests.ai.conftest import PASSWORD, daily_bars

SEED_ROUTES = ["/api/ai/strategy-templates", "/api/ai/risk-metrics"]


def _register_and_login(client, email: str = "fresh@example.com") -> dict[str, str]:
    response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    response = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


@pytest.mark.parametrize("path", SEED_ROUTES)
def test_a_freshly_registered_user_gets_200_from_the_seed_routes(client, path):
    headers = _register_and_login(client)
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    if path.endswith("templates"):
        assert len(body) >= 6
    else:
        assert body["observations"] == 0 and body["reason"]


@pytest.mark.parametrize("path", SEED_ROUTES)
def test_an_api_key_with_ai_read_works_too(client, path):
    headers = _register_and_login(client)
    response = client.post("/api/auth/api-keys", headers=headers, json={"name": "bot", "scopes": ["ai:read"]})
    assert response.status_code == 201, response.get_json()
    key = response.get_json()["key"]
    assert client.get(path, headers={"X-API-Key": key}).status_code == 200


@pytest.mark.parametrize("path", [*SEED_ROUTES, "/api/ai/requests", "/api/ai/policy"])
def test_a_suspended_account_gets_403_account_suspended(client, make_account, path):
    account = make_account(status="suspended")
    response = client.get(path, headers=account.headers)
    assert response.status_code == 403
    assert response.get_json()["error"] == "account_suspended"


def test_a_suspended_account_cannot_run_backtests(client, make_account):
    account = make_account(status="suspended")
    response = client.post("/api/ai/backtests", headers=account.headers, json={"template_id": 1, "symbol": "X"})
    assert response.status_code == 403 and response.get_json()["error"] == "account_suspended"


@pytest.mark.parametrize("path", SEED_ROUTES)
def test_no_credentials_is_401(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert {"error", "message", "details", "error_code"} <= set(response.get_json())


def test_an_api_key_without_ai_read_is_403_naming_the_scope(client):
    headers = _register_and_login(client)
    key = client.post("/api/auth/api-keys", headers=headers,
                      json={"name": "trader", "scopes": ["trading:read"]}).get_json()["key"]
    response = client.get("/api/ai/strategy-templates", headers={"X-API-Key": key})
    assert response.status_code == 403
    assert response.get_json()["error"] == "insufficient_scope" and "ai:read" in response.get_json()["message"]


# --- strategy templates -------------------------------------------------------------------------------------------


def test_seeded_templates_are_complete(client, make_account):
    body = client.get("/api/ai/strategy-templates", headers=make_account().headers).get_json()
    slugs = [t["slug"] for t in body]
    assert slugs == ["sma_crossover", "bollinger_reversion", "rsi_momentum", "volatility_breakout", "pairs_trading",
                     "dollar_cost_averaging"]
    for template in body:
        assert template["description"] and template["category"] and template["risk_level"] in ("low", "medium", "high")
        assert template["min_tier"] in ("free", "pro", "enterprise")
        for spec in template["parameters"]:
            assert spec["type"] in ("int", "float", "symbol")
            if spec["type"] != "symbol":
                assert spec["min"] <= spec["default"] <= spec["max"]
    availability = {t["slug"]: t["available"] for t in body}
    assert availability["volatility_breakout"] is False and availability["sma_crossover"] is True


def test_templates_filter_by_category_and_tier(client, make_account):
    headers = make_account().headers
    trend = client.get("/api/ai/strategy-templates?category=trend", headers=headers).get_json()
    assert [t["slug"] for t in trend] == ["sma_crossover"]
    free = client.get("/api/ai/strategy-templates?tier=free", headers=headers).get_json()
    assert {t["min_tier"] for t in free} == {"free"} and len(free) == 4
    pro = client.get("/api/ai/strategy-templates?tier=pro", headers=headers).get_json()
    assert len(pro) == 6
    response = client.get("/api/ai/strategy-templates?tier=gold", headers=headers)
    assert response.status_code == 422 and "tier" in response.get_json()["details"]


def test_one_template_and_a_missing_one(client, make_account):
    headers = make_account().headers
    body = client.get("/api/ai/strategy-templates/1", headers=headers).get_json()
    assert body["slug"] == "sma_crossover"
    assert {p["name"] for p in body["parameters"]} == {"fast", "slow", "initial_capital", "fee_bps"}
    response = client.get("/api/ai/strategy-templates/999", headers=headers)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


# --- price bars ---------------------------------------------------------------------------------------------------


def test_admins_store_bars_and_everyone_sees_the_symbols(client, admin, make_account):
    response = client.post("/api/ai/price-bars", headers=admin.headers, json={"bars": daily_bars("aapl", [1, 2, 3])})
    assert response.status_code == 201
    assert response.get_json() == {"inserted": 3, "symbols": ["AAPL"]}
    symbols = client.get("/api/ai/symbols", headers=make_account().headers).get_json()
    assert symbols == [{"symbol": "AAPL", "bars": 3, "first": "2024-01-01T00:00:00+00:00",
                        "last": "2024-01-03T00:00:00+00:00"}]


def test_only_admins_store_bars(client, make_account):
    response = client.post("/api/ai/price-bars", headers=make_account(tier="enterprise").headers,
                           json={"bars": daily_bars("AAPL", [1])})
    assert response.status_code == 403 and response.get_json()["error"] == "insufficient_role"


def test_bad_bars_are_422_naming_each_and_none_is_stored(client, admin):
    bars = daily_bars("AAPL", [1, 2, 3])
    bars[1]["high"] = "0.5"  # below open and close
    bars[2]["ts"] = "yesterday"
    response = client.post("/api/ai/price-bars", headers=admin.headers, json={"bars": bars})
    assert response.status_code == 422
    details = response.get_json()["details"]["bars"]
    assert set(details) == {"1", "2"} and "high" in details["1"] and "ts" in details["2"]
    assert client.get("/api/ai/symbols", headers=admin.headers).get_json() == []


def test_bars_already_stored_are_409_and_nothing_is_added(client, admin):
    assert client.post("/api/ai/price-bars", headers=admin.headers,
                       json={"bars": daily_bars("AAPL", [1, 2])}).status_code == 201
    response = client.post("/api/ai/price-bars", headers=admin.headers, json={"bars": daily_bars("AAPL", [5, 6, 7])})
    assert response.status_code == 409
    assert "2 bar(s) already stored" in response.get_json()["message"]
    assert client.get("/api/ai/symbols", headers=admin.headers).get_json()[0]["bars"] == 2


def test_the_openapi_document_lists_the_ai_routes(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in ("/api/ai/strategy-templates", "/api/ai/strategy-templates/{template_id}", "/api/ai/risk-metrics",
                 "/api/ai/price-bars", "/api/ai/backtests", "/api/ai/requests"):
        assert path in paths


def test_ids_beyond_the_integer_range_are_404_or_422_not_500(client, make_account, admin):
    headers = make_account().headers
    assert client.get("/api/ai/strategy-templates/99999999999", headers=headers).status_code == 404
    response = client.post("/api/ai/backtests", headers=headers, json={"template_id": 99999999999, "symbol": "X"})
    assert response.status_code == 422 and "template_id" in response.get_json()["details"]
    assert client.put("/api/ai/policies/users/99999999999", headers=admin.headers, json={}).status_code == 404
    assert client.delete("/api/ai/policies/users/99999999999", headers=admin.headers).status_code == 404
