from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PriceBarIn")


@_attrs_define
class PriceBarIn:
    """
    Attributes:
        symbol (str):  Example: AAPL.
        ts (datetime.datetime): an ISO 8601 datetime (or date: its midnight); naive times are UTC Example:
            2024-01-02T00:00:00Z.
        open_ (str): a price above 0 and below 10^12: a JSON number or a string of ASCII digits with at most one '.'
            (pattern ^-?[0-9]+(\\.[0-9]+)?$) Example: 187.15.
        high (str): a price above 0 and below 10^12: a JSON number or a string of ASCII digits with at most one '.'
            (pattern ^-?[0-9]+(\\.[0-9]+)?$) Example: 188.44.
        low (str): a price above 0 and below 10^12: a JSON number or a string of ASCII digits with at most one '.'
            (pattern ^-?[0-9]+(\\.[0-9]+)?$) Example: 183.89.
        close (str): a price above 0 and below 10^12: a JSON number or a string of ASCII digits with at most one '.'
            (pattern ^-?[0-9]+(\\.[0-9]+)?$) Example: 185.64.
        volume (str): a price of 0 or more and below 10^12: a JSON number or a string of ASCII digits with at most one
            '.' (pattern ^-?[0-9]+(\\.[0-9]+)?$) Example: 82488700.
    """

    symbol: str
    ts: datetime.datetime
    open_: str
    high: str
    low: str
    close: str
    volume: str

    def to_dict(self) -> dict[str, Any]:
        symbol = self.symbol

        ts = self.ts.isoformat()

        open_ = self.open_

        high = self.high

        low = self.low

        close = self.close

        volume = self.volume

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "symbol": symbol,
                "ts": ts,
                "open": open_,
                "high": high,
                "low": low,
                "close": close,
                "volume": volume,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        symbol = d.pop("symbol")

        ts = datetime.datetime.fromisoformat(d.pop("ts"))

        open_ = d.pop("open")

        high = d.pop("high")

        low = d.pop("low")

        close = d.pop("close")

        volume = d.pop("volume")

        price_bar_in = cls(
            symbol=symbol,
            ts=ts,
            open_=open_,
            high=high,
            low=low,
            close=close,
            volume=volume,
        )

        return price_bar_in
