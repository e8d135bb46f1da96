"""Shared marshmallow fields for numbers: ASCII digits only, within what the database columns hold.

Python's `int()` and `Decimal()` accept far more than a client should send as a quantity: "٣"
(Arabic-Indic three), "１" (fullwidth one), "1_000", " 1 ", "1e3", "NaN". These fields take a JSON number
or a string of ASCII digits (a decimal may have one point; no sign but "-", no exponent, no spaces, no
underscores), and the ranges below are what the columns can store, so a value that passes can never
overflow a column ("numeric field overflow" on PostgreSQL, silent rounding on SQLite).
"""

from __future__ import annotations

import re
from decimal import Decimal as _Decimal
from decimal import InvalidOperation
from typing import Any

from marshmallow import ValidationError, fields

DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
INTEGER_PATTERN = r"^-?[0-9]+$"
_DECIMAL = re.compile(DECIMAL_PATTERN)
_INTEGER = re.compile(INTEGER_PATTERN)
MAX_NUMBER_CHARS = 40  # longer than any value in range; refused before it is converted

# Column limits. Money is Numeric(20, 8): 12 digits before the point, 8 after.
MONEY_LIMIT = _Decimal(10) ** 12  # exclusive
MAX_INT32 = 2**31 - 1  # INTEGER (ids, counters)
MAX_INT64 = 2**63 - 1  # BIGINT (block numbers)
DECIMAL_MESSAGE = "must be a number, or a string of ASCII digits with at most one '.' (e.g. \"12.5\")"
INTEGER_MESSAGE = "must be a whole number of ASCII digits"


def ascii_decimal(value: Any) -> _Decimal:
    """`value` (a JSON number or an ASCII decimal string) as a Decimal; ValueError for anything else."""
    if isinstance(value, bool):
        raise ValueError(DECIMAL_MESSAGE)
    if isinstance(value, str):
        if len(value) > MAX_NUMBER_CHARS or not _DECIMAL.fullmatch(value):
            raise ValueError(DECIMAL_MESSAGE)
        return _Decimal(value)
    if isinstance(value, (int, float, _Decimal)):
        try:
            number = _Decimal(str(value)) if isinstance(value, float) else _Decimal(value)
        except InvalidOperation:
            raise ValueError(DECIMAL_MESSAGE) from None
        if not number.is_finite():
            raise ValueError("must be a finite number")
        return number
    raise ValueError(DECIMAL_MESSAGE)


class Decimal(fields.Decimal):
    """A decimal in: a JSON number or an ASCII decimal string (see `ascii_decimal`); NaN never allowed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_nan"] = False
        super().__init__(*args, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            ascii_decimal(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return super()._deserialize(value, attr, data, **kwargs)


class Integer(fields.Integer):
    """A whole number in: a JSON integer or a string of ASCII digits (query strings arrive as strings)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and (len(value) > MAX_NUMBER_CHARS or not _INTEGER.fullmatch(value)):
            raise ValidationError(INTEGER_MESSAGE)
        return super()._deserialize(value, attr, data, **kwargs)


def check_money_limit(value: _Decimal, name: str) -> None:
    """Raise a ValidationError on `name` when `value` would not fit a money column (10^12 or more)."""
    if abs(value) >= MONEY_LIMIT:
        raise ValidationError(f"must stay below {MONEY_LIMIT:,.0f} (what an amount column holds); got {value:,f}",
                              name)
