"""Every validation rule answers 422 in the one error format, with `details` naming the field."""

from __future__ import annotations

import pytest

from tests.trading.helpers import register_and_login

GOOD_ORDER = {"symbol": "AAPL", "side": "buy", "quantity": "1", "price": "10"}
GOOD_SNAPSHOT = {"holdings": [{"symbol": "AAPL", "quantity": "1", "price": "10"}], "cash": "5"}


@pytest.fixture
def auth(client):
    return register_and_login(client)


def _assert_422(response, *path: str) -> None:
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["error"] == "validation_error" and body["error_code"] == "GEN_422"
    node = body["details"]
    for key in path:
        assert key in node, (path, body["details"])
        node = node[key]


ORDER_CASES = [
    ({"symbol": None}, "symbol"),
    ({"symbol": "aapl"}, "symbol"),
    ({"symbol": "TOO-LONG-SYMBOL"}, "symbol"),
    ({"symbol": "A B"}, "symbol"),
    ({"side": "hold"}, "side"),
    ({"quantity": "0"}, "quantity"),
    ({"quantity": "-1"}, "quantity"),
    ({"quantity": "1000000.00000001"}, "quantity"),
    ({"quantity": "0.000000001"}, "quantity"),
    ({"quantity": "abc"}, "quantity"),
    ({"quantity": "NaN"}, "quantity"),
    ({"quantity": True}, "quantity"),
    ({"price": "0"}, "price"),
    ({"price": "-5"}, "price"),
    ({"price": "1.123456789"}, "price"),
    ({"price": "Infinity"}, "price"),
    ({"price": "2000000"}, "price"),
    ({"client_order_id": ""}, "client_order_id"),
    ({"client_order_id": "x" * 65}, "client_order_id"),
    ({"client_order_id": "has space"}, "client_order_id"),
    ({"leverage": 10}, "leverage"),
]


@pytest.mark.parametrize(("change", "field"), ORDER_CASES, ids=[f"{f}-{i}" for i, (_, f) in enumerate(ORDER_CASES)])
def test_order_rules(client, auth, change, field):
    body = {**GOOD_ORDER, **change}
    body = {k: v for k, v in body.items() if v is not None}
    _assert_422(client.post("/api/trading/orders", json=body, headers=auth), field)


def test_order_missing_fields_are_each_named(client, auth):
    response = client.post("/api/trading/orders", json={}, headers=auth)
    _assert_422(response)
    assert {"symbol", "side", "quantity", "price"} <= set(response.get_json()["details"])


def test_order_whose_notional_rounds_to_zero(client, auth):
    body = {**GOOD_ORDER, "quantity": "0.00000001", "price": "0.00000001"}
    _assert_422(client.post("/api/trading/orders", json=body, headers=auth), "quantity")


SNAPSHOT_CASES = [
    ({"holdings": [{"symbol": "aapl", "quantity": "1", "price": "1"}]}, ("holdings", "0", "symbol")),
    ({"holdings": [{"symbol": "AAPL", "quantity": "-1", "price": "1"}]}, ("holdings", "0", "quantity")),
    ({"holdings": [{"symbol": "AAPL", "quantity": "1", "price": "0"}]}, ("holdings", "0", "price")),
    ({"holdings": [{"symbol": "AAPL", "quantity": "1"}]}, ("holdings", "0", "price")),
    ({"holdings": [{"symbol": "AAPL", "quantity": "1", "price": "1"}] * 2}, ("holdings", "1", "symbol")),
    ({"holdings": [{"symbol": f"S{i}", "quantity": "1", "price": "1"} for i in range(101)]}, ("holdings",)),
    ({"holdings": "AAPL"}, ("holdings",)),
    ({"cash": "-0.01"}, ("cash",)),
    ({"cash": "1.000000001"}, ("cash",)),
    ({"holdings": None, "cash": None}, ("holdings",)),
    ({"from_positions": True}, ("from_positions",)),
    ({"from_positions": "maybe"}, ("from_positions",)),
    ({"total_value": "1"}, ("total_value",)),
]


@pytest.mark.parametrize(("change", "path"), SNAPSHOT_CASES, ids=[".".join(p) for _, p in SNAPSHOT_CASES])
def test_snapshot_rules(client, auth, change, path):
    body = {**GOOD_SNAPSHOT, **change}
    body = {k: v for k, v in body.items() if v is not None}
    _assert_422(client.post("/api/portfolio/snapshots", json=body, headers=auth), *path)


DEPOSIT_CASES = [
    ({"amount": "0"}, "amount"),
    ({"amount": "-10"}, "amount"),
    ({"amount": "1000000.01"}, "amount"),
    ({"amount": "1.000000001"}, "amount"),
    ({"amount": None}, "amount"),
    ({"currency": "EUR"}, "currency"),
    ({"tx_hash": "short"}, "tx_hash"),
    ({"tx_hash": "0x not hex!"}, "tx_hash"),
    ({"block_number": -1}, "block_number"),
    ({"network": ""}, "network"),
    ({"status": "completed"}, "status"),
]


@pytest.mark.parametrize(("change", "field"), DEPOSIT_CASES, ids=[f"{f}-{i}" for i, (_, f) in enumerate(DEPOSIT_CASES)])
def test_deposit_rules(client, auth, change, field):
    body = {k: v for k, v in {"amount": "100", "currency": "USD", **change}.items() if v is not None}
    _assert_422(client.post("/api/portfolio/deposits", json=body, headers=auth), field)


@pytest.mark.parametrize(("body", "field"), [
    ({"per_order_limit": "0"}, "per_order_limit"),
    ({"daily_limit": "-1"}, "daily_limit"),
    ({"monthly_limit": "1.000000001"}, "monthly_limit"),
    ({"monthly_limit": "1000000001"}, "monthly_limit"),
    ({}, "_schema"),
])
def test_limit_rules(client, auth, body, field):
    _assert_422(client.put("/api/trading/limits", json=body, headers=auth), field)


@pytest.mark.parametrize(("url", "field"), [
    ("/api/trading/orders?limit=0", "limit"),
    ("/api/trading/orders?limit=101", "limit"),
    ("/api/trading/orders?before=zero", "before"),
    ("/api/portfolio/snapshots?limit=101", "limit"),
    ("/api/portfolio/snapshots?before=-3", "before"),
    ("/api/trading/metrics?from=yesterday", "from"),
    ("/api/trading/metrics?from=2026-02-01&to=2026-01-01", "from"),
    ("/api/trading/positions?include_flat=perhaps", "include_flat"),
])
def test_query_rules(client, auth, url, field):
    _assert_422(client.get(url, headers=auth), field)
