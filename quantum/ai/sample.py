"""A small deterministic sample of daily price bars, to try backtests without market data.

The same symbols, start, length and seed always give the same bars, byte for byte: every price
comes from `random.Random` seeded with a string (stable across Python versions and platforms)
and is rounded to cents with `Decimal`. The symbols share a market factor, so they move
together (a pairs backtest finds something to trade), each with its own noise.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

DEFAULT_SYMBOLS = ("AAPL", "MSFT")
DEFAULT_START = date(2024, 1, 2)
DEFAULT_DAYS = 252  # one trading year
DEFAULT_SEED = 7
COLUMNS = ("symbol", "ts", "open", "high", "low", "close", "volume")
CENT = Decimal("0.01")


def trading_days(start: date, count: int) -> list[date]:
    """`count` weekdays from `start` (weekends skipped; holidays are not modelled)."""
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _cents(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def sample_bars(
    symbols: Sequence[str] = DEFAULT_SYMBOLS, *, start: date = DEFAULT_START, days: int = DEFAULT_DAYS,
    seed: int = DEFAULT_SEED,
) -> Iterator[dict[str, object]]:
    """Daily OHLCV bars of each symbol in turn, oldest first, as the import expects them."""
    calendar = trading_days(start, days)
    market_rng = random.Random(f"{seed}:market")
    market = [market_rng.gauss(0.0004, 0.011) for _ in calendar]
    for symbol in symbols:
        rng = random.Random(f"{seed}:{symbol}")
        price = rng.uniform(50, 400)
        beta = rng.uniform(0.8, 1.3)
        for day, market_move in zip(calendar, market, strict=True):
            open_ = max(1.0, price * (1 + rng.gauss(0, 0.003)))
            close = max(1.0, open_ * (1 + beta * market_move + rng.gauss(0, 0.008)))
            # Rounding is monotonic, so high >= open, close and low <= open, close survive it.
            high = max(open_, close) * (1 + abs(rng.gauss(0, 0.004)))
            low = min(open_, close) * (1 - abs(rng.gauss(0, 0.004)))
            yield {
                "symbol": symbol, "ts": day.isoformat(), "open": _cents(open_), "high": _cents(high),
                "low": _cents(low), "close": _cents(close), "volume": rng.randint(5_000_000, 90_000_000),
            }
            price = close
