"""Backtests of the strategy templates over price bars, as pure functions.

Conventions, the same for every template:

* a signal is computed from the closes up to and including bar t and filled at the close of bar t (the usual
  close-to-close simplification: it assumes an order can be placed at the closing price);
* single-symbol templates are long only and go all in: a buy spends all cash, a sell closes the whole
  position; the pairs template is dollar neutral, half of the equity on each leg;
* fees are `fee_bps` basis points of each fill's traded value, paid in cash;
* money (cash, quantities, P&L, equity) is Decimal; indicators are floats, used only for comparisons;
* a position still open after the last bar stays open: it is valued at the last close and reported with no
  exit; only closed round trips count towards the win rate.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from quantum.ai import metrics

SYMBOL_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.\-/^=]{0,15}$")
MONEY_PLACES = Decimal("0.00000001")
MIN_ORDER = Decimal("0.01")  # the smallest cash amount a buy spends (one cent)
# Amounts stay below this (10^18) or the backtest stops with a DataError (422): 28-digit Decimal
# arithmetic keeps 8 places exact up to 20 digits, and float metrics need finite values.
MAX_AMOUNT = Decimal(10) ** 18
WIDE = Context(prec=60)


class ParameterError(Exception):
    """Parameters that break the template's types, bounds or rules; `errors` maps each name to why."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {why}" for name, why in errors.items()))
        self.errors = errors


class DataError(Exception):
    """The stored bars cannot support this backtest (too few, or a missing second symbol)."""

    def __init__(self, message: str, field_name: str = "symbol") -> None:
        super().__init__(message)
        self.message = message
        self.field_name = field_name


@dataclass(frozen=True)
class Bar:
    """One OHLCV bar."""

    ts: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal = Decimal(0)


# --- parameters -------------------------------------------------------------------------------------------------


def validate_parameters(specs: Sequence[dict], given: dict[str, Any] | None) -> dict[str, Any]:
    """Resolve `given` against a template's specs (types, defaults, bounds); ParameterError names each bad one."""
    given = dict(given or {})
    errors: dict[str, str] = {}
    resolved: dict[str, Any] = {}
    known = {spec["name"] for spec in specs}
    for name in sorted(set(given) - known):
        errors[name] = f"unknown parameter; this template takes {', '.join(sorted(known))}"
    for spec in specs:
        name = spec["name"]
        if name not in given or given[name] is None:
            if spec.get("default") is None:
                errors[name] = "is required"
            else:
                resolved[name] = spec["default"]
            continue
        value, problem = _coerce(spec, given[name])
        if problem:
            errors[name] = problem
        else:
            resolved[name] = value
    if errors:
        raise ParameterError(errors)
    return resolved


def _coerce(spec: dict, value: Any) -> tuple[Any, str | None]:
    kind = spec["type"]
    if kind == "symbol":
        if not isinstance(value, str) or not SYMBOL_PATTERN.match(value.strip().upper()):
            return None, "must be a ticker symbol (letters, digits, . - / ^ =; at most 16 characters)"
        return value.strip().upper(), None
    # bool is an int in Python; true/false as a window length is a client bug, not 1/0.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, f"must be a{'n integer' if kind == 'int' else ' number'}"
    if kind == "int":
        if isinstance(value, float) and not value.is_integer():
            return None, "must be an integer"
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            return None, "must be a finite number"
    low, high = spec.get("min"), spec.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        return None, f"must be between {_show(low)} and {_show(high)}, got {_show(value)}"
    return value, None


def _show(value: Any) -> str:
    return "unbounded" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


# --- indicators ---------------------------------------------------------------------------------------------------


def sma(values: Sequence[float], window: int) -> list[float | None]:
    """Simple moving average; None until `window` values exist."""
    out: list[float | None] = [None] * len(values)
    running = 0.0
    for i, value in enumerate(values):
        running += value
        if i >= window:
            running -= values[i - window]
        if i >= window - 1:
            out[i] = running / window
    return out


def rolling_pstdev(values: Sequence[float], window: int) -> list[float | None]:
    """Population standard deviation over the last `window` values (Bollinger's convention)."""
    return [
        statistics.pstdev(values[i - window + 1 : i + 1]) if i >= window - 1 else None for i in range(len(values))
    ]


def rsi(values: Sequence[float], period: int) -> list[float | None]:
    """Wilder's RSI: first averages are simple means of `period` changes, then (prev * (p - 1) + x) / p."""
    out: list[float | None] = [None] * len(values)
    if len(values) <= period:
        return out
    changes = [b - a for a, b in zip(values, values[1:], strict=False)]
    gain = sum(max(c, 0.0) for c in changes[:period]) / period
    loss = sum(max(-c, 0.0) for c in changes[:period]) / period

    def value(g: float, lo: float) -> float:
        if lo == 0:
            return 50.0 if g == 0 else 100.0
        return 100.0 - 100.0 / (1.0 + g / lo)

    out[period] = value(gain, loss)
    for i in range(period + 1, len(values)):
        change = changes[i - 1]
        gain = (gain * (period - 1) + max(change, 0.0)) / period
        loss = (loss * (period - 1) + max(-change, 0.0)) / period
        out[i] = value(gain, loss)
    return out


def average_true_range(bars: Sequence[Bar], window: int) -> list[float | None]:
    """Simple mean of the last `window` true ranges (the first bar has no previous close, so no range)."""
    ranges: list[float] = []
    out: list[float | None] = [None] * len(bars)
    for i in range(1, len(bars)):
        high, low, prev = float(bars[i].high), float(bars[i].low), float(bars[i - 1].close)
        ranges.append(max(high - low, abs(high - prev), abs(low - prev)))
        if len(ranges) >= window:
            out[i] = sum(ranges[-window:]) / window
    return out


# --- the book -----------------------------------------------------------------------------------------------------


@dataclass
class Trade:
    """One position from its entry to its exit (exit None while still open)."""

    symbol: str
    side: str  # "long" or "short"
    quantity: Decimal
    entry_at: datetime
    entry_price: Decimal
    entry_fee: Decimal
    exit_at: datetime | None = None
    exit_price: Decimal | None = None
    exit_fee: Decimal = Decimal(0)
    pnl: Decimal | None = None  # realized, fees included; for an open trade, unrealized at the last close
    group: int = 0  # trades opened together (the two legs of a pair) share a group

    def to_dict(self) -> dict:
        """JSON-ready, money rounded to 8 places."""
        cost = self.quantity * self.entry_price
        return {
            "symbol": self.symbol,
            "side": self.side,
            "quantity": _money(self.quantity),
            "entry_at": self.entry_at,
            "entry_price": _money(self.entry_price),
            "exit_at": self.exit_at,
            "exit_price": _money(self.exit_price) if self.exit_price is not None else None,
            "fees": _money(self.entry_fee + self.exit_fee),
            "pnl": _money(self.pnl) if self.pnl is not None else None,
            "return": float(self.pnl / cost) if self.pnl is not None and cost else None,
            "open": self.exit_at is None,
        }


def _money(value: Decimal) -> Decimal:
    # Quantities reach 10^26 (equity below MAX_AMOUNT at a price of 1e-8): 8 places need 34+ digits.
    return value.quantize(MONEY_PLACES, context=WIDE)


class Book:
    """Cash, open trades and closed trades of one backtest."""

    def __init__(self, capital: float, fee_bps: float) -> None:
        self.cash = Decimal(str(capital))
        self.fee_rate = Decimal(str(fee_bps)) / Decimal(10000)
        self.open: list[Trade] = []
        self.closed: list[Trade] = []
        self._groups = 0

    def new_group(self) -> int:
        """A group number for trades opened together."""
        self._groups += 1
        return self._groups

    def buy(self, symbol: str, bar: Bar, spend: Decimal | None = None, price: Decimal | None = None,
            group: int | None = None) -> Trade | None:
        """Open a long with `spend` cash (all cash when None), fees included; None when there is no cash."""
        price = bar.close if price is None else price
        budget = self.cash if spend is None else min(spend, self.cash)
        if budget < MIN_ORDER:
            # What is left after an all-in buy is rounding dust (1e-29 of a dollar): not a trade.
            return None
        quantity = budget / (price * (1 + self.fee_rate))
        fee = quantity * price * self.fee_rate
        self.cash -= quantity * price + fee
        trade = Trade(symbol, "long", quantity, bar.ts, price, fee, group=group or self.new_group())
        self.open.append(trade)
        return trade

    def short(self, symbol: str, bar: Bar, notional: Decimal, price: Decimal, group: int) -> Trade:
        """Open a short worth `notional` at `price`; the sale's proceeds go to cash."""
        quantity = notional / price
        fee = notional * self.fee_rate
        self.cash += notional - fee
        trade = Trade(symbol, "short", quantity, bar.ts, price, fee, group=group)
        self.open.append(trade)
        return trade

    def close(self, symbol: str, bar: Bar, price: Decimal | None = None) -> None:
        """Close every open trade in `symbol` at `price` (the bar's close by default)."""
        price = bar.close if price is None else price
        still_open = []
        for trade in self.open:
            if trade.symbol != symbol:
                still_open.append(trade)
                continue
            value = trade.quantity * price
            fee = value * self.fee_rate
            if trade.side == "long":
                self.cash += value - fee
                gross = (price - trade.entry_price) * trade.quantity
            else:
                self.cash -= value + fee
                gross = (trade.entry_price - price) * trade.quantity
            trade.exit_at, trade.exit_price, trade.exit_fee = bar.ts, price, fee
            trade.pnl = gross - trade.entry_fee - fee
            self.closed.append(trade)
        self.open = still_open

    def holds(self, symbol: str) -> bool:
        """Whether a trade in `symbol` is open."""
        return any(trade.symbol == symbol for trade in self.open)

    def equity(self, prices: dict[str, Decimal]) -> Decimal:
        """Cash plus open longs minus open shorts, at `prices`."""
        value = self.cash
        for trade in self.open:
            sign = 1 if trade.side == "long" else -1
            value += sign * trade.quantity * prices[trade.symbol]
        return value

    def mark_open(self, prices: dict[str, Decimal]) -> None:
        """Give open trades their unrealized P&L at `prices`."""
        for trade in self.open:
            sign = 1 if trade.side == "long" else -1
            trade.pnl = sign * (prices[trade.symbol] - trade.entry_price) * trade.quantity - trade.entry_fee


# --- strategies ---------------------------------------------------------------------------------------------------


@dataclass
class BacktestResult:
    """Trades, the equity curve and its metrics."""

    trades: list[Trade]
    equity_curve: list[tuple[datetime, Decimal]]
    metrics: dict[str, Any]
    bars: int
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready."""
        return {
            "trades": [trade.to_dict() for trade in self.trades],
            "equity_curve": [{"ts": ts, "equity": _money(value)} for ts, value in self.equity_curve],
            "metrics": self.metrics,
            "bars": self.bars,
            "warnings": self.warnings,
        }


Step = Callable[[Book, int], None]


def _run_single(symbol: str, bars: Sequence[Bar], params: dict, step: Step) -> BacktestResult:
    book = Book(params["initial_capital"], params["fee_bps"])
    curve = []
    for i, bar in enumerate(bars):
        step(book, i)
        curve.append((bar.ts, _bounded(book.equity({symbol: bar.close}))))
    return _finish(book, curve, {symbol: bars[-1].close}, len(bars), params["initial_capital"],
                   params.get("risk_free_rate", 0.0))


def _bounded(equity: Decimal) -> Decimal:
    """`equity`, or a DataError when the bars drove it past what the arithmetic keeps exact."""
    if not equity.is_finite() or abs(equity) >= MAX_AMOUNT:
        raise DataError(
            f"the prices in this range move too far for an exact backtest: equity passed {MAX_AMOUNT:.0e}", "symbol"
        )
    return equity


def _finish(book: Book, curve: list, last_prices: dict, bar_count: int, capital: float,
            risk_free_rate: float = 0.0) -> BacktestResult:
    book.mark_open(last_prices)
    trades = sorted(book.closed + book.open, key=lambda t: (t.entry_at, t.group, t.symbol))
    # A round trip is a group of trades opened together and all closed (one long, or the two legs of a pair).
    groups: dict[int, list[Trade]] = {}
    for trade in book.closed:
        groups.setdefault(trade.group, []).append(trade)
    open_groups = {trade.group for trade in book.open}
    round_trips = [sum(t.pnl for t in legs) for g, legs in groups.items() if g not in open_groups]
    report = metrics.risk_report([(ts, value) for ts, value in curve], risk_free_rate=risk_free_rate)
    final = curve[-1][1]
    warnings = []
    if book.open:
        symbols = ", ".join(sorted({trade.symbol for trade in book.open}))
        warnings.append(f"a position in {symbols} is still open after the last bar; it is valued at the last close")
    return BacktestResult(
        trades=trades,
        equity_curve=curve,
        metrics={
            "initial_equity": _money(Decimal(str(capital))),
            "final_equity": _money(final),
            "total_return": float(final / Decimal(str(capital)) - 1),
            "volatility": report.volatility,
            "max_drawdown": report.max_drawdown,
            "drawdown_peak_at": report.drawdown_peak_at,
            "drawdown_trough_at": report.drawdown_trough_at,
            "sharpe_ratio": report.sharpe_ratio,
            "win_rate": (sum(1 for pnl in round_trips if pnl > 0) / len(round_trips)) if round_trips else None,
            "round_trips": len(round_trips),
            "trades": len(trades),
        },
        bars=bar_count,
        warnings=warnings,
    )


def _need(bars: Sequence[Bar], count: int, why: str) -> None:
    if len(bars) < count:
        raise DataError(f"this backtest needs at least {count} bars ({why}); found {len(bars)}")


def crossover(series: Sequence[float | None], other: Sequence[float | None], i: int) -> bool:
    """Whether `series` crossed above `other` at bar i: strictly below on bar i - 1, strictly above on bar i.

    backtesting.py's `crossover` convention: touching (equal on the previous bar) and then rising is not a
    cross, so a tie never triggers a trade.
    """
    before, now = (series[i - 1], other[i - 1]), (series[i], other[i])
    if None in before or None in now:
        return False
    return before[0] < before[1] and now[0] > now[1]  # type: ignore[operator]


def sma_crossover(symbol: str, bars: Sequence[Bar], params: dict) -> BacktestResult:
    """Buy when the fast SMA crosses above the slow one, sell when it crosses below (strict crosses)."""
    fast_n, slow_n = params["fast"], params["slow"]
    _need(bars, slow_n + 1, f"slow={slow_n} plus one bar to see a cross")
    closes = [float(b.close) for b in bars]
    fast, slow = sma(closes, fast_n), sma(closes, slow_n)

    def step(book: Book, i: int) -> None:
        if i == 0 or slow[i - 1] is None:
            return  # a cross needs both averages on this bar and the one before
        if not book.holds(symbol) and crossover(fast, slow, i):
            book.buy(symbol, bars[i])
        elif book.holds(symbol) and crossover(slow, fast, i):
            book.close(symbol, bars[i])

    return _run_single(symbol, bars, params, step)


def bollinger_reversion(symbol: str, bars: Sequence[Bar], params: dict) -> BacktestResult:
    """Buy below the lower band, sell back at the moving average."""
    window, k = params["window"], params["num_std"]
    _need(bars, window + 1, f"window={window} plus one bar to trade")
    closes = [float(b.close) for b in bars]
    middle, spread = sma(closes, window), rolling_pstdev(closes, window)

    def step(book: Book, i: int) -> None:
        if middle[i] is None:
            return
        if not book.holds(symbol) and closes[i] < middle[i] - k * spread[i]:
            book.buy(symbol, bars[i])
        elif book.holds(symbol) and closes[i] >= middle[i]:
            book.close(symbol, bars[i])

    return _run_single(symbol, bars, params, step)


def rsi_momentum(symbol: str, bars: Sequence[Bar], params: dict) -> BacktestResult:
    """Buy when the RSI rises through the entry level, sell when it falls below the exit level."""
    period, entry, exit_ = params["period"], params["entry_level"], params["exit_level"]
    _need(bars, period + 2, f"period={period} plus two bars to see a cross")
    values = rsi([float(b.close) for b in bars], period)

    def step(book: Book, i: int) -> None:
        if i == 0 or values[i - 1] is None:
            return
        if not book.holds(symbol) and values[i - 1] <= entry < values[i]:
            book.buy(symbol, bars[i])
        elif book.holds(symbol) and values[i] < exit_:
            book.close(symbol, bars[i])

    return _run_single(symbol, bars, params, step)


def volatility_breakout(symbol: str, bars: Sequence[Bar], params: dict) -> BacktestResult:
    """Buy when the close jumps k ATRs above the previous close, sell below the lookback's moving average."""
    lookback, k = params["lookback"], params["k"]
    _need(bars, lookback + 2, f"lookback={lookback} true ranges plus a bar to break out")
    closes = [float(b.close) for b in bars]
    atr, average = average_true_range(bars, lookback), sma(closes, lookback)

    def step(book: Book, i: int) -> None:
        if i == 0 or atr[i - 1] is None:
            return
        if not book.holds(symbol) and closes[i] > closes[i - 1] + k * atr[i - 1]:
            book.buy(symbol, bars[i])
        elif book.holds(symbol) and closes[i] < average[i]:
            book.close(symbol, bars[i])

    return _run_single(symbol, bars, params, step)


def dollar_cost_averaging(symbol: str, bars: Sequence[Bar], params: dict) -> BacktestResult:
    """Buy `amount` USD every `interval` bars, starting with the first, while cash lasts."""
    amount, interval = Decimal(str(params["amount"])), params["interval"]
    _need(bars, 1, "one bar to buy")

    def step(book: Book, i: int) -> None:
        if i % interval == 0:
            book.buy(symbol, bars[i], spend=amount)

    return _run_single(symbol, bars, params, step)


def pairs_trading(symbol: str, bars: Sequence[Bar], params: dict, bars_b: Sequence[Bar]) -> BacktestResult:
    """Trade the z-score of close_A / close_B: open dollar-neutral legs beyond entry_z, close inside exit_z."""
    symbol_b, lookback = params["symbol_b"], params["lookback"]
    entry_z, exit_z = params["entry_z"], params["exit_z"]
    if symbol_b == symbol:
        raise ParameterError({"symbol_b": "must differ from symbol"})
    # Only timestamps both symbols traded at can be compared.
    by_ts = {b.ts: b for b in bars_b}
    pairs = [(a, by_ts[a.ts]) for a in bars if a.ts in by_ts]
    _need([a for a, _ in pairs], lookback + 1, f"lookback={lookback} bars at timestamps both symbols share")
    ratios = [float(a.close) / float(b.close) for a, b in pairs]
    book = Book(params["initial_capital"], params["fee_bps"])
    curve = []
    for i, (a, b) in enumerate(pairs):
        if i >= lookback - 1:
            window = ratios[i - lookback + 1 : i + 1]
            spread = statistics.pstdev(window)
            z = (ratios[i] - statistics.fmean(window)) / spread if spread > 0 else 0.0
            if book.holds(symbol) and abs(z) < exit_z:
                book.close(symbol, a)
                book.close(symbol_b, a, price=b.close)
            elif not book.holds(symbol) and abs(z) > entry_z:
                # Rich A (ratio high): short A, buy B; cheap A: the reverse. Half of the equity per leg.
                leg = book.equity({symbol: a.close, symbol_b: b.close}) / 2
                group = book.new_group()
                if z > 0:
                    book.short(symbol, a, leg, a.close, group)
                    book.buy(symbol_b, a, spend=leg, price=b.close, group=group)
                else:
                    book.buy(symbol, a, spend=leg, group=group)
                    book.short(symbol_b, a, leg, b.close, group)
        curve.append((a.ts, _bounded(book.equity({symbol: a.close, symbol_b: b.close}))))
    last_a, last_b = pairs[-1]
    result = _finish(book, curve, {symbol: last_a.close, symbol_b: last_b.close}, len(pairs), params["initial_capital"],
                     params.get("risk_free_rate", 0.0))
    skipped = len(bars) + len(bars_b) - 2 * len(pairs)
    if skipped:
        result.warnings.append(f"{skipped} bar(s) without a bar of the other symbol at the same timestamp were skipped")
    return result


SINGLE_SYMBOL: dict[str, Callable[[str, Sequence[Bar], dict], BacktestResult]] = {
    "sma_crossover": sma_crossover,
    "bollinger_reversion": bollinger_reversion,
    "rsi_momentum": rsi_momentum,
    "volatility_breakout": volatility_breakout,
    "dollar_cost_averaging": dollar_cost_averaging,
}
PAIRS = {"pairs_trading"}
SUPPORTED = set(SINGLE_SYMBOL) | PAIRS


def check_rules(slug: str, params: dict) -> None:
    """Rules between parameters that per-parameter bounds cannot express."""
    errors = {}
    if slug == "sma_crossover" and params["fast"] >= params["slow"]:
        errors["fast"] = f"must be below slow ({params['slow']}), got {params['fast']}"
    if slug == "rsi_momentum" and params["exit_level"] >= params["entry_level"]:
        errors["exit_level"] = f"must be below entry_level ({params['entry_level']:g})"
    if slug == "pairs_trading" and params["exit_z"] >= params["entry_z"]:
        errors["exit_z"] = f"must be below entry_z ({params['entry_z']:g})"
    if errors:
        raise ParameterError(errors)


def run(
    *, slug: str, symbol: str, bars: Sequence[Bar], params: dict, bars_b: Sequence[Bar] | None = None,
    risk_free_rate: float = 0.0,
) -> BacktestResult:
    """Run template `slug` over `bars` (and `bars_b`, the second symbol's, for pairs).

    `risk_free_rate` (annual, a fraction) goes into the equity curve's Sharpe ratio.
    """
    check_rules(slug, params)
    params = {**params, "risk_free_rate": risk_free_rate}
    try:
        return _run(slug, symbol, bars, params, bars_b)
    except (InvalidOperation, OverflowError):
        # Decimal context limits (digits, exponent) reached by extreme bars: bad data, not a server fault.
        raise DataError("the prices in this range are too extreme for an exact backtest", "symbol") from None


def _run(slug: str, symbol: str, bars: Sequence[Bar], params: dict, bars_b: Sequence[Bar] | None) -> BacktestResult:
    if slug in PAIRS:
        if not bars_b:
            raise DataError(f"pairs trading needs bars of the second symbol {params['symbol_b']}", "symbol_b")
        return pairs_trading(symbol, bars, params, bars_b)
    if slug not in SINGLE_SYMBOL:
        raise DataError(f"template {slug} has no backtest implementation", "template_id")
    return SINGLE_SYMBOL[slug](symbol, bars, params)


def estimate_cost(bar_count: int, legs: int = 1) -> Decimal:
    """Compute units: one per 100 bar evaluations per leg, at least 0.01."""
    return max(Decimal("0.01"), (Decimal(bar_count * legs) / 100).quantize(Decimal("0.0001")))
