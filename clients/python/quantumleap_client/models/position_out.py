from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PositionOut")


@_attrs_define
class PositionOut:
    """
    Attributes:
        symbol (str | Unset):
        quantity (str | Unset):
        average_cost (str | Unset):
        cost_basis (str | Unset):
        realized_pnl (str | Unset):
        last_price (None | str | Unset):
        market_value (None | str | Unset):
        unrealized_pnl (None | str | Unset):
        updated_at (datetime.datetime | Unset):
    """

    symbol: str | Unset = UNSET
    quantity: str | Unset = UNSET
    average_cost: str | Unset = UNSET
    cost_basis: str | Unset = UNSET
    realized_pnl: str | Unset = UNSET
    last_price: None | str | Unset = UNSET
    market_value: None | str | Unset = UNSET
    unrealized_pnl: None | str | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        symbol = self.symbol

        quantity = self.quantity

        average_cost = self.average_cost

        cost_basis = self.cost_basis

        realized_pnl = self.realized_pnl

        last_price: None | str | Unset
        if isinstance(self.last_price, Unset):
            last_price = UNSET
        else:
            last_price = self.last_price

        market_value: None | str | Unset
        if isinstance(self.market_value, Unset):
            market_value = UNSET
        else:
            market_value = self.market_value

        unrealized_pnl: None | str | Unset
        if isinstance(self.unrealized_pnl, Unset):
            unrealized_pnl = UNSET
        else:
            unrealized_pnl = self.unrealized_pnl

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if symbol is not UNSET:
            field_dict["symbol"] = symbol
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if average_cost is not UNSET:
            field_dict["average_cost"] = average_cost
        if cost_basis is not UNSET:
            field_dict["cost_basis"] = cost_basis
        if realized_pnl is not UNSET:
            field_dict["realized_pnl"] = realized_pnl
        if last_price is not UNSET:
            field_dict["last_price"] = last_price
        if market_value is not UNSET:
            field_dict["market_value"] = market_value
        if unrealized_pnl is not UNSET:
            field_dict["unrealized_pnl"] = unrealized_pnl
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        symbol = d.pop("symbol", UNSET)

        quantity = d.pop("quantity", UNSET)

        average_cost = d.pop("average_cost", UNSET)

        cost_basis = d.pop("cost_basis", UNSET)

        realized_pnl = d.pop("realized_pnl", UNSET)

        def _parse_last_price(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_price = _parse_last_price(d.pop("last_price", UNSET))

        def _parse_market_value(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        market_value = _parse_market_value(d.pop("market_value", UNSET))

        def _parse_unrealized_pnl(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        unrealized_pnl = _parse_unrealized_pnl(d.pop("unrealized_pnl", UNSET))

        _updated_at = d.pop("updated_at", UNSET)
        updated_at: datetime.datetime | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = datetime.datetime.fromisoformat(_updated_at)

        position_out = cls(
            symbol=symbol,
            quantity=quantity,
            average_cost=average_cost,
            cost_basis=cost_basis,
            realized_pnl=realized_pnl,
            last_price=last_price,
            market_value=market_value,
            unrealized_pnl=unrealized_pnl,
            updated_at=updated_at,
        )

        return position_out
