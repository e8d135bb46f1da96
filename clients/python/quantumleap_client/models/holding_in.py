from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="HoldingIn")


@_attrs_define
class HoldingIn:
    """
    Attributes:
        symbol (str):  Example: AAPL.
        quantity (str): a decimal string >= 0 and <= 1000000
        price (str): a decimal string > 0 and <= 1000000
    """

    symbol: str
    quantity: str
    price: str

    def to_dict(self) -> dict[str, Any]:
        symbol = self.symbol

        quantity = self.quantity

        price = self.price

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "symbol": symbol,
                "quantity": quantity,
                "price": price,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        symbol = d.pop("symbol")

        quantity = d.pop("quantity")

        price = d.pop("price")

        holding_in = cls(
            symbol=symbol,
            quantity=quantity,
            price=price,
        )

        return holding_in
