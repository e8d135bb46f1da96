from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="HoldingOut")


@_attrs_define
class HoldingOut:
    """
    Attributes:
        symbol (str | Unset):  Example: AAPL.
        quantity (str | Unset): how many
        price (str | Unset): the price per unit it was valued at
        value (str | Unset): quantity x price
    """

    symbol: str | Unset = UNSET
    quantity: str | Unset = UNSET
    price: str | Unset = UNSET
    value: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        symbol = self.symbol

        quantity = self.quantity

        price = self.price

        value = self.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if symbol is not UNSET:
            field_dict["symbol"] = symbol
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if price is not UNSET:
            field_dict["price"] = price
        if value is not UNSET:
            field_dict["value"] = value

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        symbol = d.pop("symbol", UNSET)

        quantity = d.pop("quantity", UNSET)

        price = d.pop("price", UNSET)

        value = d.pop("value", UNSET)

        holding_out = cls(
            symbol=symbol,
            quantity=quantity,
            price=price,
            value=value,
        )

        return holding_out
