"""The money column type at its edges: the largest amount it holds, the first it refuses, and the words used.

quantum/core/money.py turns every amount into a Decimal at scale 8 on the way in and out of the database;
these tests pin its boundaries (issue 21, docs/testing.md).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from quantum.core.money import LIMIT, Money, fmt, quantize
from quantum.errors import ValueOutOfRange
from tests.trading.helpers import new_user


def test_the_largest_amount_a_money_column_holds_is_stored_and_the_next_is_refused(engine):
    """10^12 - 10^-8 goes in and comes back exactly; 10^12 itself is a ValueOutOfRange that names the limit."""
    column = Money()
    largest = LIMIT - Decimal("0.00000001")
    assert column.process_bind_param(largest, engine.dialect) == largest
    assert column.process_bind_param(-largest, engine.dialect) == -largest
    for too_big in (LIMIT, -LIMIT):
        with pytest.raises(ValueOutOfRange) as caught:
            column.process_bind_param(too_big, engine.dialect)
        assert "does not fit a money column (below 1,000,000,000,000)" in str(caught.value)


def test_a_value_that_is_not_a_decimal_is_refused_by_name(engine):
    """Binding something that is not a number raises ValueError quoting the value."""
    with pytest.raises(ValueError, match=r"not a decimal amount: 'abc'"):
        Money().process_bind_param("abc", engine.dialect)


def test_money_reads_back_at_scale_8_from_the_database(session):
    """A balance written with fewer places reads back as a Decimal with exactly 8."""
    from quantum.cash.models import Balance

    user = new_user(session)
    session.add(Balance(user_id=user.id, currency="USD", available=Decimal("12.5")))
    session.commit()
    stored = session.scalar(sa.select(Balance.available).where(Balance.user_id == user.id))
    assert str(stored) == "12.50000000"


def test_fmt_writes_plain_decimals_and_keeps_none():
    """fmt never uses scientific notation, rounds half-even at 8 places, and passes None through."""
    assert fmt(None) is None
    assert fmt(Decimal("1E+3")) == "1000.00000000"
    assert fmt(Decimal("0.000000005")) == "0.00000000"  # half-even: 0.5e-8 rounds to the even 0
    assert fmt(Decimal("0.000000015")) == "0.00000002"
    assert quantize("0.000000025") == Decimal("0.00000002")
