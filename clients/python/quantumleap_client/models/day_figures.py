from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="DayFigures")


@_attrs_define
class DayFigures:
    """
    Attributes:
        orders_total (int | Unset):
        orders_filled (int | Unset):
        orders_rejected (int | Unset):
        volume (str | Unset):
        buy_volume (str | Unset):
        sell_volume (str | Unset):
        realized_pnl (str | Unset):
        closing_trades (int | Unset):
        winning_trades (int | Unset):
        win_rate (None | str | Unset): winning / closing sells
        day (datetime.date | Unset):
    """

    orders_total: int | Unset = UNSET
    orders_filled: int | Unset = UNSET
    orders_rejected: int | Unset = UNSET
    volume: str | Unset = UNSET
    buy_volume: str | Unset = UNSET
    sell_volume: str | Unset = UNSET
    realized_pnl: str | Unset = UNSET
    closing_trades: int | Unset = UNSET
    winning_trades: int | Unset = UNSET
    win_rate: None | str | Unset = UNSET
    day: datetime.date | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        orders_total = self.orders_total

        orders_filled = self.orders_filled

        orders_rejected = self.orders_rejected

        volume = self.volume

        buy_volume = self.buy_volume

        sell_volume = self.sell_volume

        realized_pnl = self.realized_pnl

        closing_trades = self.closing_trades

        winning_trades = self.winning_trades

        win_rate: None | str | Unset
        if isinstance(self.win_rate, Unset):
            win_rate = UNSET
        else:
            win_rate = self.win_rate

        day: str | Unset = UNSET
        if not isinstance(self.day, Unset):
            day = self.day.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if orders_total is not UNSET:
            field_dict["orders_total"] = orders_total
        if orders_filled is not UNSET:
            field_dict["orders_filled"] = orders_filled
        if orders_rejected is not UNSET:
            field_dict["orders_rejected"] = orders_rejected
        if volume is not UNSET:
            field_dict["volume"] = volume
        if buy_volume is not UNSET:
            field_dict["buy_volume"] = buy_volume
        if sell_volume is not UNSET:
            field_dict["sell_volume"] = sell_volume
        if realized_pnl is not UNSET:
            field_dict["realized_pnl"] = realized_pnl
        if closing_trades is not UNSET:
            field_dict["closing_trades"] = closing_trades
        if winning_trades is not UNSET:
            field_dict["winning_trades"] = winning_trades
        if win_rate is not UNSET:
            field_dict["win_rate"] = win_rate
        if day is not UNSET:
            field_dict["day"] = day

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        orders_total = d.pop("orders_total", UNSET)

        orders_filled = d.pop("orders_filled", UNSET)

        orders_rejected = d.pop("orders_rejected", UNSET)

        volume = d.pop("volume", UNSET)

        buy_volume = d.pop("buy_volume", UNSET)

        sell_volume = d.pop("sell_volume", UNSET)

        realized_pnl = d.pop("realized_pnl", UNSET)

        closing_trades = d.pop("closing_trades", UNSET)

        winning_trades = d.pop("winning_trades", UNSET)

        def _parse_win_rate(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        win_rate = _parse_win_rate(d.pop("win_rate", UNSET))

        _day = d.pop("day", UNSET)
        day: datetime.date | Unset
        if isinstance(_day, Unset):
            day = UNSET
        else:
            day = datetime.date.fromisoformat(_day)

        day_figures = cls(
            orders_total=orders_total,
            orders_filled=orders_filled,
            orders_rejected=orders_rejected,
            volume=volume,
            buy_volume=buy_volume,
            sell_volume=sell_volume,
            realized_pnl=realized_pnl,
            closing_trades=closing_trades,
            winning_trades=winning_trades,
            win_rate=win_rate,
            day=day,
        )

        return day_figures
