"""The request parser at the edge: malformed, duplicated, deep, huge or unstorable input is a 4xx in the one format."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from quantum.cash.models import Balance, Payment
from quantum.extensions import db
from quantum.request_parsing import MAX_DEPTH

FORMAT = {"error", "message", "details", "error_code"}


def _error(response, status: int, error: str) -> dict:
    body = response.get_json()
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert body is not None and FORMAT <= set(body) and body["error"] == error, body
    return body


def _post_raw(client, path: str, raw: str | bytes, headers: dict) -> object:
    return client.post(path, data=raw, content_type="application/json", headers=headers)


@pytest.fixture
def headers(auth_headers):
    return auth_headers()


def _payments(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Payment))


def test_malformed_json_is_400_malformed_json_in_the_one_format(client, headers):
    for raw in ('{"amount": ', "{'amount': '1'}", "[1, 2", '{"a": 1} trailing', b"\xff\xfe{}", "\ufeff{}"):
        body = _error(_post_raw(client, "/api/portfolio/deposits", raw, headers), 400, "malformed_json")
        assert "browser (or proxy)" not in body["message"]  # not Werkzeug's HTML page text
        assert "json" in body["details"]


def test_duplicate_keys_are_refused_and_nothing_is_credited(app, client, headers):
    before = _payments(app)
    raw = '{"amount": "1", "amount": "1000000"}'
    body = _error(_post_raw(client, "/api/portfolio/deposits", raw, headers), 400, "malformed_json")
    assert "amount" in body["message"]
    nested = '{"holdings": [{"symbol": "A", "symbol": "B", "quantity": "1", "price": "1"}]}'
    _error(_post_raw(client, "/api/portfolio/snapshots", nested, headers), 400, "malformed_json")
    assert _payments(app) == before


def test_nesting_is_bounded(client, headers):
    for depth in (MAX_DEPTH + 1, 1000, 100_000):
        raw = '{"parameters": ' + "[" * depth + "]" * depth + "}"
        _error(_post_raw(client, "/api/ai/backtests", raw, headers), 400, "malformed_json")
    within = '{"template_id": 1, "symbol": "X", "parameters": {"a": ' + "[" * 10 + "]" * 10 + "}}"
    assert _post_raw(client, "/api/ai/backtests", within, headers).status_code != 400


def test_nan_and_infinity_are_not_json(client, headers):
    for constant in ("NaN", "Infinity", "-Infinity"):
        raw = '{"template_id": 1, "symbol": "X", "parameters": {"fast": ' + constant + "}}"
        _error(_post_raw(client, "/api/ai/backtests", raw, headers), 400, "malformed_json")


def test_huge_and_overflowing_numbers_are_422_naming_the_field(client, headers, backend):
    cases = [
        ('{"amount": ' + "9" * 5000 + "}", ["amount"]),
        ('{"amount": "1", "block_number": 1' + "0" * 5000 + "}", ["block_number"]),
        ('{"template_id": 1, "symbol": "X", "parameters": {"fast": 1e309}}', ["parameters", "fast"]),
        ('{"template_id": 1, "symbol": "X", "parameters": {"fast": -1e999}}', ["parameters", "fast"]),
    ]
    for raw, path in cases:
        route = "/api/ai/backtests" if "template_id" in raw else "/api/portfolio/deposits"
        details = _error(_post_raw(client, route, raw, headers), 422, "validation_error")["details"]
        for key in path:
            details = details[key]
        assert "number" in details[0]


def test_nul_and_lone_surrogates_in_bodies_are_422_naming_the_field(app, client, headers, backend):
    before = _payments(app)
    cases = [
        ("/api/portfolio/deposits", {"amount": "1", "network": "eth\u0000"}, ["network"]),
        ("/api/portfolio/deposits", {"amount": "1", "network": "\ud800"}, ["network"]),
        ("/api/ai/backtests", {"template_id": 1, "symbol": "X", "parameters": {"fa\u0000st": 1}}, ["parameters"]),
        ("/api/ai/backtests", {"template_id": 1, "symbol": "X", "parameters": {"fast": ["\udfff"]}},
         ["parameters", "fast", "0"]),
        ("/api/auth/api-keys", {"name": "bot\u0000"}, ["name"]),
    ]
    for route, body, path in cases:
        raw = json.dumps(body)  # ensure_ascii: NUL and surrogates travel as \\u escapes, as a client sends them
        details = _error(_post_raw(client, route, raw, headers), 422, "validation_error")["details"]
        for key in path:
            details = details[key]
        assert "NUL" in details[0]
    assert _payments(app) == before


def test_nul_in_query_and_path_parameters_is_422(client, headers, backend):
    for url, field in [
        ("/api/ai/strategy-templates?category=a%00b", "category"),
        ("/api/ai/requests?before=%00", "before"),
        ("/api/admin/audit-log?action=%00", "action"),
        ("/api/ai/requests/%00", "request_id"),
    ]:
        body = _error(client.get(url, headers=headers), 422, "validation_error")
        assert field in body["details"], (url, body)


@pytest.mark.parametrize("amount", ["\u0663", "\uff11", "1_000", " 1 ", "1e3", "0x10", "+1", "1.", ".5", "Infinity"])
def test_quantities_are_ascii_digits(client, headers, amount):
    response = client.post("/api/portfolio/deposits", json={"amount": amount}, headers=headers)
    assert "amount" in _error(response, 422, "validation_error")["details"]
    response = client.post("/api/trading/orders", headers=headers,
                           json={"symbol": "AAPL", "side": "buy", "quantity": amount, "price": "1"})
    assert "quantity" in _error(response, 422, "validation_error")["details"]


def test_query_integers_are_ascii_digits(client, headers):
    for url, field in [("/api/trading/orders?limit=\u0663", "limit"), ("/api/trading/orders?limit=%EF%BC%91", "limit"),
                       ("/api/portfolio/snapshots?before=1_000", "before"), ("/api/ai/requests?limit=+5", "limit")]:
        assert field in _error(client.get(url, headers=headers), 422, "validation_error")["details"], url
    assert client.get("/api/trading/orders?limit=3", headers=headers).status_code == 200


def test_numbers_beyond_the_columns_are_422(app, client, headers, backend):
    cases = [
        ("/api/portfolio/deposits", {"amount": "1", "block_number": 10**40}, "block_number"),
        ("/api/portfolio/deposits", {"amount": "1", "block_number": str(2**63)}, "block_number"),
        ("/api/trading/orders", {"symbol": "AAPL", "side": "buy", "quantity": "1000000", "price": "1000000"},
         "quantity"),
        ("/api/portfolio/snapshots", {"holdings": [{"symbol": "AAPL", "quantity": "1000000", "price": "1000000"}]},
         "holdings"),
        ("/api/portfolio/snapshots", {"holdings": [{"symbol": "A", "quantity": "999999", "price": "1000000"}] * 2},
         "holdings"),
        ("/api/trading/orders?before=99999999999999999999", None, "before"),
    ]
    for route, body, field in cases:
        response = client.post(route, json=body, headers=headers) if body else client.get(route, headers=headers)
        assert field in _error(response, 422, "validation_error")["details"], route
    ok = client.post("/api/portfolio/deposits", json={"amount": "1", "block_number": 2**63 - 1}, headers=headers)
    assert ok.status_code == 201, ok.get_json()


def test_a_balance_that_would_overflow_its_column_is_409_and_nothing_changes(app, client, headers, backend):
    assert client.post("/api/portfolio/deposits", json={"amount": "1"}, headers=headers).status_code == 201
    user_id = client.get("/api/auth/me", headers=headers).get_json()["id"]
    with app.app_context():
        db.session.execute(sa.update(Balance).where(Balance.user_id == user_id)
                           .values(available=Decimal("999999999999")))
        db.session.commit()
    before = _payments(app)
    response = client.post("/api/portfolio/deposits", json={"amount": "1000"}, headers=headers)
    _error(response, 409, "value_out_of_range")
    assert _payments(app) == before
    balance = client.get("/api/portfolio/balance", headers=headers).get_json()["available_balance"]
    assert Decimal(balance) == Decimal("999999999999")
