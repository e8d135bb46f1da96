"""Who may do what: scopes on API keys, suspended accounts, and one user never seeing another's data."""

from __future__ import annotations

import pytest

from tests.trading.helpers import deposit, order, register_and_login


def test_api_key_scopes_decide_read_and_write(client, user_factory, api_key_headers, auth_headers):
    user = user_factory()
    deposit(client, auth_headers(user), "100")
    read_only = api_key_headers(user, scopes=["trading:read", "portfolio:read"])
    refused = order(client, read_only, "buy", "1", "1")
    assert refused.status_code == 403 and refused.get_json()["error"] == "insufficient_scope"
    assert "trading:write" in refused.get_json()["details"]["missing"]
    assert client.get("/api/trading/orders", headers=read_only).status_code == 200
    assert client.get("/api/portfolio/balance", headers=read_only).get_json()["available_balance"] == "100.00000000"
    no_deposit = client.post("/api/portfolio/deposits", json={"amount": "1"}, headers=read_only)
    assert no_deposit.status_code == 403
    writer = api_key_headers(user, scopes=["trading:write"])
    assert order(client, writer, "buy", "1", "1").status_code == 201


def test_suspended_accounts_cannot_trade(client, user_factory, auth_headers):
    user = user_factory(status="suspended")
    for response in (order(client, auth_headers(user), "buy", "1", "1"),
                     client.get("/api/trading/positions", headers=auth_headers(user)),
                     client.get("/api/portfolio/latest", headers=auth_headers(user))):
        assert response.status_code == 403 and response.get_json()["error"] == "account_suspended"


def test_another_users_order_is_404(client):
    owner, stranger = register_and_login(client, "owner"), register_and_login(client, "stranger")
    deposit(client, owner, "100")
    placed = order(client, owner, "buy", "1", "10").get_json()
    mine = client.get(f"/api/trading/orders/{placed['id']}", headers=owner)
    assert mine.status_code == 200
    theirs = client.get(f"/api/trading/orders/{placed['id']}", headers=stranger)
    missing = client.get("/api/trading/orders/999999", headers=stranger)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.get_json()["error"] == "not_found"
    assert theirs.get_json()["message"] == f"order {placed['id']} not found"
    assert client.get("/api/trading/orders", headers=stranger).get_json()["items"] == []
    assert client.get("/api/trading/positions", headers=stranger).get_json() == []
    assert client.get("/api/trading/metrics", headers=stranger).get_json()["orders_total"] == 0
    # The same client_order_id in another account is a different order.
    again = order(client, stranger, "buy", "1", "10", client_order_id="shared")
    assert again.status_code == 409 and again.get_json()["error"] == "insufficient_funds"


def test_repeat_client_order_id_answers_200_with_the_first_order(client):
    headers = register_and_login(client)
    deposit(client, headers, "100")
    first = order(client, headers, "buy", "1", "10", client_order_id="k-1")
    # The same request again, spelled differently ("1.0" is "1"): the first order, 200.
    second = order(client, headers, "buy", "1.0", "10.00", client_order_id="k-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json() == first.get_json()
    assert client.get("/api/portfolio/balance", headers=headers).get_json()["available_balance"] == "90.00000000"


@pytest.mark.parametrize("change", [{"quantity": "2"}, {"price": "20"}, {"side": "sell"}, {"symbol": "MSFT"},
                                    {"quantity": "1.00000001"}])
def test_client_order_id_reused_with_a_different_request_is_422_and_creates_nothing(client, change):
    headers = register_and_login(client)
    deposit(client, headers, "100")
    first = order(client, headers, "buy", "1", "10", client_order_id="k-2")
    assert first.status_code == 201
    body = {"side": "buy", "quantity": "1", "price": "10", "symbol": "AAPL", **change}
    reused = order(client, headers, body.pop("side"), body.pop("quantity"), body.pop("price"), client_order_id="k-2",
                   **body)
    assert reused.status_code == 422, reused.get_json()
    error = reused.get_json()
    assert error["error"] == "idempotency_key_reused" and error["details"]["order_id"] == first.get_json()["id"]
    orders = client.get("/api/trading/orders", headers=headers).get_json()["items"]
    assert [o["id"] for o in orders] == [first.get_json()["id"]]
    assert client.get("/api/portfolio/balance", headers=headers).get_json()["available_balance"] == "90.00000000"
    # The original request still answers with the first order.
    assert order(client, headers, "buy", "1", "10", client_order_id="k-2").status_code == 200


def test_insufficient_funds_details_and_rejection_in_metrics(client):
    headers = register_and_login(client)
    deposit(client, headers, "99.5")
    response = order(client, headers, "buy", "1", "100", client_order_id="short")
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "insufficient_funds"
    assert body["details"]["shortfall"] == "0.50000000" and body["details"]["required"] == "100.00000000"
    assert order(client, headers, "buy", "1", "100", client_order_id="short").get_json() == body
    metrics = client.get("/api/trading/metrics", headers=headers).get_json()
    assert (metrics["orders_total"], metrics["orders_filled"], metrics["orders_rejected"]) == (1, 0, 1)
    assert metrics["win_rate"] is None


def test_limits_get_and_put(client):
    headers = register_and_login(client)
    defaults = client.get("/api/trading/limits", headers=headers).get_json()
    assert defaults["per_order_limit"] == "1000000.00000000" and defaults["daily_spent"] == "0.00000000"
    updated = client.put("/api/trading/limits", json={"per_order_limit": "50", "monthly_limit": None}, headers=headers)
    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["per_order_limit"] == "50.00000000" and updated.get_json()["monthly_limit"] is None
    assert updated.get_json()["daily_limit"] == defaults["daily_limit"]
    deposit(client, headers, "1000")
    refused = order(client, headers, "buy", "1", "50.01")
    assert refused.status_code == 409 and refused.get_json()["error"] == "risk_limit_exceeded"
    assert refused.get_json()["details"]["limit"] == "per_order"


def test_orders_placed_before_request_hashes_compare_their_stored_fields(app, client):
    import sqlalchemy as sa

    from quantum.extensions import db
    from quantum.trading.models import Order

    headers = register_and_login(client)
    deposit(client, headers, "100")
    first = order(client, headers, "buy", "1", "10", client_order_id="legacy-1")
    with app.app_context():
        db.session.execute(sa.update(Order).where(Order.id == first.get_json()["id"]).values(request_hash=None))
        db.session.commit()
    assert order(client, headers, "buy", "1.0", "10", client_order_id="legacy-1").status_code == 200
    reused = order(client, headers, "buy", "3", "10", client_order_id="legacy-1")
    assert reused.status_code == 422 and reused.get_json()["error"] == "idempotency_key_reused"
