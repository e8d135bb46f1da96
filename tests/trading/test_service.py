"""The trading service called directly with a session (no HTTP), on both databases."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from quantum.core.money import ZERO, quantize
from quantum.core.time import utcnow
from quantum.db.unit_of_work import is_transient, unit_of_work
from quantum.errors import APIError, Conflict, NotFound
from quantum.portfolio import service as portfolio
from quantum.trading import service
from quantum.trading.models import Budget, DailyMetric, Fill, Order, OrderStatus, Position
from tests.trading.helpers import assert_conserved, new_user


def _order(session, user, side, quantity, price, symbol="AAPL", **extra):
    data = {"symbol": symbol, "side": side, "quantity": Decimal(quantity), "price": Decimal(price), **extra}
    return service.place_order(session=session, user=user, data=data)


def _fund(session, user, amount):
    return portfolio.deposit(session=session, user=user, data={"amount": Decimal(amount), "currency": "USD"})


def test_average_cost_and_realized_pnl(session):
    user = new_user(session)
    _fund(session, user, "10000")
    _order(session, user, "buy", "3", "100")
    _order(session, user, "buy", "1", "104")  # average cost 101
    result = _order(session, user, "sell", "2", "110")
    assert result.order.realized_pnl == Decimal("18")  # 2 x (110 - 101)
    position = session.scalars(sa.select(Position).where(Position.user_id == user.id)).one()
    assert (position.quantity, position.average_cost, position.cost_basis) == (Decimal(2), Decimal(101), Decimal(202))
    # Selling everything releases the whole cost basis: nothing is left over from rounding.
    _order(session, user, "buy", "1", "100.33333333")
    _order(session, user, "sell", "3", "99")
    session.refresh(position)
    assert position.quantity == ZERO and position.cost_basis == ZERO
    assert_conserved(session, user.id)


def test_rejected_orders_are_recorded_and_repeat_their_answer(session):
    user = new_user(session)
    _fund(session, user, "50")
    with pytest.raises(Conflict) as caught:
        _order(session, user, "buy", "1", "60", client_order_id="too-big")
    assert caught.value.error == "insufficient_funds"
    assert caught.value.details["shortfall"] == "10.00000000" and caught.value.details["available"] == "50.00000000"
    _fund(session, user, "50")
    with pytest.raises(Conflict) as again:  # same client_order_id: the same answer, never a fill
        _order(session, user, "buy", "1", "60", client_order_id="too-big")
    assert again.value.details["order_id"] == caught.value.details["order_id"]
    with pytest.raises(Conflict) as selling:
        _order(session, user, "sell", "1", "60", symbol="MSFT")
    assert selling.value.error == "insufficient_position" and selling.value.details["shortfall"] == "1.00000000"
    orders = session.scalars(sa.select(Order).where(Order.user_id == user.id)).all()
    assert [o.status for o in orders] == [OrderStatus.rejected, OrderStatus.rejected]
    assert session.scalar(sa.select(sa.func.count()).select_from(Fill)) == 0
    figures = service.metrics(session=session, user=user)
    assert (figures["orders_total"], figures["orders_filled"], figures["orders_rejected"]) == (2, 0, 2)


def test_client_order_id_returns_the_first_order(session):
    user = new_user(session)
    _fund(session, user, "1000")
    first = _order(session, user, "buy", "1", "10", client_order_id="abc")
    again = _order(session, user, "buy", "1.000", "10.0", client_order_id="abc")
    assert first.created and not again.created and again.order.id == first.order.id
    # The same key with another request is refused, and nothing is written.
    with pytest.raises(APIError) as refused:
        _order(session, user, "buy", "5", "20", client_order_id="abc")
    assert (refused.value.status, refused.value.error) == (422, "idempotency_key_reused")
    assert session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.user_id == user.id)) == 1
    other = new_user(session)
    _fund(session, other, "1000")
    assert _order(session, other, "buy", "1", "10", client_order_id="abc").created  # per user, not global
    assert session.scalar(sa.select(sa.func.count()).select_from(Fill).where(Fill.user_id == user.id)) == 1


def test_risk_limits_and_period_rollover(session):
    user = new_user(session)
    _fund(session, user, "100000")
    service.set_limits(session=session, user=user, data={"per_order_limit": Decimal("500"),
                                                         "daily_limit": Decimal("800")})
    with pytest.raises(Conflict) as caught:
        _order(session, user, "buy", "6", "100")
    assert caught.value.error == "risk_limit_exceeded" and caught.value.details["limit"] == "per_order"
    _order(session, user, "buy", "5", "100")
    with pytest.raises(Conflict) as daily:
        _order(session, user, "buy", "4", "100")
    assert daily.value.details["limit"] == "daily" and daily.value.details["remaining"] == "300.00000000"
    # A new day starts from zero: move the stored period into the past.
    budget = session.scalars(sa.select(Budget).where(Budget.user_id == user.id)).one()
    budget.daily_period_start -= timedelta(days=1)
    budget.daily_period_end = utcnow() - timedelta(seconds=1)
    session.commit()
    assert service.get_limits(session=session, user=user)["daily_spent"] == ZERO
    _order(session, user, "buy", "4", "100")
    limits = service.get_limits(session=session, user=user)
    assert limits["daily_spent"] == Decimal("400") and limits["monthly_spent"] == Decimal("900")
    service.set_limits(session=session, user=user, data={"per_order_limit": None})
    _order(session, user, "buy", "1", "390")  # no per-order limit any more; daily 790 <= 800
    assert_conserved(session, user.id)


def test_metrics_equal_a_recomputation_from_the_fills(session):
    rng = random.Random(7)
    user = new_user(session)
    _fund(session, user, "500000")
    for _ in range(80):
        symbol = rng.choice(["AAPL", "MSFT", "BRK.B"])
        side = rng.choice(["buy", "buy", "sell"])
        quantity = str(quantize(Decimal(rng.randint(1, 500)) / 100))
        price = str(quantize(Decimal(rng.randint(9000, 11000)) / 100))
        try:
            _order(session, user, side, quantity, price, symbol=symbol)
        except Conflict:
            pass
    # Move MSFT's history one day back, as if traded yesterday (aggregates, orders and fills together).
    for model in (DailyMetric, Order, Fill):
        for row in session.scalars(sa.select(model).where(model.symbol == "MSFT")):
            if model is DailyMetric:
                row.day -= timedelta(days=1)
            else:
                row.created_at -= timedelta(days=1)
    session.commit()

    fills = session.execute(sa.select(Fill, Order.side).join(Order, Order.id == Fill.order_id)
                            .where(Fill.user_id == user.id)).all()
    orders = session.scalars(sa.select(Order).where(Order.user_id == user.id)).all()

    def expected(day=None, symbol=None):
        def keep(symbol_, when):
            return (symbol is None or symbol_ == symbol) and (day is None or when.date() == day)
        chosen = [(f, side) for f, side in fills if keep(f.symbol, f.created_at)]
        sells = [f for f, side in chosen if side == "sell"]
        return {
            "orders_filled": len(chosen),
            "orders_total": len([o for o in orders if keep(o.symbol, o.created_at)]),
            "buy_volume": sum((f.notional for f, side in chosen if side == "buy"), ZERO),
            "sell_volume": sum((f.notional for f in sells), ZERO),
            "realized_pnl": sum((f.realized_pnl for f in sells), ZERO),
            "closing_trades": len(sells),
            "winning_trades": len([f for f in sells if f.realized_pnl > 0]),
        }

    figures = service.metrics(session=session, user=user)
    assert {k: figures[k] for k in expected()} == expected()
    assert figures["volume"] == figures["buy_volume"] + figures["sell_volume"]
    closing = figures["closing_trades"]
    assert figures["win_rate"] == (Decimal(figures["winning_trades"]) / closing).quantize(Decimal("0.0001"))
    for row in figures["by_symbol"]:
        assert {k: row[k] for k in expected()} == expected(symbol=row["symbol"]), row["symbol"]
    assert len(figures["by_day"]) == 2
    for row in figures["by_day"]:
        assert {k: row[k] for k in expected()} == expected(day=row["day"]), row["day"]
    today = utcnow().date()
    ranged = service.metrics(session=session, user=user, date_from=today, date_to=today)
    assert [row["symbol"] for row in ranged["by_symbol"]] == ["AAPL", "BRK.B"]
    assert {k: ranged[k] for k in expected()} == expected(day=today)
    assert_conserved(session, user.id)


def test_another_users_order_is_not_found(session):
    owner, stranger = new_user(session), new_user(session)
    _fund(session, owner, "100")
    placed = _order(session, owner, "buy", "1", "10").order
    assert service.get_order(session=session, user=owner, order_id=placed.id).id == placed.id
    with pytest.raises(NotFound):
        service.get_order(session=session, user=stranger, order_id=placed.id)
    with pytest.raises(NotFound):
        service.list_orders(session=session, user=stranger, before=placed.id)
    assert service.list_orders(session=session, user=stranger) == ([], None)


def test_orders_page_newest_first(session):
    user = new_user(session)
    _fund(session, user, "1000")
    ids = [_order(session, user, "buy", "1", "1").order.id for _ in range(5)]
    page, cursor = service.list_orders(session=session, user=user, limit=2)
    seen = [o.id for o in page]
    while cursor is not None:
        page, cursor = service.list_orders(session=session, user=user, limit=2, before=cursor)
        seen += [o.id for o in page]
    assert seen == ids[::-1]


def test_transient_errors_are_retried_whole(session, backend):
    """A transaction that hits a busy/serialization error is rolled back and run again from the start."""
    calls = []
    message = "database is locked" if backend == "sqlite" else "could not serialize access"

    @unit_of_work(sleep=lambda _: None)
    def work(*, session):
        calls.append(1)
        if len(calls) < 3:
            error = sa.exc.OperationalError("UPDATE balances", {}, Exception(message))
            if backend == "postgresql":
                error.orig.pgcode = "40001"
            raise error
        return "done"

    assert work(session=session) == "done"
    assert len(calls) == 3


def test_what_counts_as_transient():
    locked = sa.exc.OperationalError("x", {}, Exception("database is locked"))
    assert is_transient(locked)
    deadlock = sa.exc.OperationalError("x", {}, Exception("deadlock detected"))
    deadlock.orig.pgcode = "40P01"
    assert is_transient(deadlock)
    assert not is_transient(sa.exc.IntegrityError("x", {}, Exception("UNIQUE constraint failed")))
    assert not is_transient(ValueError("database is locked"))


def test_status_degraded_when_the_database_does_not_answer():
    dead = sa.create_engine("postgresql+psycopg2://postgres@127.0.0.1:9/none", connect_args={"connect_timeout": 1})
    body = service.trading_status(engine=dead, schema_ready=True)
    assert body["status"] == "degraded" and body["reason"] == "database_unreachable"
    assert body["database"]["backend"] == "postgresql" and body["database"]["latency_ms"] is None


def test_a_refused_sell_leaves_no_empty_position(session):
    user = new_user(session)
    with pytest.raises(Conflict):
        _order(session, user, "sell", "1", "10", symbol="NEVER")
    assert session.scalars(sa.select(Position).where(Position.user_id == user.id)).all() == []
    assert service.metrics(session=session, user=user)["orders_rejected"] == 1


def test_a_database_busy_past_every_retry_is_a_503(session):
    from quantum.errors import ServiceUnavailable

    @unit_of_work(attempts=3, sleep=lambda _: None)
    def work(*, session):
        raise sa.exc.OperationalError("UPDATE balances", {}, Exception("database is locked"))

    with pytest.raises(ServiceUnavailable) as caught:
        work(session=session)
    assert caught.value.status == 503 and caught.value.error == "database_busy" and caught.value.retry_after == 1
