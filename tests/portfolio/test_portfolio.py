"""Snapshots, deposits and balances through HTTP, and money exactness in the database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from threading import Barrier

import pytest
import sqlalchemy as sa

from quantum.cash.models import Balance, Payment
from quantum.core.money import quantize
from tests.trading.helpers import assert_conserved, deposit, new_user, order, register_and_login, user_id


def test_snapshot_is_valued_on_the_server(client):
    headers = register_and_login(client)
    body = {"holdings": [{"symbol": "AAPL", "quantity": "1.5", "price": "187.33"},
                         {"symbol": "BRK-B", "quantity": "0", "price": "400"},
                         {"symbol": "BTC.X", "quantity": "0.00000001", "price": "65000.12345678"}],
            "cash": "10.01", "total_value": None}
    del body["total_value"]
    response = client.post("/api/portfolio/snapshots", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    snapshot = response.get_json()
    assert set(snapshot) == {"id", "user_id", "holdings", "cash", "total_value", "created_at"}
    # 280.995 + 0 + 0.00065000 (rounded half-even at 8 places) + 10.01
    assert snapshot["total_value"] == "291.00565000"
    assert snapshot["cash"] == "10.01000000"
    assert snapshot["holdings"][0] == {"symbol": "AAPL", "quantity": "1.50000000", "price": "187.33000000",
                                       "value": "280.99500000"}
    assert client.get("/api/portfolio/latest", headers=headers).get_json() == snapshot


def test_latest_is_404_without_snapshots(client):
    headers = register_and_login(client)
    response = client.get("/api/portfolio/latest", headers=headers)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_snapshots_page_newest_first_with_a_cursor(client):
    headers = register_and_login(client)
    made = []
    for i in range(7):
        body = {"holdings": [{"symbol": "AAPL", "quantity": str(i), "price": "1"}]}
        made.append(client.post("/api/portfolio/snapshots", json=body, headers=headers).get_json()["id"])
    seen, before = [], None
    while True:
        url = "/api/portfolio/snapshots?limit=3" + (f"&before={before}" if before else "")
        page = client.get(url, headers=headers).get_json()
        seen += [item["id"] for item in page["items"]]
        before = page["next_before"]
        if before is None:
            break
    assert seen == made[::-1]
    assert client.get("/api/portfolio/latest", headers=headers).get_json()["id"] == made[-1]
    # Somebody else's snapshots and cursors are invisible.
    other = register_and_login(client, "other")
    assert client.get("/api/portfolio/snapshots", headers=other).get_json() == {"items": [], "next_before": None}
    assert client.get(f"/api/portfolio/snapshots?before={made[3]}", headers=other).status_code == 404


def test_snapshot_from_positions_uses_last_fill_prices(client):
    headers = register_and_login(client)
    deposit(client, headers, "5000")
    assert order(client, headers, "buy", "10", "100", symbol="AAPL").status_code == 201
    assert order(client, headers, "buy", "2", "50", symbol="MSFT").status_code == 201
    assert order(client, headers, "sell", "2", "50", symbol="MSFT").status_code == 201  # flat: left out
    assert order(client, headers, "buy", "1", "120", symbol="AAPL").status_code == 201  # last AAPL price 120
    response = client.post("/api/portfolio/snapshots", json={"from_positions": True}, headers=headers)
    assert response.status_code == 201, response.get_json()
    snapshot = response.get_json()
    assert snapshot["holdings"] == [{"symbol": "AAPL", "quantity": "11.00000000", "price": "120.00000000",
                                     "value": "1320.00000000"}]
    assert snapshot["cash"] == "3880.00000000"
    assert snapshot["total_value"] == "5200.00000000"


def test_deposits_raise_the_balance_and_record_the_payment(client):
    headers = register_and_login(client)
    assert client.get("/api/portfolio/balance", headers=headers).get_json()["available_balance"] == "0.00000000"
    payment = client.post("/api/portfolio/deposits", headers=headers, json={
        "amount": "123.45678901", "currency": "USD", "network": "ethereum", "tx_hash": "ab" * 32,
        "block_number": 19000000}).get_json()
    assert payment["status"] == "completed" and payment["tx_hash"] == "ab" * 32 and payment["block_number"] == 19000000
    assert client.get("/api/portfolio/balance", headers=headers).get_json()["available_balance"] == "123.45678901"
    # The same on-chain transaction is never credited twice, not even to another user.
    again = client.post("/api/portfolio/deposits", headers=register_and_login(client, "thief"),
                        json={"amount": "1", "tx_hash": "ab" * 32})
    assert again.status_code == 409 and again.get_json()["error"] == "duplicate_transaction"
    assert client.get("/api/portfolio/balance", headers=headers).get_json()["available_balance"] == "123.45678901"


def test_portfolio_routes_need_credentials(client):
    for method, url in [("get", "/api/portfolio/balance"), ("post", "/api/portfolio/deposits"),
                        ("get", "/api/portfolio/snapshots"), ("get", "/api/trading/orders"),
                        ("post", "/api/trading/orders"), ("get", "/api/trading/metrics")]:
        response = getattr(client, method)(url, json={})
        assert response.status_code == 401, (url, response.get_json())


def test_concurrent_deposits_add_up_exactly(app, session):
    setup = app.test_client()
    headers = register_and_login(setup)
    uid = user_id(setup, headers)
    amounts = [quantize(Decimal("0.01") * (i + 1) + Decimal("0.00000001") * i) for i in range(24)]
    barrier = Barrier(len(amounts))

    def put(amount: Decimal) -> int:
        barrier.wait()
        response = app.test_client().post("/api/portfolio/deposits", json={"amount": str(amount)}, headers=headers)
        return response.status_code

    with ThreadPoolExecutor(max_workers=len(amounts)) as pool:
        assert list(pool.map(put, amounts)) == [201] * len(amounts)
    figures = assert_conserved(session, uid)
    assert figures["cash"] == sum(amounts) == figures["deposits"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Payment).where(Payment.user_id == uid)) == 24


@pytest.mark.parametrize("value", ["9999999.99999999", "0.00000001", "123456.78901234", "1000000", "0.1"])
def test_money_round_trips_exactly(session, value):
    user = new_user(session)
    session.add(Balance(user_id=user.id, currency="USD", available=Decimal(value)))
    session.commit()
    session.expunge_all()
    stored = session.scalar(sa.select(Balance.available).where(Balance.user_id == user.id))
    assert isinstance(stored, Decimal) and stored == Decimal(value)
    assert stored.as_tuple().exponent == -8  # always read back at the column's scale
