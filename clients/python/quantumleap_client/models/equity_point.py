from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="EquityPoint")


@_attrs_define
class EquityPoint:
    """
    Attributes:
        ts (datetime.datetime | Unset):
        equity (str | Unset):
    """

    ts: datetime.datetime | Unset = UNSET
    equity: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        ts: str | Unset = UNSET
        if not isinstance(self.ts, Unset):
            ts = self.ts.isoformat()

        equity = self.equity

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if ts is not UNSET:
            field_dict["ts"] = ts
        if equity is not UNSET:
            field_dict["equity"] = equity

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _ts = d.pop("ts", UNSET)
        ts: datetime.datetime | Unset
        if isinstance(_ts, Unset):
            ts = UNSET
        else:
            ts = datetime.datetime.fromisoformat(_ts)

        equity = d.pop("equity", UNSET)

        equity_point = cls(
            ts=ts,
            equity=equity,
        )

        return equity_point
