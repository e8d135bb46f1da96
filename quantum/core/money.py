"""Money as Decimal end to end: one scale, one column type, one rounding rule."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from quantum.errors import ValueOutOfRange

PLACES = 8
SCALE = Decimal(1).scaleb(-PLACES)  # 0.00000001, the scale of every money column (Numeric(20, 8))
ZERO = Decimal("0").quantize(SCALE)
LIMIT = Decimal(10) ** (20 - PLACES)  # Numeric(20, 8) holds up to 12 digits before the point


def quantize(value: Decimal | int | str) -> Decimal:
    """`value` at the money scale, rounded half-even (banker's rounding, no drift either way)."""
    return Decimal(value).quantize(SCALE, rounding=ROUND_HALF_EVEN)


def places(value: Decimal) -> int:
    """How many decimal places `value` carries (0 for integers)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def fmt(value: Decimal | None) -> str | None:
    """A money value as a plain decimal string at the column scale (never scientific notation)."""
    return None if value is None else format(quantize(value), "f")


class Money(sa.types.TypeDecorator):
    """Numeric(20, 8) that always reads back as a Decimal at scale 8.

    PostgreSQL stores NUMERIC exactly. SQLite has no decimal type: pysqlite binds the
    value as a double and NUMERIC affinity keeps it as REAL, which holds 15 significant
    digits exactly (e.g. 9,999,999.99999999). Quantizing on the way in and out turns
    the nearest double back into the exact decimal; the API's ranges keep single
    values inside 15 digits, and sums are always computed in Python, never in SQL.
    """

    impl = sa.Numeric(20, PLACES, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        try:
            amount = quantize(value)
        except InvalidOperation:
            raise ValueError(f"not a decimal amount: {value!r}") from None
        if abs(amount) >= LIMIT:
            # PostgreSQL would fail with "numeric field overflow"; SQLite would round it silently.
            raise ValueOutOfRange(f"an amount of {amount:,f} does not fit a money column (below {LIMIT:,.0f})")
        return amount

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return quantize(Decimal(str(value)) if isinstance(value, float) else value)
