"""The whole flow through HTTP: deposit, buy, sell, positions, orders, metrics, limits, status."""

from __future__ import annotations

from decimal import Decimal

from tests.db.helpers import real_head
from tests.trading.helpers import deposit, order, register_and_login


def test_status_is_public(client, backend):
    response = client.get("/api/trading/status")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "active" and "reason" not in body
    assert body["database"]["backend"] == backend
    assert body["database"]["revision"] == real_head()
    assert body["database"]["latency_ms"] >= 0
    assert body["timestamp"]


def test_deposit_buy_sell_round_trip(client):
    headers = register_and_login(client)
    payment = deposit(client, headers, "10000.00")
    assert payment["status"] == "completed" and payment["amount"] == "10000.00000000"
    assert client.get("/api/portfolio/balance", headers=headers).get_json() == {
        "available_balance": "10000.00000000", "currency": "USD"}

    buy = order(client, headers, "buy", "10", "150.25", client_order_id="buy-1")
    assert buy.status_code == 201, buy.get_json()
    body = buy.get_json()
    assert body["status"] == "filled" and body["notional"] == "1502.50000000"
    assert body["filled_quantity"] == "10.00000000"

    sell = order(client, headers, "sell", "4", "160")
    assert sell.status_code == 201, sell.get_json()
    assert sell.get_json()["realized_pnl"] == "39.00000000"  # 4 x (160 - 150.25)

    balance = client.get("/api/portfolio/balance", headers=headers).get_json()["available_balance"]
    assert Decimal(balance) == Decimal("10000") - Decimal("1502.50") + Decimal("640")

    positions = client.get("/api/trading/positions", headers=headers).get_json()
    assert positions == [{
        "symbol": "AAPL", "quantity": "6.00000000", "average_cost": "150.25000000", "cost_basis": "901.50000000",
        "realized_pnl": "39.00000000", "last_price": "160.00000000", "market_value": "960.00000000",
        "unrealized_pnl": "58.50000000", "updated_at": positions[0]["updated_at"],
    }]

    listed = client.get("/api/trading/orders", headers=headers).get_json()
    assert [o["side"] for o in listed["items"]] == ["sell", "buy"] and listed["next_before"] is None
    one = client.get(f"/api/trading/orders/{body['id']}", headers=headers)
    assert one.status_code == 200 and one.get_json()["client_order_id"] == "buy-1"

    metrics = client.get("/api/trading/metrics", headers=headers).get_json()
    assert metrics["orders_total"] == 2 and metrics["orders_filled"] == 2
    assert metrics["volume"] == "2142.50000000" and metrics["realized_pnl"] == "39.00000000"
    assert metrics["win_rate"] == "1.0000"
    assert [s["symbol"] for s in metrics["by_symbol"]] == ["AAPL"] and len(metrics["by_day"]) == 1

    limits = client.get("/api/trading/limits", headers=headers).get_json()
    assert limits["daily_spent"] == "2142.50000000"


def test_metrics_read_only_the_aggregates(app, client):
    """The metrics request never scans orders or fills, so its cost does not grow with them."""
    import sqlalchemy as sa

    from quantum.extensions import db

    headers = register_and_login(client)
    deposit(client, headers, "1000")
    for _ in range(3):
        assert order(client, headers, "buy", "1", "10").status_code == 201
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement.lower())

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        response = client.get("/api/trading/metrics?from=2000-01-01", headers=headers)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    assert response.status_code == 200 and response.get_json()["orders_filled"] == 3
    reads = [s for s in statements if s.lstrip().startswith("select")]
    assert any("from trading_daily_metrics" in s for s in reads), reads
    assert not any(" orders" in s.split("from", 1)[-1] or "fills" in s for s in reads), reads
