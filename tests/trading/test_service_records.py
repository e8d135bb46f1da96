"""What the trading service stores and answers: timestamps, hashes, counters, pages, messages, status.

Each test pins something a user or the database sees that mutation testing of
quantum/trading/service.py showed no test checking (issue 21): a field stored with the order's
time, the stored idempotency hash, a counter that must add up, the exact 409/422 message and
details, the order of a page, the status figures. The service runs on a real database, SQLite and
PostgreSQL; only the service's clock (its `utcnow`) and, for the status round trip, its stopwatch
are fixed.

The idempotency hash is stored with every order and compared when a client retries, also after an
upgrade: its canonical form is part of what is stored, so a test spells it out.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from quantum.archive.service import archive
from quantum.errors import APIError, ValidationFailed
from quantum.trading import service
from quantum.trading.models import Budget, DailyMetric, Fill, Order, OrderSide, OrderStatus, Position, SymbolMetric
from tests.db.helpers import real_head
from tests.trading.helpers import fund, new_user, place, refused, session_for, utc

D = Decimal


def stored(engine: sa.Engine, model: type, *where: Any) -> list[Any]:
    """The committed rows of `model` matching `where`, read in a session of their own."""
    with session_for(engine) as fresh:
        return list(fresh.scalars(sa.select(model).where(*where).order_by(model.id)))


# -- what a fill stores ------------------------------------------------------------------------------


def test_a_filled_order_records_the_time_it_was_placed_on_every_row_it_writes(session, engine, clock):
    """The order, its fill and the symbol's last fill carry the service's one "now" (its metrics day too)."""
    now = utc(2024, 5, 15, 10, 30, 5)
    clock(now)
    user = new_user(session)
    fund(session, user, "1000")
    placed = place(session, user, "buy", "2", "100")
    [order] = stored(engine, Order, Order.user_id == user.id)
    assert (order.id, order.created_at, order.filled_at) == (placed.order.id, now, now)
    [fill] = stored(engine, Fill, Fill.user_id == user.id)
    assert (fill.order_id, fill.created_at, fill.notional) == (order.id, now, D(200))
    [per_symbol] = stored(engine, SymbolMetric, SymbolMetric.user_id == user.id)
    assert (per_symbol.last_price, per_symbol.last_fill_at) == (D(100), now)
    [daily] = stored(engine, DailyMetric, DailyMetric.user_id == user.id)
    assert (daily.day, daily.orders_filled) == (now.date(), 1)


def test_a_rejected_order_records_when_it_was_placed_and_is_never_filled(session, engine, clock):
    """A refused order is stored with its time and reason, and no fill time."""
    now = utc(2024, 5, 15, 23, 59, 59)
    clock(now)
    user = new_user(session)
    refused(session, user, "sell", "1", "10")
    [order] = stored(engine, Order, Order.user_id == user.id)
    assert (order.status, order.reject_reason, order.created_at, order.filled_at) == (
        OrderStatus.rejected, "insufficient_position", now, None)
    assert (order.filled_quantity, order.realized_pnl) == (D(0), D(0))


# -- refusals: words, details and counters --------------------------------------------------------------


def test_each_refusal_says_why_in_words_and_counts_once_in_the_days_rejected_orders(session, clock):
    """Three refused AAPL orders on one day: three rejections for AAPL, each 409 with its own message."""
    clock(utc(2024, 5, 15, 12))
    user = new_user(session)
    fund(session, user, "100")
    cash = refused(session, user, "buy", "2", "100")
    position = refused(session, user, "sell", "1", "100")
    service.set_limits(session=session, user=user, data={"per_order_limit": D("10")})
    limit = refused(session, user, "buy", "1", "50")
    assert [(c.status, c.error, c.message) for c in (cash, position, limit)] == [
        (409, "insufficient_funds", "not enough cash for this order"),
        (409, "insufficient_position", "not enough of this symbol to sell"),
        (409, "risk_limit_exceeded", "this order would exceed a risk limit"),
    ]
    figures = service.metrics(session=session, user=user)
    assert (figures["orders_total"], figures["orders_rejected"], figures["orders_filled"]) == (3, 3, 0)
    [aapl] = figures["by_symbol"]
    [day] = figures["by_day"]
    assert (aapl["symbol"], aapl["orders_total"], aapl["orders_rejected"]) == ("AAPL", 3, 3)
    assert (day["day"], day["orders_total"], day["orders_rejected"]) == (date(2024, 5, 15), 3, 3)
    session.rollback()
    per_symbol = session.scalars(sa.select(SymbolMetric).where(SymbolMetric.user_id == user.id)).one()
    assert (per_symbol.orders_total, per_symbol.orders_rejected, per_symbol.last_price) == (3, 3, None)


def test_an_order_whose_notional_rounds_to_zero_is_refused_with_its_reason(session, engine):
    """quantity x price below a hundred-millionth is a 422 naming the quantity; nothing is stored."""
    user = new_user(session)
    fund(session, user, "1")
    with pytest.raises(ValidationFailed) as caught:
        place(session, user, "buy", "0.00000001", "0.5")
    assert (caught.value.status, caught.value.message, caught.value.details) == (
        422, "invalid input: quantity x price rounds to zero", {"quantity": ["quantity x price rounds to zero"]})
    assert stored(engine, Order, Order.user_id == user.id) == []


# -- idempotency ------------------------------------------------------------------------------------------

# The canonical form of {"symbol": "AAPL", "side": "buy", "quantity": 10, "price": 187.25}: sorted keys, no
# spaces, decimals without exponent or trailing zeros. Orders store its SHA-256; retries compare with it.
CANONICAL_AAPL = b'{"price":"187.25","quantity":"10","side":"buy","symbol":"AAPL"}'


def test_an_order_stores_the_hash_of_its_request_in_canonical_form(session, engine):
    """The stored request_hash is the SHA-256 of the canonical request, however the numbers were spelled."""
    expected = hashlib.sha256(CANONICAL_AAPL).hexdigest()
    assert service.order_request_hash(symbol="AAPL", side="buy", quantity=D("10.000"), price=D("187.250")) == expected
    assert service.order_request_hash(symbol="AAPL", side="buy", quantity=D("1E+1"), price=D("187.25")) == expected
    user = new_user(session)
    fund(session, user, "10000")
    first = place(session, user, "buy", "10.000", "187.250", client_order_id="buy-aapl-1")
    [order] = stored(engine, Order, Order.user_id == user.id)
    assert (order.id, order.client_order_id, order.request_hash) == (first.order.id, "buy-aapl-1", expected)
    # Without a client_order_id the hash is stored too (it costs nothing and keeps rows alike).
    second = place(session, user, "buy", "10", "187.25")
    assert [o.request_hash for o in stored(engine, Order, Order.id == second.order.id)] == [expected]


def test_an_order_stored_by_an_earlier_release_is_found_by_a_retry(session, engine):
    """A retry after an upgrade compares with the hash stored then: the same request answers that order."""
    user = new_user(session)
    fund(session, user, "10000")
    session.add(Order(user_id=user.id, client_order_id="before-upgrade", request_hash=hashlib.sha256(CANONICAL_AAPL)
                      .hexdigest(), symbol="AAPL", side=OrderSide.buy, quantity=D(10), price=D("187.25"),
                      notional=D("1872.5"), status=OrderStatus.filled, filled_quantity=D(10)))
    session.commit()
    [earlier] = stored(engine, Order, Order.user_id == user.id)
    again = place(session, user, "buy", "10", "187.25", client_order_id="before-upgrade")
    assert (again.created, again.order.id) == (False, earlier.id)
    assert len(stored(engine, Order, Order.user_id == user.id)) == 1


def test_a_retry_is_answered_as_not_created_and_a_reused_key_is_refused_with_the_order_it_names(session, engine):
    """created is False (not merely falsy) on a retry; a different request under the key is a 422 naming the order."""
    user = new_user(session)
    fund(session, user, "1000")
    first = place(session, user, "buy", "1", "10", client_order_id="k-1")
    assert first.created is True
    again = place(session, user, "buy", "1.0", "10.00", client_order_id="k-1")
    assert (again.created, again.order.id) == (False, first.order.id)
    assert again.created is False
    with pytest.raises(APIError) as caught:
        place(session, user, "buy", "2", "10", client_order_id="k-1")
    order_id = first.order.id
    assert (caught.value.status, caught.value.error) == (422, "idempotency_key_reused")
    assert caught.value.message == (
        "client_order_id 'k-1' was already used for a different order request; "
        "use a new client_order_id for a new order")
    assert caught.value.details == {
        "client_order_id": [f"already used by order {order_id} with a different request"], "order_id": order_id}
    assert len(stored(engine, Order, Order.user_id == user.id)) == 1


# -- another session wrote since -------------------------------------------------------------------------


def test_a_session_holding_a_users_rows_trades_on_what_another_session_wrote_since(session, engine):
    """A long-lived session that still holds the position, budget and metric rows re-reads them under the lock."""
    user = new_user(session)
    fund(session, user, "1000")
    place(session, user, "buy", "10", "10")
    # This session keeps its copies of the rows (objects are not expired on commit) ...
    held = [session.scalars(sa.select(model).where(model.user_id == user.id)).one()
            for model in (Position, Budget, DailyMetric, SymbolMetric)]
    session.commit()
    # ... while another session (another worker) sells 4 for the same user.
    with session_for(engine) as other:
        place(other, user, "sell", "4", "10")
    assert [type(row) for row in held] == [Position, Budget, DailyMetric, SymbolMetric]
    # Holding 6, not the 10 this session last saw: selling 7 is short by 1.
    short = refused(session, user, "sell", "7", "10")
    assert (short.details["available"], short.details["shortfall"]) == ("6.00000000", "1.00000000")
    place(session, user, "buy", "1", "10")
    [position] = stored(engine, Position, Position.user_id == user.id)
    assert (position.quantity, position.cost_basis) == (D(7), D(70))
    [budget] = stored(engine, Budget, Budget.user_id == user.id)
    assert (budget.daily_spent, budget.monthly_spent) == (D(150), D(150))  # 100 + 40 + 10
    [daily] = stored(engine, DailyMetric, DailyMetric.user_id == user.id)
    [per_symbol] = stored(engine, SymbolMetric, SymbolMetric.user_id == user.id)
    for row in (daily, per_symbol):
        assert (row.orders_total, row.orders_filled, row.orders_rejected) == (4, 3, 1)
        assert (row.buy_volume, row.sell_volume, row.closing_trades) == (D(110), D(40), 1)


# -- pages of orders ----------------------------------------------------------------------------------------


def test_orders_placed_in_the_same_instant_page_by_id_without_gaps_or_repeats(session, clock):
    """Equal created_at: newest id first, the cursor continues among equals, the last full page has no cursor."""
    clock(utc(2024, 5, 15, 10))
    user = new_user(session)
    fund(session, user, "1000")
    ids = [place(session, user, "buy", "1", "1").order.id for _ in range(4)]
    newest_first = ids[::-1]

    def page(limit: int, before: int | None = None) -> tuple[list[int], int | None]:
        items, cursor = service.list_orders(session=session, user=user, limit=limit, before=before)
        return [o.id for o in items], cursor

    assert page(2) == (newest_first[:2], newest_first[1])
    assert page(2, before=newest_first[1]) == (newest_first[2:], None)  # exactly two left: no further page
    assert page(3) == (newest_first[:3], newest_first[2])
    assert page(3, before=newest_first[2]) == (newest_first[3:], None)
    assert page(1) == (newest_first[:1], newest_first[0])
    assert page(0) == (newest_first[:1], newest_first[0])  # at least one per page
    assert page(500) == (newest_first, None)


def test_orders_are_listed_by_time_placed_not_by_id(session, clock):
    """A later created_at comes first even with a smaller id; the cursor never repeats a newer order."""
    user = new_user(session)
    fund(session, user, "1000")
    clock(utc(2024, 5, 15, 10))
    late = place(session, user, "buy", "1", "1").order.id
    clock(utc(2024, 5, 15, 9))
    early = [place(session, user, "buy", "1", "1").order.id for _ in range(2)]
    expected = [late, early[1], early[0]]
    items, cursor = service.list_orders(session=session, user=user, limit=2)
    assert ([o.id for o in items], cursor) == (expected[:2], expected[1])
    items, cursor = service.list_orders(session=session, user=user, limit=2, before=cursor)
    assert ([o.id for o in items], cursor) == (expected[2:], None)
    items, _ = service.list_orders(session=session, user=user, limit=1, before=late)
    assert [o.id for o in items] == [early[1]]


def test_a_page_of_orders_holds_fifty_unless_asked_otherwise(session):
    """The service's default page is 50 orders, with a cursor to the 51st."""
    user = new_user(session)
    when = utc(2024, 5, 15, 10)
    session.add_all(Order(user_id=user.id, symbol="AAPL", side=OrderSide.buy, quantity=D(1), price=D(1), notional=D(1),
                          status=OrderStatus.filled, filled_quantity=D(1), created_at=when + timedelta(seconds=n))
                    for n in range(51))
    session.commit()
    items, cursor = service.list_orders(session=session, user=user)
    assert len(items) == 50 and cursor == items[-1].id
    assert items[0].created_at == when + timedelta(seconds=50)


def test_archived_orders_are_listed_only_when_asked_and_page_with_the_live_ones(session, engine, clock):
    """include_archived pages across the live table and the archive with the same cursor; by default, live only."""
    user, other = new_user(session), new_user(session)
    fund(session, user, "1000")
    fund(session, other, "1000")
    filled = []
    for hour in (10, 11, 12):
        clock(utc(2024, 1, 10, hour))
        filled.append(place(session, user, "buy", "1", "10").order.id)
        place(session, other, "buy", "1", "10")
    clock(utc(2024, 1, 10, 13))
    rejected = refused(session, user, "sell", "5", "10").details["order_id"]
    moved = archive(engine=engine, table="orders", older_than=timedelta(days=1), actor="test")
    assert moved.rows == 6  # every filled order of both users; the rejected one stays live
    session.rollback()

    def ids(**kwargs: Any) -> tuple[list[int], int | None]:
        items, cursor = service.list_orders(session=session, user=user, **kwargs)
        return [o.id for o in items], cursor

    assert ids() == ([rejected], None)
    assert ids(include_archived=False, limit=10) == ([rejected], None)
    assert ids(include_archived=True, limit=2) == ([rejected, filled[2]], filled[2])
    assert ids(include_archived=True, limit=2, before=filled[2]) == ([filled[1], filled[0]], None)
    everything, _ = service.list_orders(session=session, user=user, include_archived=True)
    assert [(o.id, o.user_id, o.status) for o in everything] == [
        (rejected, user.id, OrderStatus.rejected), *((i, user.id, OrderStatus.filled) for i in filled[::-1])]


# -- positions -----------------------------------------------------------------------------------------


def test_positions_list_open_ones_unless_flat_ones_are_asked_for(session):
    """By default a sold-out position is not listed; include_flat lists it."""
    user = new_user(session)
    fund(session, user, "1000")
    place(session, user, "buy", "1", "10", symbol="AAPL")
    place(session, user, "buy", "1", "10", symbol="MSFT")
    place(session, user, "sell", "1", "12", symbol="MSFT")
    session.rollback()
    assert [p["symbol"] for p in service.list_positions(session=session, user=user)] == ["AAPL"]
    assert [p["symbol"] for p in service.list_positions(session=session, user=user, include_flat=True)] == [
        "AAPL", "MSFT"]


def test_a_position_without_a_fill_price_is_listed_without_market_value(session):
    """A position row with no symbol metric (say, imported) has no last price, market value or unrealized P&L."""
    user = new_user(session)
    session.add(Position(user_id=user.id, symbol="IBM", quantity=D(2), cost_basis=D(300), realized_pnl=D(0)))
    session.commit()
    [position] = service.list_positions(session=session, user=user)
    assert (position["symbol"], position["quantity"], position["average_cost"]) == ("IBM", D(2), D(150))
    assert (position["last_price"], position["market_value"], position["unrealized_pnl"]) == (None, None, None)


# -- limits --------------------------------------------------------------------------------------------


def test_setting_a_limit_answers_every_limit_spending_and_period(session, clock):
    """The limits view has each limit, what is spent and remains, both periods and the currency."""
    clock(utc(2024, 5, 15, 10, 30))
    user = new_user(session)
    expected = {
        "per_order_limit": D("1000000"), "daily_limit": D("10000000"), "monthly_limit": D("100000000"),
        "daily_spent": D(0), "monthly_spent": D(0), "daily_remaining": D("10000000"),
        "monthly_remaining": D("100000000"),
        "daily_period_start": utc(2024, 5, 15), "daily_period_end": utc(2024, 5, 16),
        "monthly_period_start": utc(2024, 5, 1), "monthly_period_end": utc(2024, 6, 1),
        "currency": "USD",
    }
    assert service.get_limits(session=session, user=user) == expected  # the defaults, before any write
    answer = service.set_limits(session=session, user=user, data={"per_order_limit": D("500")})
    assert answer == {**expected, "per_order_limit": D("500")}
    assert service.get_limits(session=session, user=user) == answer


# -- metrics -------------------------------------------------------------------------------------------


def test_metrics_between_dates_say_which_dates_and_refuse_a_reversed_range(session, clock):
    """from/to are echoed with the currency; either may be left open; from after to is a 422 naming 'from'."""
    user = new_user(session)
    fund(session, user, "1000")
    clock(utc(2024, 5, 14, 12))
    place(session, user, "buy", "1", "10")
    clock(utc(2024, 5, 15, 12))
    place(session, user, "buy", "2", "10")
    first, second = date(2024, 5, 14), date(2024, 5, 15)
    up_to = service.metrics(session=session, user=user, date_to=first)
    assert (up_to["from"], up_to["to"], up_to["currency"], up_to["orders_total"]) == (None, first, "USD", 1)
    since = service.metrics(session=session, user=user, date_from=second)
    assert (since["from"], since["to"], since["currency"], since["buy_volume"]) == (second, None, "USD", D(20))
    both = service.metrics(session=session, user=user, date_from=first, date_to=first)
    assert (both["from"], both["to"], both["buy_volume"]) == (first, first, D(10))
    with pytest.raises(ValidationFailed) as caught:
        service.metrics(session=session, user=user, date_from=second, date_to=first)
    assert (caught.value.status, caught.value.message, caught.value.details) == (
        422, "invalid input: from is after to", {"from": ["must not be after 'to'"]})


def test_a_summary_of_stored_metric_rows_matches_the_metrics_answer(session, engine, clock):
    """summarize() over daily rows gives the metrics figures per symbol and day; over per-symbol rows, no days."""
    user = new_user(session)
    fund(session, user, "1000")
    clock(utc(2024, 5, 14, 12))
    place(session, user, "buy", "2", "10", symbol="AAPL")
    clock(utc(2024, 5, 15, 12))
    place(session, user, "sell", "1", "15", symbol="AAPL")
    place(session, user, "buy", "1", "20", symbol="MSFT")
    answer = service.metrics(session=session, user=user)
    figures = {key: value for key, value in answer.items() if key not in ("from", "to", "currency")}
    daily = stored(engine, DailyMetric, DailyMetric.user_id == user.id)
    assert service.summarize(daily) == figures
    assert [row["day"] for row in figures["by_day"]] == [date(2024, 5, 14), date(2024, 5, 15)]
    per_symbol = service.summarize(stored(engine, SymbolMetric, SymbolMetric.user_id == user.id))
    assert per_symbol == {**figures, "by_day": []}


# -- status ----------------------------------------------------------------------------------------------


class Stopwatch:
    """A perf_counter whose first reading is 0 and every later one `elapsed` seconds on."""

    def __init__(self, elapsed: float) -> None:
        self.elapsed = elapsed
        self.readings = 0

    def perf_counter(self) -> float:
        """The time in seconds: 0 at the first reading, `elapsed` after it."""
        self.readings += 1
        return 0.0 if self.readings == 1 else self.elapsed


def status_timed(monkeypatch: pytest.MonkeyPatch, engine: sa.Engine, elapsed: float,
                 schema_ready: bool = True) -> dict[str, Any]:
    """trading_status on a real database whose round trip the service measures as `elapsed` seconds."""
    monkeypatch.setattr(service, "time", SimpleNamespace(perf_counter=Stopwatch(elapsed).perf_counter))
    return service.trading_status(engine=engine, schema_ready=schema_ready)


def test_status_reports_the_round_trip_in_milliseconds_to_two_places(monkeypatch, engine, backend):
    """12.3456 ms is reported as 12.35, with the backend and the revision; the database answers, so active."""
    body = status_timed(monkeypatch, engine, 0.0123456)
    assert body["database"] == {"backend": backend, "revision": real_head(), "latency_ms": 12.35}
    assert (body["status"], "reason" in body) == ("active", False)


def test_status_is_degraded_only_past_a_second(monkeypatch, engine):
    """A round trip of exactly 1000 ms is still active; 1000.01 ms is degraded as database_slow."""
    at_limit = status_timed(monkeypatch, engine, 1.0)
    assert (at_limit["status"], at_limit["database"]["latency_ms"], "reason" in at_limit) == ("active", 1000.0, False)
    slow = status_timed(monkeypatch, engine, 1.00001)
    assert (slow["status"], slow["reason"], slow["database"]["latency_ms"]) == ("degraded", "database_slow", 1000.01)


def test_status_is_degraded_while_the_schema_is_not_ready(engine, backend):
    """A database that answers at a schema not ready: degraded, schema_not_ready, with the database's figures."""
    body = service.trading_status(engine=engine, schema_ready=False)
    assert (body["status"], body["reason"]) == ("degraded", "schema_not_ready")
    assert (body["database"]["backend"], body["database"]["revision"]) == (backend, real_head())


def test_status_of_an_unreachable_database_names_every_figure_as_unknown():
    """No answer: degraded as database_unreachable, the backend named, revision and latency null."""
    dead = sa.create_engine("postgresql+psycopg2://postgres@127.0.0.1:9/none", connect_args={"connect_timeout": 1})
    body = service.trading_status(engine=dead, schema_ready=False)
    assert (body["status"], body["reason"]) == ("degraded", "database_unreachable")
    assert body["database"] == {"backend": "postgresql", "revision": None, "latency_ms": None}

