"""Request and response schemas for /api/trading; money travels as exact decimal strings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from quantum import fields as numbers
from quantum.cash.models import CURRENCY
from quantum.core.money import PLACES, fmt, places, quantize
from quantum.openapi import string_enum
from quantum.trading.models import OrderSide, OrderStatus

SYMBOL_PATTERN = r"^[A-Z0-9.\-]{1,12}$"
# Single values stay within 15 significant digits (SQLite's REAL keeps them exact; see money.Money).
MAX_QUANTITY = Decimal("1000000")
MAX_PRICE = Decimal("1000000")
MAX_LIMIT = Decimal("1000000000")
#: `/api/trading/status`: `active`, or `degraded` with a reason.
TRADING_STATUSES = ("active", "degraded")


def _max_places(value: Decimal) -> None:
    if places(value) > PLACES:
        raise ValidationError(f"at most {PLACES} decimal places")


def money_field(
    *, minimum: Decimal | int | None = 0, min_inclusive: bool = False, maximum: Decimal | None = None, **kwargs: Any
) -> fields.Decimal:
    """A decimal input/output field: exact strings out, at most 8 places and a range in."""
    validators: list[Any] = [_max_places]
    if minimum is not None or maximum is not None:
        validators.insert(0, validate.Range(min=minimum, max=maximum, min_inclusive=min_inclusive))
    return numbers.Decimal(as_string=True, validate=validators, **kwargs)


def money_out(**kwargs: Any) -> fields.Decimal:
    """A decimal output field: an exact string, always at the money scale."""
    return fields.Decimal(as_string=True, dump_only=True, places=PLACES, **kwargs)


def symbol_field(**kwargs: Any) -> fields.String:
    """A ticker: 1-12 upper-case letters, digits, '.' or '-'."""
    return fields.String(
        validate=validate.Regexp(SYMBOL_PATTERN, error="1-12 upper-case letters, digits, '.' or '-'"),
        metadata={"example": "AAPL"},
        **kwargs,
    )


class PageArgs(Schema):
    """Keyset pagination: newest first, `before` is the id of the last item already seen."""

    limit = numbers.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    before = numbers.Integer(load_default=None, validate=validate.Range(min=1, max=numbers.MAX_INT32))
    include_archived = fields.Boolean(load_default=False, metadata={"description": "Also list archived orders"})


class OrderIn(Schema):
    """A paper order, filled at its limit price."""

    symbol = symbol_field(required=True)
    side = string_enum("OrderSide", OrderSide, required=True)
    quantity = money_field(required=True, maximum=MAX_QUANTITY, metadata={
        "example": "1.5", "description": "quantity x price (the notional) must stay below 10^12"})
    price = money_field(required=True, maximum=MAX_PRICE, metadata={"example": "187.25"})
    client_order_id = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[A-Za-z0-9_.:\-]{1,64}$", error="1-64 letters, digits, '_', '.', ':' or '-'"),
        metadata={"description": "Idempotency key: the same value with the same request returns the first order "
                                 "(200); with a different symbol, side, quantity or price it is refused with 422 "
                                 "idempotency_key_reused and nothing is created"},
    )

    @validates_schema
    def _notional_fits(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "quantity" in data and "price" in data:
            numbers.check_money_limit(quantize(data["quantity"] * data["price"]), "quantity")


class OrderOut(Schema):
    id = fields.Integer()
    client_order_id = fields.String(allow_none=True)
    symbol = fields.String()
    side = string_enum("OrderSide", OrderSide)
    quantity = money_out()
    price = money_out()
    notional = money_out()
    status = string_enum("OrderStatus", OrderStatus)
    filled_quantity = money_out()
    realized_pnl = money_out()
    reject_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    filled_at = fields.DateTime(allow_none=True)


class OrderPage(Schema):
    items = fields.List(fields.Nested(OrderOut))
    next_before = fields.Integer(allow_none=True)


class PositionOut(Schema):
    symbol = fields.String()
    quantity = money_out()
    average_cost = money_out()
    cost_basis = money_out()
    realized_pnl = money_out()
    last_price = money_out(allow_none=True)
    market_value = money_out(allow_none=True)
    unrealized_pnl = money_out(allow_none=True)
    updated_at = fields.DateTime()


def positions_json(positions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What `PositionOut(many=True).dump(positions)` returns, built by hand (the dump cost ~40 us per position).

    tests/perf/test_fast_json.py checks that both agree on seeded data.
    """
    return [
        {
            "symbol": p["symbol"],
            "quantity": fmt(p["quantity"]),
            "average_cost": fmt(p["average_cost"]),
            "cost_basis": fmt(p["cost_basis"]),
            "realized_pnl": fmt(p["realized_pnl"]),
            "last_price": fmt(p["last_price"]),
            "market_value": fmt(p["market_value"]),
            "unrealized_pnl": fmt(p["unrealized_pnl"]),
            "updated_at": None if p["updated_at"] is None else p["updated_at"].isoformat(),
        }
        for p in positions
    ]


class PositionsArgs(Schema):
    include_flat = fields.Boolean(load_default=False)


class MetricsArgs(Schema):
    date_from = fields.Date(data_key="from", load_default=None)
    date_to = fields.Date(data_key="to", load_default=None)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("must not be after 'to'", "from")


class Figures(Schema):
    orders_total = fields.Integer()
    orders_filled = fields.Integer()
    orders_rejected = fields.Integer()
    volume = money_out()
    buy_volume = money_out()
    sell_volume = money_out()
    realized_pnl = money_out()
    closing_trades = fields.Integer()
    winning_trades = fields.Integer()
    win_rate = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "winning / closing sells"})


class SymbolFigures(Figures):
    symbol = fields.String()


class DayFigures(Figures):
    day = fields.Date()


class MetricsOut(Figures):
    date_from = fields.Date(data_key="from", allow_none=True)
    date_to = fields.Date(data_key="to", allow_none=True)
    currency = string_enum("Currency", [CURRENCY])
    by_symbol = fields.List(fields.Nested(SymbolFigures))
    by_day = fields.List(fields.Nested(DayFigures))


_FIGURE_INTS = ("orders_total", "orders_filled", "orders_rejected", "closing_trades", "winning_trades")
_FIGURE_MONEY = ("volume", "buy_volume", "sell_volume", "realized_pnl")


def _figures_json(figures: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {name: int(figures[name]) for name in _FIGURE_INTS}
    for name in _FIGURE_MONEY:
        out[name] = fmt(figures[name])
    rate = figures.get("win_rate")
    out["win_rate"] = None if rate is None else format(rate, "f")
    return out


def metrics_json(result: dict[str, Any]) -> dict[str, Any]:
    """What `MetricsOut().dump(result)` returns, built by hand: marshmallow takes ~90 ms for a year of days.

    tests/perf/test_fast_json.py checks that both agree on seeded data.
    """
    # `from`/`to` are left out exactly as the schema leaves them out (its attributes are date_from/date_to).
    body = _figures_json(result)
    if "currency" in result:
        body["currency"] = result["currency"]
    body["by_symbol"] = [{"symbol": f["symbol"], **_figures_json(f)} for f in result["by_symbol"]]
    body["by_day"] = [{"day": f["day"].isoformat(), **_figures_json(f)} for f in result["by_day"]]
    return body


class LimitsIn(Schema):
    """The limits to set; a field left out keeps its value, null removes that limit."""

    per_order_limit = money_field(maximum=MAX_LIMIT, allow_none=True)
    daily_limit = money_field(maximum=MAX_LIMIT, allow_none=True)
    monthly_limit = money_field(maximum=MAX_LIMIT, allow_none=True)

    @validates_schema
    def _something(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("send at least one of per_order_limit, daily_limit, monthly_limit", "_schema")


class LimitsOut(Schema):
    per_order_limit = money_out(allow_none=True)
    daily_limit = money_out(allow_none=True)
    monthly_limit = money_out(allow_none=True)
    daily_spent = money_out()
    monthly_spent = money_out()
    daily_remaining = money_out(allow_none=True)
    monthly_remaining = money_out(allow_none=True)
    daily_period_start = fields.DateTime()
    daily_period_end = fields.DateTime()
    monthly_period_start = fields.DateTime()
    monthly_period_end = fields.DateTime()
    currency = string_enum("Currency", [CURRENCY])


class DatabaseStatus(Schema):
    backend = fields.String(metadata={"example": "postgresql"})
    revision = fields.String(allow_none=True, metadata={"description": "null when unreachable", "example": "0003"})
    latency_ms = fields.Float(allow_none=True, metadata={"description": "null when unreachable", "example": 0.7})


class StatusOut(Schema):
    status = string_enum("TradingStatus", TRADING_STATUSES, metadata={"example": "active"})
    reason = fields.String(metadata={"description": "why it is degraded: database_unreachable, schema_not_ready or "
                                                    "database_slow"})
    timestamp = fields.DateTime()
    database = fields.Nested(DatabaseStatus)


order_in = OrderIn()
order_out = OrderOut()
page_args = PageArgs()
positions_args = PositionsArgs()
metrics_args = MetricsArgs()
limits_in = LimitsIn()
