from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.order_side import OrderSide
from ..models.order_status import OrderStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderOut")


@_attrs_define
class OrderOut:
    """
    Attributes:
        id (int | Unset):
        client_order_id (None | str | Unset):
        symbol (str | Unset):
        side (OrderSide | Unset):
        quantity (str | Unset):
        price (str | Unset):
        notional (str | Unset):
        status (OrderStatus | Unset):
        filled_quantity (str | Unset):
        realized_pnl (str | Unset):
        reject_reason (None | str | Unset):
        created_at (datetime.datetime | Unset):
        filled_at (datetime.datetime | None | Unset):
    """

    id: int | Unset = UNSET
    client_order_id: None | str | Unset = UNSET
    symbol: str | Unset = UNSET
    side: OrderSide | Unset = UNSET
    quantity: str | Unset = UNSET
    price: str | Unset = UNSET
    notional: str | Unset = UNSET
    status: OrderStatus | Unset = UNSET
    filled_quantity: str | Unset = UNSET
    realized_pnl: str | Unset = UNSET
    reject_reason: None | str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    filled_at: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        client_order_id: None | str | Unset
        if isinstance(self.client_order_id, Unset):
            client_order_id = UNSET
        else:
            client_order_id = self.client_order_id

        symbol = self.symbol

        side: str | Unset = UNSET
        if not isinstance(self.side, Unset):
            side = self.side.value

        quantity = self.quantity

        price = self.price

        notional = self.notional

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        filled_quantity = self.filled_quantity

        realized_pnl = self.realized_pnl

        reject_reason: None | str | Unset
        if isinstance(self.reject_reason, Unset):
            reject_reason = UNSET
        else:
            reject_reason = self.reject_reason

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        filled_at: None | str | Unset
        if isinstance(self.filled_at, Unset):
            filled_at = UNSET
        elif isinstance(self.filled_at, datetime.datetime):
            filled_at = self.filled_at.isoformat()
        else:
            filled_at = self.filled_at

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if client_order_id is not UNSET:
            field_dict["client_order_id"] = client_order_id
        if symbol is not UNSET:
            field_dict["symbol"] = symbol
        if side is not UNSET:
            field_dict["side"] = side
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if price is not UNSET:
            field_dict["price"] = price
        if notional is not UNSET:
            field_dict["notional"] = notional
        if status is not UNSET:
            field_dict["status"] = status
        if filled_quantity is not UNSET:
            field_dict["filled_quantity"] = filled_quantity
        if realized_pnl is not UNSET:
            field_dict["realized_pnl"] = realized_pnl
        if reject_reason is not UNSET:
            field_dict["reject_reason"] = reject_reason
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if filled_at is not UNSET:
            field_dict["filled_at"] = filled_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        def _parse_client_order_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_order_id = _parse_client_order_id(d.pop("client_order_id", UNSET))

        symbol = d.pop("symbol", UNSET)

        _side = d.pop("side", UNSET)
        side: OrderSide | Unset
        if isinstance(_side, Unset):
            side = UNSET
        else:
            side = OrderSide(_side)

        quantity = d.pop("quantity", UNSET)

        price = d.pop("price", UNSET)

        notional = d.pop("notional", UNSET)

        _status = d.pop("status", UNSET)
        status: OrderStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = OrderStatus(_status)

        filled_quantity = d.pop("filled_quantity", UNSET)

        realized_pnl = d.pop("realized_pnl", UNSET)

        def _parse_reject_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reject_reason = _parse_reject_reason(d.pop("reject_reason", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        def _parse_filled_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                filled_at_type_0 = datetime.datetime.fromisoformat(data)

                return filled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        filled_at = _parse_filled_at(d.pop("filled_at", UNSET))

        order_out = cls(
            id=id,
            client_order_id=client_order_id,
            symbol=symbol,
            side=side,
            quantity=quantity,
            price=price,
            notional=notional,
            status=status,
            filled_quantity=filled_quantity,
            realized_pnl=realized_pnl,
            reject_reason=reject_reason,
            created_at=created_at,
            filled_at=filled_at,
        )

        return order_out
