"""Backtests: a moving-average crossover on a hand-made series with known trades, and each template runs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from quantum.ai import backtest
from tests.ai.conftest import DAY0

# Closes, one bar a day. With fast = 2 and slow = 3 bars:
#  bar:     0   1   2     3     4     5     6      7      8     9      10     11  12  13     14
#  close:  10  10   9    12    14    13    10      8      9    12      14     16  18  17     15
#  fast:    -  10  9.5 10.5    13  13.5  11.5      9    8.5  10.5      13     15  17  17.5   16
#  slow:    -   - 9.67 10.33 11.67   13  12.33  10.33     9   9.67   11.67   14  16  17  16.67
# A cross is strict on both bars (backtesting.py's `crossover`): below on the previous bar, above on this one.
# bar 3: fast 10.5 > slow 10.33 and at bar 2 fast 9.5 < slow 9.67 -> buy at 12 with all 1000: 83.333.. shares
# bar 6: fast 11.5 < slow 12.33 and at bar 5 13.5 > 13 -> sell at 10: cash 833.33.., P&L (10 - 12) x 83.33 = -166.67
# bar 9: fast 10.5 > slow 9.67 and at bar 8 8.5 < 9 -> buy at 12: 833.33 / 12 = 69.444.. shares
# bar 14: fast 16 < slow 16.67 and at bar 13 17.5 > 17 -> sell at 15: cash 69.44 x 15 = 1041.67, P&L +208.33
CLOSES = [10, 10, 9, 12, 14, 13, 10, 8, 9, 12, 14, 16, 18, 17, 15]
PARAMS = {"fast": 2, "slow": 3, "initial_capital": 1000.0, "fee_bps": 0.0}
# Final equity 1000 x (10 / 12) x (15 / 12) = 1041.666..; win rate: one win in two round trips.
FINAL = Decimal(1000) * Decimal(10) / Decimal(12) * Decimal(15) / Decimal(12)
# Equity peaks at bar 4 (83.33 x 14 = 1166.67) and falls to 833.33 at bar 6: (1166.67 - 833.33) / 1166.67 = 4 / 14.
MAX_DRAWDOWN = 4 / 14


def _bars(closes, start=DAY0):
    return [
        backtest.Bar(start + timedelta(days=i), Decimal(c), Decimal(c), Decimal(c), Decimal(c))
        for i, c in enumerate(closes)
    ]


def test_sma_crossover_trades_are_the_hand_computed_ones():
    result = backtest.run(slug="sma_crossover", symbol="TEST", bars=_bars(CLOSES), params=PARAMS)
    trades = [(t.entry_at, t.entry_price, t.exit_at, t.exit_price) for t in result.trades]
    day = lambda i: DAY0 + timedelta(days=i)  # noqa: E731
    assert trades == [(day(3), 12, day(6), 10), (day(9), 12, day(14), 15)]
    first, second = result.trades
    assert first.quantity == pytest.approx(Decimal(1000) / 12)
    assert first.pnl == pytest.approx(Decimal("-166.6666666666666666666666667"))
    assert second.quantity == pytest.approx(Decimal(1000) * 10 / 12 / 12)
    assert second.pnl == pytest.approx(Decimal("208.3333333333333333333333333"))
    assert result.metrics["final_equity"] == FINAL.quantize(Decimal("0.00000001"))
    assert result.metrics["total_return"] == pytest.approx(float(FINAL / 1000 - 1))
    assert result.metrics["win_rate"] == 0.5 and result.metrics["round_trips"] == 2
    assert result.metrics["max_drawdown"] == pytest.approx(MAX_DRAWDOWN)
    assert result.metrics["drawdown_peak_at"] == day(4) and result.metrics["drawdown_trough_at"] == day(6)
    # The equity curve: flat until the first buy, marked to each close while invested.
    curve = [value for _, value in result.equity_curve]
    assert curve[:4] == [1000] * 4
    assert curve[4] == pytest.approx(Decimal(1000) / 12 * 14)
    assert curve[-1] == pytest.approx(FINAL)


def test_sma_crossover_needs_a_strict_cross():
    # Bar 2 at 10 instead of 9: fast and slow are both 10 there, so bar 3 touches-then-rises, not a cross
    # (the convention buying on that tie bought here). The second cross, at bar 9, is strict.
    closes = [10, 10, 10, *CLOSES[3:]]
    result = backtest.run(slug="sma_crossover", symbol="TEST", bars=_bars(closes), params=PARAMS)
    day = lambda i: DAY0 + timedelta(days=i)  # noqa: E731
    assert [(t.entry_at, t.exit_at) for t in result.trades] == [(day(9), day(14))]
    assert backtest.crossover([1, 2], [1, 1], 1) is False  # equal before: no cross
    assert backtest.crossover([0, 2], [1, 2], 1) is False  # equal after: no cross
    assert backtest.crossover([0, 2], [1, 1], 1) is True
    assert backtest.crossover([None, 2], [1, 1], 1) is False


def test_fees_are_paid_on_each_fill():
    # 100 bps on a 1000 buy at 12: quantity = 1000 / (12 x 1.01); the round trip pays 1% in and 1% out.
    result = backtest.run(slug="sma_crossover", symbol="TEST", bars=_bars(CLOSES), params={**PARAMS, "fee_bps": 100.0})
    first = result.trades[0]
    assert first.quantity == pytest.approx(Decimal(1000) / (Decimal(12) * Decimal("1.01")))
    assert first.entry_fee == pytest.approx(first.quantity * 12 * Decimal("0.01"))
    assert first.exit_fee == pytest.approx(first.quantity * 10 * Decimal("0.01"))


def test_dollar_cost_averaging_buys_every_interval():
    # 100 USD every 2 bars over 5 bars: buys at bars 0, 2, 4 at 10, 20, 10 -> 10 + 5 + 10 = 25 shares, cash 700.
    result = backtest.run(slug="dollar_cost_averaging", symbol="TEST", bars=_bars([10, 15, 20, 15, 10]),
                          params={"amount": 100.0, "interval": 2, "initial_capital": 1000.0, "fee_bps": 0.0})
    assert [t.quantity for t in result.trades] == [10, 5, 10]
    assert result.metrics["final_equity"] == Decimal("950.00000000")  # 700 + 25 x 10
    assert result.metrics["win_rate"] is None  # never sells: no round trips
    assert result.warnings == ["a position in TEST is still open after the last bar; it is valued at the last close"]


def test_bollinger_buys_below_the_band_and_sells_at_the_average():
    # window 3, 1 std: bar 3 closes 7 with mean (10 + 10 + 7) / 3 = 9 and pstdev sqrt(((1+1+4)/3)) = 1.414 -> 7 < 7.59
    # -> buy at 7; bar 4 closes 10 with mean (10 + 7 + 10) / 3 = 9 -> 10 >= 9 -> sell at 10.
    result = backtest.run(slug="bollinger_reversion", symbol="TEST", bars=_bars([10, 10, 10, 7, 10]),
                          params={"window": 3, "num_std": 1.0, "initial_capital": 700.0, "fee_bps": 0.0})
    assert [(t.entry_price, t.exit_price) for t in result.trades] == [(7, 10)]
    assert result.metrics["final_equity"] == Decimal("1000.00000000")


def test_rsi_and_breakout_and_pairs_run():
    closes = [100 + (i % 7) * 3 - (i % 5) * 2 + i * 0.5 for i in range(80)]
    bars = _bars(closes)
    rsi = backtest.run(slug="rsi_momentum", symbol="A", bars=bars,
                       params={"period": 5, "entry_level": 55.0, "exit_level": 45.0, "initial_capital": 1000.0,
                               "fee_bps": 0.0})
    assert rsi.trades and rsi.bars == 80
    breakout = backtest.run(slug="volatility_breakout", symbol="A", bars=bars,
                            params={"lookback": 5, "k": 0.5, "initial_capital": 1000.0, "fee_bps": 0.0})
    assert breakout.bars == 80
    other = _bars([c * (1.2 if i % 9 < 4 else 0.9) for i, c in enumerate(closes)])
    pairs = backtest.run(slug="pairs_trading", symbol="A", bars=bars,
                         params={"symbol_b": "B", "lookback": 10, "entry_z": 1.0, "exit_z": 0.2,
                                 "initial_capital": 1000.0, "fee_bps": 0.0}, bars_b=other)
    sides = {(t.symbol, t.side) for t in pairs.trades}
    assert {("A", "long"), ("B", "short")} <= sides or {("A", "short"), ("B", "long")} <= sides


def test_rsi_wilder_by_hand():
    # period 2 over closes 1, 2, 3, 2: changes +1, +1, -1.
    # First averages (simple, 2 changes): gain 1, loss 0 -> RSI 100 at index 2.
    # Index 3: gain (1 x 1 + 0) / 2 = 0.5, loss (0 x 1 + 1) / 2 = 0.5 -> RS 1 -> RSI 100 - 100 / 2 = 50.
    assert backtest.rsi([1.0, 2.0, 3.0, 2.0], 2) == [None, None, 100.0, 50.0]


def test_parameters_are_checked_against_the_bounds():
    specs = [{"name": "fast", "type": "int", "default": 10, "min": 2, "max": 200},
             {"name": "k", "type": "float", "default": 1.5, "min": 0.5, "max": 5.0}]
    assert backtest.validate_parameters(specs, {}) == {"fast": 10, "k": 1.5}
    with pytest.raises(backtest.ParameterError) as caught:
        backtest.validate_parameters(specs, {"fast": 1, "k": "x", "extra": 1})
    assert set(caught.value.errors) == {"fast", "k", "extra"}
    assert "between 2 and 200, got 1" in caught.value.errors["fast"]
    with pytest.raises(backtest.ParameterError):
        backtest.validate_parameters(specs, {"fast": True})


# --- through the API, on SQLite and PostgreSQL --------------------------------------------------------------------


def test_backtest_route_returns_the_known_trades(client, make_account, post_bars):
    post_bars("TEST", CLOSES)
    account = make_account()
    response = client.post("/api/ai/backtests", headers=account.headers,
                           json={"template_id": 1, "symbol": "test", "parameters": PARAMS})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "executed" and body["symbol"] == "TEST" and body["bars"] == 15
    trades = [(t["entry_at"][:10], t["entry_price"], t["exit_at"][:10], t["exit_price"]) for t in body["trades"]]
    assert trades == [
        ("2024-01-04", "12.00000000", "2024-01-07", "10.00000000"),
        ("2024-01-10", "12.00000000", "2024-01-15", "15.00000000"),
    ]
    assert [t["pnl"] for t in body["trades"]] == ["-166.66666667", "208.33333333"]
    assert body["metrics"]["final_equity"] == "1041.66666667"
    assert body["metrics"]["win_rate"] == 0.5
    assert body["metrics"]["max_drawdown"] == pytest.approx(MAX_DRAWDOWN)
    assert len(body["equity_curve"]) == 15
    # The request is recorded with its cost and result.
    record = client.get(f"/api/ai/requests/{body['request_id']}", headers=account.headers).get_json()
    assert record["status"] == "executed" and record["estimated_cost"] == "0.1500"  # 15 bars / 100
    assert record["result"]["metrics"]["final_equity"] == "1041.66666667"


def test_start_and_end_select_the_bars(client, make_account, post_bars):
    post_bars("TEST", CLOSES)
    account = make_account()
    body = client.post("/api/ai/backtests", headers=account.headers, json={
        "template_id": 1, "symbol": "TEST", "parameters": PARAMS, "start": "2024-01-01", "end": "2024-01-08",
    }).get_json()
    # Bars 0..7 only: the first round trip completes, the second never starts.
    assert body["bars"] == 8 and len(body["trades"]) == 1


def test_parameters_outside_the_bounds_are_422_naming_each(client, make_account, post_bars):
    post_bars("TEST", CLOSES)
    account = make_account()
    response = client.post("/api/ai/backtests", headers=account.headers, json={
        "template_id": 1, "symbol": "TEST", "parameters": {"fast": 1, "slow": 999, "fee_bps": -1},
    })
    assert response.status_code == 422
    body = response.get_json()
    assert set(body["details"]["parameters"]) == {"fast", "slow", "fee_bps"}
    assert "between 3 and 400, got 999" in body["details"]["parameters"]["slow"]
    # fast must be below slow: a rule between two parameters
    response = client.post("/api/ai/backtests", headers=account.headers, json={
        "template_id": 1, "symbol": "TEST", "parameters": {"fast": 5, "slow": 4},
    })
    assert response.status_code == 422 and "fast" in response.get_json()["details"]["parameters"]


def test_body_errors_are_422_naming_the_fields(client, make_account):
    account = make_account()
    response = client.post("/api/ai/backtests", headers=account.headers, json={"symbol": "not a symbol!"})
    assert response.status_code == 422
    assert {"template_id", "symbol"} <= set(response.get_json()["details"])


def test_unknown_template_is_404_and_missing_bars_422(client, make_account):
    account = make_account()
    response = client.post("/api/ai/backtests", headers=account.headers, json={"template_id": 999, "symbol": "X"})
    assert response.status_code == 404
    response = client.post("/api/ai/backtests", headers=account.headers, json={"template_id": 1, "symbol": "NONE"})
    assert response.status_code == 422 and "symbol" in response.get_json()["details"]


def test_too_few_bars_is_422(client, make_account, post_bars):
    post_bars("SHORT", [10, 11, 12])
    account = make_account()
    response = client.post("/api/ai/backtests", headers=account.headers,
                           json={"template_id": 1, "symbol": "SHORT"})  # default slow = 30
    assert response.status_code == 422
    assert "at least 31 bars" in response.get_json()["message"]


def test_pairs_trading_needs_the_second_symbol(client, make_account, post_bars):
    post_bars("AAA", [10 + i % 5 for i in range(40)])
    pro = make_account(tier="pro")
    response = client.post("/api/ai/backtests", headers=pro.headers, json={"template_id": 5, "symbol": "AAA"})
    assert response.status_code == 422
    assert response.get_json()["details"]["parameters"] == {"symbol_b": "is required"}
    response = client.post("/api/ai/backtests", headers=pro.headers,
                           json={"template_id": 5, "symbol": "AAA", "parameters": {"symbol_b": "BBB"}})
    assert response.status_code == 422
    assert "two symbols" in response.get_json()["message"]
    post_bars("BBB", [20 + (i * 3) % 7 for i in range(40)])
    response = client.post("/api/ai/backtests", headers=pro.headers, json={
        "template_id": 5, "symbol": "AAA", "parameters": {"symbol_b": "BBB", "lookback": 5, "entry_z": 1.0},
    })
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["bars"] == 40
