"""Trading rules at their edges: whose position, exact cash, period boundaries, exact 409 details, twin orders.

Each test pins one condition of quantum/trading/service.py so that flipping a comparison, dropping a
filter or changing a constant there makes it fail (see issue 21). The service is called directly on
a real database, on SQLite and PostgreSQL; only the clock is fixed, through the `utcnow` the
service reads.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from quantum.auth.models import User
from quantum.portfolio import service as portfolio
from quantum.trading import service
from quantum.trading.models import Fill, Order, OrderStatus
from quantum.trading.service import day_bounds, month_bounds
from tests.trading.helpers import assert_conserved, fund, new_user, place, refused, twin_committed_before, utc

NO_LIMITS = {"per_order_limit": None, "daily_limit": None, "monthly_limit": None}


def positions(session: Session, user: User, include_flat: bool = False) -> list[tuple]:
    """(symbol, quantity, cost basis, realized P&L, last price, market value, unrealized P&L) per position."""
    session.rollback()
    return [
        (p["symbol"], p["quantity"], p["cost_basis"], p["realized_pnl"], p["last_price"], p["market_value"],
         p["unrealized_pnl"])
        for p in service.list_positions(session=session, user=user, include_flat=include_flat)
    ]


def counts(figures: dict[str, Any]) -> tuple:
    """The counters and amounts of one metrics entry, in a fixed order."""
    return tuple(figures[name] for name in (*service.FIELDS, "win_rate"))


D = Decimal


# -- whose position ----------------------------------------------------------------------------


def test_two_users_trading_the_same_symbol_each_keep_their_own_position(session):
    """Each order finds the position of its own user: the lookup filters by user, not only by symbol."""
    alice, bob = new_user(session, "alice"), new_user(session, "bob")
    fund(session, alice, "10000")
    fund(session, bob, "10000")
    place(session, alice, "buy", "5", "100")
    place(session, bob, "buy", "1", "110")
    # Bob holds exactly 1: selling 2.5 is short by 1.5, however much Alice holds.
    short = refused(session, bob, "sell", "2.5", "120")
    assert short.error == "insufficient_position"
    assert short.details == {"symbol": "AAPL", "required": "2.50000000", "available": "1.00000000",
                             "shortfall": "1.50000000", "order_id": short.details["order_id"]}
    # Alice sells exactly what she holds (not Bob's share of the symbol too).
    assert place(session, alice, "sell", "5", "120").order.realized_pnl == D("100")
    assert positions(session, alice) == []
    assert positions(session, alice, include_flat=True) == [("AAPL", D(0), D(0), D(100), D(120), D(0), D(0))]
    # Bob's position and last price are his own: quantity exactly 1 is an open position.
    assert positions(session, bob) == [("AAPL", D(1), D(110), D(0), D(110), D(110), D(0))]
    alice_figures = service.metrics(session=session, user=alice)
    bob_figures = service.metrics(session=session, user=bob)
    assert counts(alice_figures) == (2, 2, 0, 1, 1, D(500), D(600), D(100), D("1.0000"))
    assert counts(bob_figures) == (2, 1, 1, 0, 0, D(110), D(0), D(0), None)
    assert [row["symbol"] for row in bob_figures["by_symbol"]] == ["AAPL"]
    assert counts(bob_figures["by_symbol"][0]) == counts(bob_figures)
    assert_conserved(session, alice.id)
    assert_conserved(session, bob.id)


def test_a_user_holding_several_symbols_has_each_position_updated_on_its_own(session):
    """An order moves the position of its own symbol only; fractional holdings are open positions."""
    user = new_user(session)
    fund(session, user, "10000")
    place(session, user, "buy", "3", "100", symbol="AAPL")
    place(session, user, "buy", "0.5", "200", symbol="MSFT")
    place(session, user, "buy", "1", "104", symbol="AAPL")
    assert positions(session, user) == [
        ("AAPL", D(4), D(404), D(0), D(104), D(416), D(12)),
        ("MSFT", D("0.5"), D(100), D(0), D(200), D(100), D(0)),
    ]
    assert place(session, user, "sell", "0.5", "220", symbol="MSFT").order.realized_pnl == D(10)
    assert place(session, user, "sell", "2", "110", symbol="AAPL").order.realized_pnl == D(18)  # 2 x (110 - 101)
    assert positions(session, user) == [("AAPL", D(2), D(202), D(18), D(110), D(220), D(18))]
    assert positions(session, user, include_flat=True) == [
        ("AAPL", D(2), D(202), D(18), D(110), D(220), D(18)),
        ("MSFT", D(0), D(0), D(10), D(220), D(0), D(0)),
    ]
    by_symbol = {row["symbol"]: counts(row) for row in service.metrics(session=session, user=user)["by_symbol"]}
    assert by_symbol == {
        "AAPL": (3, 3, 0, 1, 1, D(404), D(220), D(18), D("1.0000")),
        "MSFT": (2, 2, 0, 1, 1, D(100), D(110), D(10), D("1.0000")),
    }
    assert_conserved(session, user.id)


# -- cash and position ---------------------------------------------------------------------------


def test_buying_with_exactly_the_available_cash_fills_and_one_cent_more_is_refused(session):
    """available < notional refuses; available == notional fills and leaves exactly zero."""
    user = new_user(session)
    fund(session, user, "100.01")
    short = refused(session, user, "buy", "1", "100.02")
    assert short.error == "insufficient_funds"
    assert short.details == {"required": "100.02000000", "available": "100.01000000", "shortfall": "0.01000000",
                             "currency": "USD", "order_id": short.details["order_id"]}
    assert place(session, user, "buy", "1", "100.01").order.status is OrderStatus.filled
    assert portfolio.get_balance(session=session, user=user) == D(0)
    last = refused(session, user, "buy", "0.00000001", "1")
    assert (last.details["available"], last.details["shortfall"]) == ("0.00000000", "0.00000001")
    assert_conserved(session, user.id)


def test_selling_more_than_you_hold_reports_the_exact_shortfall(session):
    """The shortfall is what is asked for minus what is held, not their sum."""
    user = new_user(session)
    fund(session, user, "1000")
    place(session, user, "buy", "2", "10", symbol="MSFT")
    short = refused(session, user, "sell", "3.5", "10", symbol="MSFT")
    assert short.details == {"symbol": "MSFT", "required": "3.50000000", "available": "2.00000000",
                             "shortfall": "1.50000000", "order_id": short.details["order_id"]}
    assert place(session, user, "sell", "2", "10", symbol="MSFT").order.status is OrderStatus.filled


def test_a_break_even_close_is_not_a_win(session):
    """Only a close with positive P&L is a winning trade; zero and losses are not."""
    user = new_user(session)
    fund(session, user, "1000")
    place(session, user, "buy", "3", "100")
    assert place(session, user, "sell", "1", "100").order.realized_pnl == D(0)
    assert place(session, user, "sell", "1", "99").order.realized_pnl == D(-1)
    assert place(session, user, "sell", "1", "101").order.realized_pnl == D(1)
    figures = service.metrics(session=session, user=user)
    assert counts(figures) == (4, 4, 0, 3, 1, D(300), D(300), D(0), D("0.3333"))


# -- risk limits: the 409's details --------------------------------------------------------------


def test_an_order_over_the_per_order_limit_reports_every_figure(session):
    """per_order: spent is zero, there is no reset time, and an order of exactly the limit fills."""
    user = new_user(session)
    fund(session, user, "10000")
    service.set_limits(session=session, user=user, data={"per_order_limit": D("500")})
    over = refused(session, user, "buy", "6", "100")
    assert over.error == "risk_limit_exceeded"
    assert over.details == {"limit": "per_order", "limit_value": "500.00000000", "notional": "600.00000000",
                            "spent": "0.00000000", "remaining": "500.00000000", "excess": "100.00000000",
                            "order_id": over.details["order_id"]}
    assert place(session, user, "buy", "5", "100").order.status is OrderStatus.filled


@pytest.mark.parametrize(("limit", "resets_at"), [("daily", "2024-05-16T00:00:00+00:00"),
                                                  ("monthly", "2024-06-01T00:00:00+00:00")])
def test_an_order_over_a_period_limit_reports_every_figure(session, clock, limit, resets_at):
    """daily and monthly: limit, notional, spent, remaining, excess and when the period resets, exactly."""
    clock(utc(2024, 5, 15, 10, 30))
    user = new_user(session)
    fund(session, user, "10000")
    service.set_limits(session=session, user=user, data={**NO_LIMITS, f"{limit}_limit": D("800")})
    place(session, user, "buy", "5", "100")
    over = refused(session, user, "buy", "4", "100")
    assert over.details == {"limit": limit, "limit_value": "800.00000000", "notional": "400.00000000",
                            "spent": "500.00000000", "remaining": "300.00000000", "excess": "100.00000000",
                            "resets_at": resets_at, "order_id": over.details["order_id"]}
    # A limit lowered below what is already spent: nothing remains (never a negative amount).
    service.set_limits(session=session, user=user, data={f"{limit}_limit": D("300")})
    below = refused(session, user, "buy", "0.5", "2")
    assert below.details == {"limit": limit, "limit_value": "300.00000000", "notional": "1.00000000",
                             "spent": "500.00000000", "remaining": "0.00000000", "excess": "201.00000000",
                             "resets_at": resets_at, "order_id": below.details["order_id"]}
    view = service.get_limits(session=session, user=user)
    assert (view[f"{limit}_spent"], view[f"{limit}_remaining"]) == (D(500), D(0))


# -- risk limits: period edges -------------------------------------------------------------------

# (last second of a month, first second of the next, the end of that next month)
MONTH_ENDS = [
    (utc(2024, 1, 31, 23, 59, 59), utc(2024, 2, 1), utc(2024, 3, 1)),
    (utc(2024, 2, 29, 23, 59, 59), utc(2024, 3, 1), utc(2024, 4, 1)),  # leap year
    (utc(2023, 2, 28, 23, 59, 59), utc(2023, 3, 1), utc(2023, 4, 1)),
    (utc(2024, 12, 31, 23, 59, 59), utc(2025, 1, 1), utc(2025, 2, 1)),  # December to January
    (utc(2025, 11, 30, 23, 59, 59), utc(2025, 12, 1), utc(2026, 1, 1)),  # November, and December's end
]


@pytest.mark.parametrize("limit", ["daily", "monthly"])
@pytest.mark.parametrize(("last_second", "midnight", "next_month_end"), MONTH_ENDS,
                         ids=[f"{a:%Y-%m}" for a, _, _ in MONTH_ENDS])
def test_an_order_at_235959_counts_in_its_period_and_one_at_midnight_starts_a_new_one(
    session, clock, limit, last_second, midnight, next_month_end
):
    """Periods are [start, end) in UTC: 23:59:59 on the last day is inside, 00:00:00 is the next period."""
    period_end = {"daily": lambda now: day_bounds(now)[1], "monthly": lambda now: month_bounds(now)[1]}[limit]
    assert period_end(last_second) == midnight
    clock(last_second)
    user = new_user(session)
    fund(session, user, "10000")
    service.set_limits(session=session, user=user, data={**NO_LIMITS, f"{limit}_limit": D("100")})
    assert place(session, user, "buy", "1", "100").order.status is OrderStatus.filled  # exactly the limit
    over = refused(session, user, "buy", "0.01", "1")
    assert (over.details["limit"], over.details["spent"], over.details["resets_at"]) == (
        limit, "100.00000000", midnight.isoformat())

    clock(midnight)
    view = service.get_limits(session=session, user=user)  # shown as the new period, before any write
    assert (view[f"{limit}_spent"], view[f"{limit}_remaining"]) == (D(0), D(100))
    assert (view["daily_period_start"], view["daily_period_end"]) == day_bounds(midnight)
    assert (view["monthly_period_start"], view["monthly_period_end"]) == (midnight, next_month_end)
    assert place(session, user, "buy", "1", "100").order.status is OrderStatus.filled
    # Midnight is the first instant of the new period: what was just spent counts.
    view = service.get_limits(session=session, user=user)
    assert (view[f"{limit}_spent"], view[f"{limit}_remaining"]) == (D(100), D(0))
    assert (view["monthly_period_start"], view["monthly_period_end"]) == (midnight, next_month_end)
    over = refused(session, user, "buy", "0.01", "1")
    expected_reset = day_bounds(midnight)[1] if limit == "daily" else next_month_end
    assert over.details == {"limit": limit, "limit_value": "100.00000000", "notional": "0.01000000",
                            "spent": "100.00000000", "remaining": "0.00000000", "excess": "0.01000000",
                            "resets_at": expected_reset.isoformat(), "order_id": over.details["order_id"]}
    # Each order is counted on the UTC day it was placed.
    by_day = service.metrics(session=session, user=user)["by_day"]
    assert [(row["day"], row["orders_total"], row["orders_filled"], row["orders_rejected"]) for row in by_day] == [
        (last_second.date(), 2, 1, 1), (midnight.date(), 2, 1, 1)]


def test_a_new_day_keeps_the_monthly_budget_and_a_new_month_resets_it(session, clock):
    """The monthly spending survives day changes inside the month and starts from zero on the 1st."""
    clock(utc(2024, 1, 15, 23, 59, 59))
    user = new_user(session)
    fund(session, user, "10000")
    service.set_limits(session=session, user=user, data={"daily_limit": D("100"), "monthly_limit": D("150")})
    place(session, user, "buy", "1", "100")
    clock(utc(2024, 1, 16))
    over = refused(session, user, "buy", "1", "60")
    assert over.details == {"limit": "monthly", "limit_value": "150.00000000", "notional": "60.00000000",
                            "spent": "100.00000000", "remaining": "50.00000000", "excess": "10.00000000",
                            "resets_at": "2024-02-01T00:00:00+00:00", "order_id": over.details["order_id"]}
    place(session, user, "buy", "1", "50")  # the daily limit started again at midnight
    view = service.get_limits(session=session, user=user)
    assert (view["daily_spent"], view["monthly_spent"], view["monthly_remaining"]) == (D(50), D(150), D(0))
    assert (view["monthly_period_start"], view["monthly_period_end"]) == (utc(2024, 1, 1), utc(2024, 2, 1))
    clock(utc(2024, 2, 1))
    place(session, user, "buy", "1", "100")
    view = service.get_limits(session=session, user=user)
    assert (view["daily_spent"], view["monthly_spent"], view["monthly_remaining"]) == (D(100), D(100), D(50))
    assert (view["monthly_period_start"], view["monthly_period_end"]) == (utc(2024, 2, 1), utc(2024, 3, 1))


@pytest.mark.parametrize(("now", "month"), [
    (utc(2024, 3, 15, 12), (utc(2024, 3, 1), utc(2024, 4, 1))),
    (utc(2024, 12, 1), (utc(2024, 12, 1), utc(2025, 1, 1))),
    (utc(2024, 12, 31, 23, 59, 59), (utc(2024, 12, 1), utc(2025, 1, 1))),
    (utc(2025, 1, 1), (utc(2025, 1, 1), utc(2025, 2, 1))),
    (utc(2023, 2, 14, 6), (utc(2023, 2, 1), utc(2023, 3, 1))),
])
def test_a_month_runs_from_the_first_to_the_first_of_the_next_month(now, month):
    """month_bounds: the calendar month around `now`, December rolling into January of the next year."""
    assert month_bounds(now) == month
    midnight = utc(now.year, now.month, now.day)
    assert day_bounds(now) == (midnight, midnight + timedelta(days=1))


# -- the same client_order_id, twice -------------------------------------------------------------


def test_a_twin_order_committed_after_the_check_returns_the_first_order(session, engine):
    """The unique constraint's fallback: the twin that won is returned, and nothing is filled twice."""
    user = new_user(session)
    fund(session, user, "1000")
    first = place(session, user, "buy", "1", "10").order
    # The first order takes the key between the service's look-up and its insert.
    with twin_committed_before(engine, "FROM positions", "UPDATE orders SET client_order_id = :key WHERE id = :id",
                               {"key": "twin-7", "id": first.id}) as fired:
        again = place(session, user, "buy", "1", "10", client_order_id="twin-7")
    assert fired, "the twin was never committed"
    assert (again.created, again.order.id, again.order.status) == (False, first.id, OrderStatus.filled)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.user_id == user.id)) == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(Fill).where(Fill.user_id == user.id)) == 1
    assert portfolio.get_balance(session=session, user=user) == D(990)
    assert_conserved(session, user.id)
