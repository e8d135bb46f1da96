"""Request and response schemas for /api/portfolio."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from quantum import fields as numbers
from quantum.cash.models import CURRENCY, PaymentStatus
from quantum.core.money import ZERO, fmt, quantize
from quantum.openapi import string_enum
from quantum.trading.schemas import MAX_PRICE, MAX_QUANTITY, money_field, money_out, symbol_field

MAX_DEPOSIT = Decimal("1000000")
MAX_CASH = Decimal("1000000000")
MAX_HOLDINGS = 100


class HoldingIn(Schema):
    symbol = symbol_field(required=True)
    quantity = money_field(required=True, minimum=0, min_inclusive=True, maximum=MAX_QUANTITY)
    price = money_field(required=True, maximum=MAX_PRICE)


class SnapshotIn(Schema):
    """Holdings and cash to store, or `from_positions: true` to snapshot the current positions."""

    holdings = fields.List(fields.Nested(HoldingIn), validate=validate.Length(max=MAX_HOLDINGS), metadata={
        "description": "cash plus the sum of quantity x price (the total value) must stay below 10^12"})
    cash = money_field(minimum=0, min_inclusive=True, maximum=MAX_CASH)
    from_positions = fields.Boolean(load_default=False)

    @validates_schema
    def _one_source(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("from_positions"):
            if "holdings" in data or "cash" in data:
                raise ValidationError("send either holdings (and cash) or from_positions, not both", "from_positions")
        elif "holdings" not in data:
            raise ValidationError("required unless from_positions is true", "holdings")
        else:
            values = (quantize(h["quantity"] * h["price"]) for h in data["holdings"])
            numbers.check_money_limit(quantize(data.get("cash") or 0) + sum(values, ZERO), "holdings")


def _stored_decimal(description: str) -> fields.Raw:
    # Sent as stored, not re-formatted: `snapshot_json` passes the JSON column through untouched.
    return fields.Raw(metadata={"type": "string", "format": "decimal", "description": description})


class HoldingOut(Schema):
    """One holding of a snapshot, as stored: exact decimal strings at the money scale."""

    symbol = fields.String(metadata={"example": "AAPL"})
    quantity = _stored_decimal("how many")
    price = _stored_decimal("the price per unit it was valued at")
    value = _stored_decimal("quantity x price")


class SnapshotOut(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    holdings = fields.List(fields.Nested(HoldingOut), attribute="snapshot_data.holdings", dump_default=list)
    cash = fields.Function(lambda s: s.snapshot_data.get("cash", "0.00000000"),
                           metadata={"type": "string", "format": "decimal"})
    total_value = money_out()
    created_at = fields.DateTime()


def snapshot_json(snapshot: Any) -> dict[str, Any]:
    """What `SnapshotOut().dump(snapshot)` returns, built by hand (the dump cost ~50 us per snapshot).

    tests/perf/test_fast_json.py checks that both agree on seeded data.
    """
    data = snapshot.snapshot_data
    created_at = snapshot.created_at
    return {
        "id": snapshot.id,
        "user_id": snapshot.user_id,
        "holdings": data.get("holdings", []),
        "cash": data.get("cash", "0.00000000"),
        "total_value": fmt(snapshot.total_value),
        "created_at": None if created_at is None else created_at.isoformat(),
    }


def snapshot_page_json(items: list[Any], next_before: int | None) -> dict[str, Any]:
    """What `SnapshotPage().dump({"items": items, "next_before": next_before})` returns, built by hand."""
    return {"items": [snapshot_json(item) for item in items], "next_before": next_before}


class SnapshotArgs(Schema):
    limit = numbers.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    before = numbers.Integer(load_default=None, validate=validate.Range(min=1, max=numbers.MAX_INT32))
    include_archived = fields.Boolean(load_default=False, metadata={"description": "Also list archived snapshots"})


class SnapshotPage(Schema):
    items = fields.List(fields.Nested(SnapshotOut))
    next_before = fields.Integer(allow_none=True)


class DepositIn(Schema):
    amount = money_field(required=True, maximum=MAX_DEPOSIT, metadata={"example": "1000.00"})
    currency = string_enum("Currency", [CURRENCY], load_default=CURRENCY)
    network = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    tx_hash = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[A-Za-z0-9]{8,128}$", error="8-128 letters or digits"),
        metadata={"description": "On-chain transaction id; each one can be credited once"},
    )
    block_number = numbers.Integer(load_default=None, validate=validate.Range(min=0, max=numbers.MAX_INT64))


class PaymentOut(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    amount = money_out()
    currency = string_enum("Currency", [CURRENCY])
    network = fields.String(allow_none=True)
    tx_hash = fields.String(allow_none=True)
    block_number = fields.Integer(allow_none=True)
    status = string_enum("PaymentStatus", PaymentStatus)
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)


class BalanceOut(Schema):
    available_balance = money_out()
    currency = string_enum("Currency", [CURRENCY])


snapshot_in = SnapshotIn()
snapshot_args = SnapshotArgs()
deposit_in = DepositIn()
