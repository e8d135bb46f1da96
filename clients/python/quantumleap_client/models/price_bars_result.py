from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PriceBarsResult")


@_attrs_define
class PriceBarsResult:
    """
    Attributes:
        inserted (int | Unset):
        symbols (list[str] | Unset):
    """

    inserted: int | Unset = UNSET
    symbols: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        inserted = self.inserted

        symbols: list[str] | Unset = UNSET
        if not isinstance(self.symbols, Unset):
            symbols = self.symbols

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if inserted is not UNSET:
            field_dict["inserted"] = inserted
        if symbols is not UNSET:
            field_dict["symbols"] = symbols

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        inserted = d.pop("inserted", UNSET)

        symbols = cast(list[str], d.pop("symbols", UNSET))

        price_bars_result = cls(
            inserted=inserted,
            symbols=symbols,
        )

        return price_bars_result
