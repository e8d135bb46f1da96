from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Symbol")


@_attrs_define
class Symbol:
    """
    Attributes:
        symbol (str | Unset):
        bars (int | Unset):
        first (datetime.datetime | Unset):
        last (datetime.datetime | Unset):
    """

    symbol: str | Unset = UNSET
    bars: int | Unset = UNSET
    first: datetime.datetime | Unset = UNSET
    last: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        symbol = self.symbol

        bars = self.bars

        first: str | Unset = UNSET
        if not isinstance(self.first, Unset):
            first = self.first.isoformat()

        last: str | Unset = UNSET
        if not isinstance(self.last, Unset):
            last = self.last.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if symbol is not UNSET:
            field_dict["symbol"] = symbol
        if bars is not UNSET:
            field_dict["bars"] = bars
        if first is not UNSET:
            field_dict["first"] = first
        if last is not UNSET:
            field_dict["last"] = last

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        symbol = d.pop("symbol", UNSET)

        bars = d.pop("bars", UNSET)

        _first = d.pop("first", UNSET)
        first: datetime.datetime | Unset
        if isinstance(_first, Unset):
            first = UNSET
        else:
            first = datetime.datetime.fromisoformat(_first)

        _last = d.pop("last", UNSET)
        last: datetime.datetime | Unset
        if isinstance(_last, Unset):
            last = UNSET
        else:
            last = datetime.datetime.fromisoformat(_last)

        symbol = cls(
            symbol=symbol,
            bars=bars,
            first=first,
            last=last,
        )

        return symbol
