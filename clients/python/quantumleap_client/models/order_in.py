from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.order_side import OrderSide
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderIn")


@_attrs_define
class OrderIn:
    """
    Attributes:
        symbol (str):  Example: AAPL.
        side (OrderSide):
        quantity (str): quantity x price (the notional) must stay below 10^12 (a decimal string > 0 and <= 1000000)
            Example: 1.5.
        price (str): a decimal string > 0 and <= 1000000 Example: 187.25.
        client_order_id (None | str | Unset): Idempotency key: the same value with the same request returns the first
            order (200); with a different symbol, side, quantity or price it is refused with 422 idempotency_key_reused and
            nothing is created
    """

    symbol: str
    side: OrderSide
    quantity: str
    price: str
    client_order_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        symbol = self.symbol

        side = self.side.value

        quantity = self.quantity

        price = self.price

        client_order_id: None | str | Unset
        if isinstance(self.client_order_id, Unset):
            client_order_id = UNSET
        else:
            client_order_id = self.client_order_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "symbol": symbol,
                "side": side,
                "quantity": quantity,
                "price": price,
            }
        )
        if client_order_id is not UNSET:
            field_dict["client_order_id"] = client_order_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        symbol = d.pop("symbol")

        side = OrderSide(d.pop("side"))

        quantity = d.pop("quantity")

        price = d.pop("price")

        def _parse_client_order_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_order_id = _parse_client_order_id(d.pop("client_order_id", UNSET))

        order_in = cls(
            symbol=symbol,
            side=side,
            quantity=quantity,
            price=price,
            client_order_id=client_order_id,
        )

        return order_in
