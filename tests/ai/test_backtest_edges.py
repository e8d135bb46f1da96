"""Backtests at their edges: the risk-free rate in the Sharpe ratio, no dust trades, extreme bars are a 422."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from quantum.ai import backtest, metrics
from tests.ai.conftest import DAY0

CLOSES = [10, 11, 10.5, 12, 11, 13, 12.5, 14, 13, 15, 14.5, 16]
# 1e-8 alternating with 1e6: every all-in strategy multiplies its equity by 1e14 per round trip.
EXTREME = ["0.00000001" if i % 2 == 0 else "1000000" for i in range(40)]


def _bars(closes):
    return [
        backtest.Bar(DAY0 + timedelta(days=i), Decimal(str(c)), Decimal(str(c)), Decimal(str(c)), Decimal(str(c)))
        for i, c in enumerate(closes)
    ]


def test_sharpe_ratio_uses_the_risk_free_rate():
    params = {"amount": 100.0, "interval": 1, "initial_capital": 1000.0, "fee_bps": 0.0}
    plain = backtest.run(slug="dollar_cost_averaging", symbol="TEST", bars=_bars(CLOSES), params=params)
    with_rate = backtest.run(slug="dollar_cost_averaging", symbol="TEST", bars=_bars(CLOSES), params=params, risk_free_rate=0.05)
    returns = metrics.simple_returns([value for _, value in with_rate.equity_curve])
    assert with_rate.metrics["sharpe_ratio"] == pytest.approx(metrics.sharpe_ratio(returns, 0.05))
    assert with_rate.metrics["sharpe_ratio"] < plain.metrics["sharpe_ratio"]


def test_dollar_cost_averaging_stops_when_cash_runs_out():
    # 10,000 in 100 USD buys with fees: exactly 100 buys; what is left after the last one is rounding dust
    # (about 1e-26 of a dollar), which used to be "bought" as a trade of 1e-29 shares on every later bar.
    closes = [f"{100 + (i * 37) % 23}.37" for i in range(120)]
    for fee_bps in (0.0, 10.0):
        result = backtest.run(slug="dollar_cost_averaging", symbol="TEST", bars=_bars(closes),
                              params={"amount": 100.0, "interval": 1, "initial_capital": 10000.0, "fee_bps": fee_bps})
        assert len(result.trades) == 100
        assert all(trade.quantity > Decimal("0.8") for trade in result.trades)  # 100 USD at 100..123


@pytest.mark.parametrize("slug, params", [
    ("sma_crossover", {"fast": 2, "slow": 3}),
    ("bollinger_reversion", {"window": 2, "num_std": 0.1}),
    ("dollar_cost_averaging", {"amount": 100.0, "interval": 1}),
    ("volatility_breakout", {"lookback": 2, "k": 0.1}),
    ("rsi_momentum", {"period": 2, "entry_level": 50.0, "exit_level": 40.0}),
])
def test_extreme_bars_give_a_result_or_a_data_error(slug, params):
    try:
        result = backtest.run(slug=slug, symbol="TEST", bars=_bars(EXTREME),
                              params={**params, "initial_capital": 10000.0, "fee_bps": 0.0})
    except backtest.DataError as exc:
        assert "too" in exc.message
        return
    body = result.to_dict()  # every amount representable at 8 places
    assert body["metrics"]["final_equity"] < backtest.MAX_AMOUNT


def _bar_json(symbol: str, i: int, close: str) -> dict:
    return {"symbol": symbol, "ts": (DAY0 + timedelta(days=i)).isoformat(), "open": close, "high": close,
            "low": close, "close": close, "volume": "1000"}


def test_extreme_bars_through_the_api_are_a_422_not_a_500(client, make_account, admin):
    bars = [_bar_json("WILD", i, close) for i, close in enumerate(EXTREME)]
    response = client.post("/api/ai/price-bars", json={"bars": bars}, headers=admin.headers)
    assert response.status_code == 201, response.get_json()
    account = make_account()
    response = client.post("/api/ai/backtests", headers=account.headers,
                           json={"template_id": 1, "symbol": "WILD", "parameters": {"fast": 2, "slow": 3}})
    assert response.status_code == 422, response.get_json()
    assert "symbol" in response.get_json()["details"]


def test_backtest_route_uses_the_configured_risk_free_rate(app, client, make_account, post_bars):
    post_bars("RATE", CLOSES)
    account = make_account()
    templates = client.get("/api/ai/strategy-templates", headers=account.headers).get_json()
    dca = next(t["id"] for t in templates if t["slug"] == "dollar_cost_averaging")
    body = {"template_id": dca, "symbol": "RATE", "parameters": {"amount": 100, "interval": 1}}
    plain = client.post("/api/ai/backtests", headers=account.headers, json=body).get_json()
    settings = app.config["QUANTUM_SETTINGS"]  # frozen: the app gets a copy with the other rate
    app.config["QUANTUM_SETTINGS"] = settings.model_copy(update={"ai": settings.ai.model_copy(update={"risk_free_rate": 0.5})})
    rated = client.post("/api/ai/backtests", headers=account.headers, json=body).get_json()
    assert plain["metrics"]["sharpe_ratio"] is not None
    curve = [Decimal(point["equity"]) for point in rated["equity_curve"]]
    expected = metrics.sharpe_ratio(metrics.simple_returns(curve), 0.5)
    assert rated["metrics"]["sharpe_ratio"] == pytest.approx(expected, rel=1e-6)
    assert rated["metrics"]["sharpe_ratio"] < plain["metrics"]["sharpe_ratio"]
