"""Paper trading rules: orders filled in one transaction, positions, risk limits, metrics, status.

No HTTP here. Every write is one unit of work (`quantum.db.unit_of_work`), retried whole on a busy
SQLite database or a PostgreSQL serialization failure or deadlock.
"""

from __future__ import annotations

import hashlib
import json
import operator
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quantum.auth.models import User
from quantum.cash.locks import lock_balance
from quantum.core.money import ZERO, fmt, quantize
from quantum.core.time import utcnow
from quantum.db.unit_of_work import unit_of_work
from quantum.errors import APIError, Conflict, NotFound, ValidationFailed
from quantum.trading.models import (
    Budget,
    DailyMetric,
    Fill,
    Order,
    OrderSide,
    OrderStatus,
    Position,
    SymbolMetric,
    average_cost,
)

# Limits a user starts with; `PUT /api/trading/limits` changes them (null removes one).
DEFAULT_LIMITS = {
    "per_order_limit": Decimal("1000000"),
    "daily_limit": Decimal("10000000"),
    "monthly_limit": Decimal("100000000"),
}
MAX_PAGE = 100
WIN_RATE_PLACES = Decimal("0.0001")
SLOW_DATABASE_MS = 1000.0


@dataclass(frozen=True)
class OrderResult:
    """The order and whether this call created it (False: an earlier order with the same client_order_id)."""

    order: Order
    created: bool


# -- periods -----------------------------------------------------------------------------------


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The UTC day containing `now`: [midnight, next midnight)."""
    start = datetime(now.year, now.month, now.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The UTC calendar month containing `now`: [first, first of next month)."""
    start = datetime(now.year, now.month, 1, tzinfo=UTC)
    end = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def new_budget(user_id: int, now: datetime) -> Budget:
    """A budget with the default limits and fresh periods (not added to any session)."""
    day_start, day_end = day_bounds(now)
    month_start, month_end = month_bounds(now)
    return Budget(
        user_id=user_id, **DEFAULT_LIMITS, daily_spent=ZERO, monthly_spent=ZERO,
        daily_period_start=day_start, daily_period_end=day_end,
        monthly_period_start=month_start, monthly_period_end=month_end, updated_at=now,
    )


def roll_periods(budget: Budget, now: datetime) -> None:
    """Start a new day or month (spending back to zero) when `now` is outside the stored period."""
    if not budget.daily_period_start <= now < budget.daily_period_end:
        budget.daily_period_start, budget.daily_period_end = day_bounds(now)
        budget.daily_spent = ZERO
    if not budget.monthly_period_start <= now < budget.monthly_period_end:
        budget.monthly_period_start, budget.monthly_period_end = month_bounds(now)
        budget.monthly_spent = ZERO


def _locked_budget(s: Session, user_id: int, now: datetime) -> Budget:
    budget = s.scalars(
        sa.select(Budget).where(Budget.user_id == user_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if budget is None:
        # Safe without ON CONFLICT: the caller holds the user's balance lock, so nobody else can insert it.
        budget = new_budget(user_id, now)
        s.add(budget)
    roll_periods(budget, now)
    return budget


def _locked_position(s: Session, user_id: int, symbol: str) -> Position:
    position = s.scalars(
        sa.select(Position)
        .where(Position.user_id == user_id, Position.symbol == symbol)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if position is None:
        # Added to the session only when an order fills: a refused order leaves no empty position behind.
        position = Position(user_id=user_id, symbol=symbol, quantity=ZERO, cost_basis=ZERO, realized_pnl=ZERO)
    return position


def _metric_rows(s: Session, user_id: int, symbol: str, day: date) -> tuple[DailyMetric, SymbolMetric]:
    daily = s.scalars(
        sa.select(DailyMetric)
        .where(DailyMetric.user_id == user_id, DailyMetric.day == day, DailyMetric.symbol == symbol)
        .execution_options(populate_existing=True)
    ).first()
    if daily is None:
        daily = DailyMetric(user_id=user_id, day=day, symbol=symbol)
        s.add(daily)
    per_symbol = s.scalars(
        sa.select(SymbolMetric)
        .where(SymbolMetric.user_id == user_id, SymbolMetric.symbol == symbol)
        .execution_options(populate_existing=True)
    ).first()
    if per_symbol is None:
        per_symbol = SymbolMetric(user_id=user_id, symbol=symbol)
        s.add(per_symbol)
    return daily, per_symbol


# -- orders ------------------------------------------------------------------------------------


def _risk_rejection(budget: Budget, notional: Decimal) -> dict[str, Any] | None:
    checks = (
        ("per_order", budget.per_order_limit, ZERO, None),
        ("daily", budget.daily_limit, budget.daily_spent, budget.daily_period_end),
        ("monthly", budget.monthly_limit, budget.monthly_spent, budget.monthly_period_end),
    )
    for name, limit, spent, resets_at in checks:
        if limit is not None and spent + notional > limit:
            details = {
                "limit": name, "limit_value": fmt(limit), "notional": fmt(notional),
                "spent": fmt(spent), "remaining": fmt(max(limit - spent, ZERO)),
                "excess": fmt(spent + notional - limit),
            }
            if resets_at is not None:
                details["resets_at"] = resets_at.isoformat()
            return details
    return None


REJECT_MESSAGES = {
    "insufficient_funds": "not enough cash for this order",
    "insufficient_position": "not enough of this symbol to sell",
    "risk_limit_exceeded": "this order would exceed a risk limit",
}


def count_fill(counters: Any, *, buy: bool, notional: Decimal, pnl: Decimal) -> None:
    """Add one fill to a metric row's counters (ORM row or the seed's counters: the same attributes)."""
    counters.orders_filled += 1
    if buy:
        counters.buy_volume = quantize(counters.buy_volume + notional)
    else:
        counters.sell_volume = quantize(counters.sell_volume + notional)
        counters.realized_pnl = quantize(counters.realized_pnl + pnl)
        counters.closing_trades += 1
        counters.winning_trades += int(pnl > 0)


def _plain(number: Decimal) -> str:
    """A decimal in one spelling: no exponent, no trailing zeros ("1.50" and "1.5" agree)."""
    text = format(Decimal(number).normalize(), "f")
    return "0" if text in ("-0", "0") else text


def order_request_hash(*, symbol: str, side: str, quantity: Decimal, price: Decimal) -> str:
    """SHA-256 of an order request in normalized form: what an idempotency key is bound to."""
    canonical = {"price": _plain(price), "quantity": _plain(quantity), "side": str(side), "symbol": symbol}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _same_request(order: Order, request_hash: str, quantity: Decimal, price: Decimal, symbol: str,
                  side: OrderSide) -> bool:
    if order.request_hash is not None:
        return order.request_hash == request_hash
    # Orders placed before request hashes were stored: compare what was stored of the request.
    return (order.symbol, order.side, order.quantity, order.price) == (symbol, side, quantize(quantity),
                                                                     quantize(price))


def _refuse_reused_key(order: Order, client_order_id: str) -> APIError:
    return APIError(
        f"client_order_id {client_order_id!r} was already used for a different order request; "
        "use a new client_order_id for a new order",
        status=422, error="idempotency_key_reused",
        details={"client_order_id": [f"already used by order {order.id} with a different request"],
                 "order_id": order.id},
    )


@dataclass(frozen=True)
class _OrderRequest:
    """An order request in normalized form: what one unit of work fills or refuses."""

    user_id: int
    symbol: str
    side: OrderSide
    quantity: Decimal
    price: Decimal
    notional: Decimal
    client_order_id: str | None
    request_hash: str


def place_order(*, session: Session, user: User, data: dict[str, Any]) -> OrderResult:
    """Fill a paper order at its limit price, moving cash and position atomically; idempotent by client_order_id.

    Raises Conflict (409) for insufficient_funds, insufficient_position or risk_limit_exceeded; the
    rejected order is recorded (and counted in the metrics), and repeating its client_order_id
    repeats the same 409 instead of filling. The same client_order_id with a different request
    (symbol, side, quantity or price) is refused with 422 idempotency_key_reused; nothing is written.
    """
    symbol, side = data["symbol"], OrderSide(data["side"])
    quantity, price = quantize(data["quantity"]), quantize(data["price"])
    notional = quantize(quantity * price)
    if notional <= 0:
        raise ValidationFailed(
            "invalid input: quantity x price rounds to zero", details={"quantity": ["quantity x price rounds to zero"]}
        )
    request = _OrderRequest(
        user_id=user.id, symbol=symbol, side=side, quantity=quantity, price=price, notional=notional,
        client_order_id=data.get("client_order_id"),
        request_hash=order_request_hash(symbol=symbol, side=side.value, quantity=data["quantity"], price=data["price"]),
    )
    try:
        result = _fill(session=session, request=request)
    except IntegrityError:
        # Backstop for the unique (user_id, client_order_id) constraint: a twin committed first.
        # (The unit of work rolled back already; this read starts afresh and sees the twin's commit.)
        earlier = _earlier_order(session, request)
        if earlier is None:
            raise
        result = OrderResult(earlier, False)
    if result.order.status is OrderStatus.rejected:
        reason = result.order.reject_reason or "conflict"
        raise Conflict(
            REJECT_MESSAGES.get(reason, "the order was rejected"), error=reason,
            details={**(result.order.reject_details or {}), "order_id": result.order.id},
        )
    return result


def _earlier_order(session: Session, request: _OrderRequest) -> Order | None:
    """The user's order with this client_order_id; 422 when it was for a different request."""
    client_order_id = request.client_order_id
    if client_order_id is None:
        return None
    earlier = session.scalars(
        sa.select(Order).where(Order.user_id == request.user_id, Order.client_order_id == client_order_id)
    ).first()
    if earlier is not None and not _same_request(earlier, request.request_hash, request.quantity, request.price,
                                                 request.symbol, request.side):
        raise _refuse_reused_key(earlier, client_order_id)
    return earlier


@unit_of_work
def _fill(*, session: Session, request: _OrderRequest) -> OrderResult:
    """One order's transaction: record it filled (cash, position, budget, metrics move) or rejected."""
    user_id, symbol, side = request.user_id, request.symbol, request.side
    quantity, price, notional = request.quantity, request.price, request.notional
    # Lock order: balance (the per-user mutex), position, budget, metrics. Same in every transaction.
    balance = lock_balance(session=session, user_id=user_id)
    # Checked under the lock, so a concurrent twin with the same client_order_id is seen committed here.
    if (earlier := _earlier_order(session, request)) is not None:
        return OrderResult(earlier, False)
    now = utcnow()
    position = _locked_position(session, user_id, symbol)
    budget = _locked_budget(session, user_id, now)
    daily, per_symbol = _metric_rows(session, user_id, symbol, now.date())
    order = Order(
        user_id=user_id, client_order_id=request.client_order_id, request_hash=request.request_hash, symbol=symbol,
        side=side, quantity=quantity, price=price, notional=notional, status=OrderStatus.filled,
        filled_quantity=ZERO, realized_pnl=ZERO, created_at=now,
    )
    for row in (daily, per_symbol):
        row.orders_total += 1

    rejection: tuple[str, dict[str, Any]] | None = None
    if (risk := _risk_rejection(budget, notional)) is not None:
        rejection = ("risk_limit_exceeded", risk)
    elif side is OrderSide.buy and balance.available < notional:
        rejection = ("insufficient_funds", {
            "required": fmt(notional), "available": fmt(balance.available),
            "shortfall": fmt(notional - balance.available), "currency": balance.currency,
        })
    elif side is OrderSide.sell and position.quantity < quantity:
        rejection = ("insufficient_position", {
            "symbol": symbol, "required": fmt(quantity), "available": fmt(position.quantity),
            "shortfall": fmt(quantity - position.quantity),
        })
    if rejection is not None:
        order.status = OrderStatus.rejected
        order.reject_reason, order.reject_details = rejection
        for row in (daily, per_symbol):
            row.orders_rejected += 1
        session.add(order)
        session.flush()
        return OrderResult(order, True)

    pnl = ZERO
    if side is OrderSide.buy:
        balance.available = quantize(balance.available - notional)
        position.quantity = quantize(position.quantity + quantity)
        position.cost_basis = quantize(position.cost_basis + notional)
    else:
        # Average cost: the sold fraction releases its share of the cost basis; selling everything
        # releases all of it, so no rounding residue is ever left on a flat position.
        released = (
            position.cost_basis if quantity == position.quantity
            else quantize(position.cost_basis * quantity / position.quantity)
        )
        pnl = quantize(notional - released)
        balance.available = quantize(balance.available + notional)
        position.quantity = quantize(position.quantity - quantity)
        position.cost_basis = quantize(position.cost_basis - released)
        position.realized_pnl = quantize(position.realized_pnl + pnl)
    position.updated_at = now
    session.add(position)
    budget.daily_spent = quantize(budget.daily_spent + notional)
    budget.monthly_spent = quantize(budget.monthly_spent + notional)
    order.filled_quantity = quantity
    order.realized_pnl = pnl
    order.filled_at = now
    session.add(order)
    session.flush()
    session.add(Fill(order_id=order.id, user_id=user_id, symbol=symbol, quantity=quantity, price=price,
               notional=notional, realized_pnl=pnl, created_at=now))
    for row in (daily, per_symbol):
        count_fill(row, buy=side is OrderSide.buy, notional=notional, pnl=pnl)
    per_symbol.last_price = price
    per_symbol.last_fill_at = now
    session.flush()
    return OrderResult(order, True)


def list_orders(
    *, session: Session, user: User, limit: int = 50, before: int | None = None, include_archived: bool = False
) -> tuple[list[Order], int | None]:
    """The user's orders newest first, after the `before` cursor (an order id); and the next cursor."""
    limit = max(1, min(limit, MAX_PAGE))
    if include_archived:
        from quantum.core.pagination import page_with_archive
        from quantum.trading.models import orders_archive

        return page_with_archive(session=session, model=Order, archive=orders_archive, user_id=user.id,
                                 limit=limit, before=before)
    query = sa.select(Order).where(Order.user_id == user.id)
    if before is not None:
        anchor = get_order(session=session, user=user, order_id=before)
        query = query.where(
            sa.or_(
                Order.created_at < anchor.created_at,
                sa.and_(Order.created_at == anchor.created_at, Order.id < anchor.id),
            )
        )
    rows = session.scalars(query.order_by(Order.created_at.desc(), Order.id.desc()).limit(limit + 1)).all()
    items = list(rows[:limit])
    return items, (items[-1].id if len(rows) > limit else None)


def get_order(*, session: Session, user: User, order_id: int) -> Order:
    """One of the user's orders; another user's id is NotFound, exactly like a missing one."""
    order = session.get(Order, order_id)
    if order is None or order.user_id != user.id:
        raise NotFound(f"order {order_id} not found")
    return order


_POSITIONS, _SYMBOLS = Position.__table__, SymbolMetric.__table__
# Plain columns, not entities (the list is only read and serialized), in a SELECT built once.
_ALL_POSITIONS = (
    sa.select(_POSITIONS.c.symbol, _POSITIONS.c.quantity, _POSITIONS.c.cost_basis, _POSITIONS.c.realized_pnl,
              _POSITIONS.c.updated_at, _SYMBOLS.c.last_price)
    .outerjoin(_SYMBOLS, sa.and_(_SYMBOLS.c.user_id == _POSITIONS.c.user_id, _SYMBOLS.c.symbol == _POSITIONS.c.symbol))
    .where(_POSITIONS.c.user_id == sa.bindparam("user_id"))
    .order_by(_POSITIONS.c.symbol)
)
_OPEN_POSITIONS = _ALL_POSITIONS.where(_POSITIONS.c.quantity > 0)


def list_positions(*, session: Session, user: User, include_flat: bool = False) -> list[dict[str, Any]]:
    """The user's positions with average cost and, valued at the last fill price, market value and unrealized P&L."""
    query = _ALL_POSITIONS if include_flat else _OPEN_POSITIONS
    positions = []
    for symbol, quantity, cost_basis, realized_pnl, updated_at, last_price in session.execute(
        query, {"user_id": user.id}
    ):
        market_value = quantize(quantity * last_price) if last_price is not None else None
        positions.append({
            "symbol": symbol,
            "quantity": quantity,
            "average_cost": average_cost(cost_basis, quantity),
            "cost_basis": cost_basis,
            "realized_pnl": realized_pnl,
            "last_price": last_price,
            "market_value": market_value,
            "unrealized_pnl": quantize(market_value - cost_basis) if market_value is not None else None,
            "updated_at": updated_at,
        })
    return positions


# -- limits ------------------------------------------------------------------------------------


def _limits_view(budget: Budget) -> dict[str, Any]:
    def remaining(limit: Decimal | None, spent: Decimal) -> Decimal | None:
        return None if limit is None else max(limit - spent, ZERO)

    return {
        "per_order_limit": budget.per_order_limit,
        "daily_limit": budget.daily_limit,
        "monthly_limit": budget.monthly_limit,
        "daily_spent": budget.daily_spent,
        "monthly_spent": budget.monthly_spent,
        "daily_remaining": remaining(budget.daily_limit, budget.daily_spent),
        "monthly_remaining": remaining(budget.monthly_limit, budget.monthly_spent),
        "daily_period_start": budget.daily_period_start,
        "daily_period_end": budget.daily_period_end,
        "monthly_period_start": budget.monthly_period_start,
        "monthly_period_end": budget.monthly_period_end,
        "currency": "USD",
    }


def get_limits(*, session: Session, user: User) -> dict[str, Any]:
    """The user's limits and current spending (defaults, unsaved, before the first order)."""
    now = utcnow()
    budget = session.scalars(sa.select(Budget).where(Budget.user_id == user.id)).first()
    if budget is None:
        return _limits_view(new_budget(user.id, now))
    # Show a rolled-over period as it will be, without writing from a GET.
    view = _limits_view(budget)
    if not budget.daily_period_start <= now < budget.daily_period_end:
        view.update(daily_spent=ZERO, daily_remaining=budget.daily_limit)
        view["daily_period_start"], view["daily_period_end"] = day_bounds(now)
    if not budget.monthly_period_start <= now < budget.monthly_period_end:
        view.update(monthly_spent=ZERO, monthly_remaining=budget.monthly_limit)
        view["monthly_period_start"], view["monthly_period_end"] = month_bounds(now)
    return view


@unit_of_work
def set_limits(*, session: Session, user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Set the limits named in `data` (None removes a limit); the others keep their values."""
    lock_balance(session=session, user_id=user.id)  # the per-user mutex: no order is halfway through the budget row
    budget = _locked_budget(session, user.id, utcnow())
    for name in ("per_order_limit", "daily_limit", "monthly_limit"):
        if name in data:
            setattr(budget, name, None if data[name] is None else quantize(data[name]))
    session.flush()
    return _limits_view(budget)


# -- metrics -----------------------------------------------------------------------------------

COUNTERS = ("orders_total", "orders_filled", "orders_rejected", "closing_trades", "winning_trades")
AMOUNTS = ("buy_volume", "sell_volume", "realized_pnl")


FIELDS = COUNTERS + AMOUNTS


def _empty_figures() -> list[Any]:
    return [0] * len(COUNTERS) + [ZERO] * len(AMOUNTS)


def _add(into: list[Any], values: tuple[Any, ...]) -> None:
    # Every stored amount is at scale 8, so the plain Decimal sum is exact (28 digits of precision):
    # quantizing once in _finish gives the same figures as quantizing after every addition, for less.
    for index, value in enumerate(values):
        into[index] += value


def _finish(sums: list[Any]) -> dict[str, Any]:
    figures: dict[str, Any] = dict(zip(FIELDS, sums, strict=True))
    for name in AMOUNTS:
        figures[name] = quantize(figures[name])
    figures["volume"] = quantize(figures["buy_volume"] + figures["sell_volume"])
    closing = figures["closing_trades"]
    figures["win_rate"] = (
        (Decimal(figures["winning_trades"]) / Decimal(closing)).quantize(WIN_RATE_PLACES) if closing else None
    )
    return figures


def summarize(rows: Iterable[Any]) -> dict[str, Any]:
    """Totals, per-symbol and per-day figures from metric rows (Decimal sums in Python: exact on SQLite too)."""
    read = operator.attrgetter(*FIELDS)
    return _summarize((getattr(row, "day", None), row.symbol, read(row)) for row in rows)


def _summarize(rows: Iterable[tuple[date | None, str, tuple[Any, ...]]]) -> dict[str, Any]:
    """summarize() over (day, symbol, values in FIELDS order) tuples: no attribute look-ups in the loop."""
    total = _empty_figures()
    by_symbol: dict[str, list[Any]] = {}
    by_day: dict[date, list[Any]] = {}
    for day, symbol, values in rows:
        _add(total, values)
        _add(by_symbol.setdefault(symbol, _empty_figures()), values)
        if day is not None:
            _add(by_day.setdefault(day, _empty_figures()), values)
    return {
        **_finish(total),
        "by_symbol": [{"symbol": s, **_finish(f)} for s, f in sorted(by_symbol.items())],
        "by_day": [{"day": d, **_finish(f)} for d, f in sorted(by_day.items())],
    }


def metrics(
    *, session: Session, user: User, date_from: date | None = None, date_to: date | None = None
) -> dict[str, Any]:
    """Order counts, volume, realized P&L and win rate, overall, per symbol and per UTC day.

    Read from the aggregates the order transaction keeps, so the cost grows with days x symbols
    traded, never with the number of orders.
    """
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValidationFailed("invalid input: from is after to", details={"from": ["must not be after 'to'"]})
    # Plain columns, not ORM entities: a year of daily rows per symbol loads several times faster.
    query = sa.select(
        DailyMetric.day, DailyMetric.symbol, *(getattr(DailyMetric, name) for name in FIELDS)
    ).where(DailyMetric.user_id == user.id)
    if date_from is not None:
        query = query.where(DailyMetric.day >= date_from)
    if date_to is not None:
        query = query.where(DailyMetric.day <= date_to)
    result = _summarize((row[0], row[1], tuple(row[2:])) for row in session.execute(query).all())
    result.update({"from": date_from, "to": date_to, "currency": "USD"})
    return result


# -- status ------------------------------------------------------------------------------------


def trading_status(*, engine: sa.Engine, schema_ready: bool) -> dict[str, Any]:
    """`active` when the database answers promptly at a valid schema, else `degraded` with the reason."""
    from quantum.schema_engine.ensure import read_revision

    database: dict[str, Any] = {"backend": engine.dialect.name, "revision": None, "latency_ms": None}
    reason = None
    started = time.perf_counter()
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            database["revision"] = read_revision(connection, "alembic_version")
        database["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    except sa.exc.DBAPIError:
        reason = "database_unreachable"
    if reason is None and not schema_ready:
        reason = "schema_not_ready"
    if reason is None and database["latency_ms"] > SLOW_DATABASE_MS:
        reason = "database_slow"
    body: dict[str, Any] = {"status": "degraded" if reason else "active", "timestamp": utcnow(), "database": database}
    if reason:
        body["reason"] = reason
    return body
