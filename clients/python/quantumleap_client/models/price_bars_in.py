from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.price_bar_in import PriceBarIn


T = TypeVar("T", bound="PriceBarsIn")


@_attrs_define
class PriceBarsIn:
    """
    Attributes:
        bars (list[PriceBarIn]):
    """

    bars: list[PriceBarIn]

    def to_dict(self) -> dict[str, Any]:
        bars = []
        for bars_item_data in self.bars:
            bars_item = bars_item_data.to_dict()
            bars.append(bars_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "bars": bars,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.price_bar_in import PriceBarIn  # noqa: PLC0415

        d = dict(src_dict)
        bars = []
        _bars = d.pop("bars")
        for bars_item_data in _bars:
            bars_item = PriceBarIn.from_dict(bars_item_data)

            bars.append(bars_item)

        price_bars_in = cls(
            bars=bars,
        )

        return price_bars_in
