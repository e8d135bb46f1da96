from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.currency import Currency
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.day_figures import DayFigures
    from ..models.symbol_figures import SymbolFigures


T = TypeVar("T", bound="MetricsOut")


@_attrs_define
class MetricsOut:
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
        from_ (datetime.date | None | Unset):
        to (datetime.date | None | Unset):
        currency (Currency | Unset):
        by_symbol (list[SymbolFigures] | Unset):
        by_day (list[DayFigures] | Unset):
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
    from_: datetime.date | None | Unset = UNSET
    to: datetime.date | None | Unset = UNSET
    currency: Currency | Unset = UNSET
    by_symbol: list[SymbolFigures] | Unset = UNSET
    by_day: list[DayFigures] | Unset = UNSET

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

        from_: None | str | Unset
        if isinstance(self.from_, Unset):
            from_ = UNSET
        elif isinstance(self.from_, datetime.date):
            from_ = self.from_.isoformat()
        else:
            from_ = self.from_

        to: None | str | Unset
        if isinstance(self.to, Unset):
            to = UNSET
        elif isinstance(self.to, datetime.date):
            to = self.to.isoformat()
        else:
            to = self.to

        currency: str | Unset = UNSET
        if not isinstance(self.currency, Unset):
            currency = self.currency.value

        by_symbol: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.by_symbol, Unset):
            by_symbol = []
            for by_symbol_item_data in self.by_symbol:
                by_symbol_item = by_symbol_item_data.to_dict()
                by_symbol.append(by_symbol_item)

        by_day: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.by_day, Unset):
            by_day = []
            for by_day_item_data in self.by_day:
                by_day_item = by_day_item_data.to_dict()
                by_day.append(by_day_item)

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
        if from_ is not UNSET:
            field_dict["from"] = from_
        if to is not UNSET:
            field_dict["to"] = to
        if currency is not UNSET:
            field_dict["currency"] = currency
        if by_symbol is not UNSET:
            field_dict["by_symbol"] = by_symbol
        if by_day is not UNSET:
            field_dict["by_day"] = by_day

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.day_figures import DayFigures  # noqa: PLC0415
        from ..models.symbol_figures import SymbolFigures  # noqa: PLC0415

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

        def _parse_from_(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                from_type_0 = datetime.date.fromisoformat(data)

                return from_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        from_ = _parse_from_(d.pop("from", UNSET))

        def _parse_to(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                to_type_0 = datetime.date.fromisoformat(data)

                return to_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        to = _parse_to(d.pop("to", UNSET))

        _currency = d.pop("currency", UNSET)
        currency: Currency | Unset
        if isinstance(_currency, Unset):
            currency = UNSET
        else:
            currency = Currency(_currency)

        _by_symbol = d.pop("by_symbol", UNSET)
        by_symbol: list[SymbolFigures] | Unset = UNSET
        if _by_symbol is not UNSET:
            by_symbol = []
            for by_symbol_item_data in _by_symbol:
                by_symbol_item = SymbolFigures.from_dict(by_symbol_item_data)

                by_symbol.append(by_symbol_item)

        _by_day = d.pop("by_day", UNSET)
        by_day: list[DayFigures] | Unset = UNSET
        if _by_day is not UNSET:
            by_day = []
            for by_day_item_data in _by_day:
                by_day_item = DayFigures.from_dict(by_day_item_data)

                by_day.append(by_day_item)

        metrics_out = cls(
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
            from_=from_,
            to=to,
            currency=currency,
            by_symbol=by_symbol,
            by_day=by_day,
        )

        return metrics_out
