from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="BacktestMetrics")


@_attrs_define
class BacktestMetrics:
    """
    Attributes:
        initial_equity (str | Unset):
        final_equity (str | Unset):
        total_return (float | Unset):
        volatility (float | None | Unset):
        max_drawdown (float | None | Unset):
        drawdown_peak_at (datetime.datetime | None | Unset):
        drawdown_trough_at (datetime.datetime | None | Unset):
        sharpe_ratio (float | None | Unset):
        win_rate (float | None | Unset): winning round trips / closed round trips
        round_trips (int | Unset):
        trades (int | Unset):
    """

    initial_equity: str | Unset = UNSET
    final_equity: str | Unset = UNSET
    total_return: float | Unset = UNSET
    volatility: float | None | Unset = UNSET
    max_drawdown: float | None | Unset = UNSET
    drawdown_peak_at: datetime.datetime | None | Unset = UNSET
    drawdown_trough_at: datetime.datetime | None | Unset = UNSET
    sharpe_ratio: float | None | Unset = UNSET
    win_rate: float | None | Unset = UNSET
    round_trips: int | Unset = UNSET
    trades: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        initial_equity = self.initial_equity

        final_equity = self.final_equity

        total_return = self.total_return

        volatility: float | None | Unset
        if isinstance(self.volatility, Unset):
            volatility = UNSET
        else:
            volatility = self.volatility

        max_drawdown: float | None | Unset
        if isinstance(self.max_drawdown, Unset):
            max_drawdown = UNSET
        else:
            max_drawdown = self.max_drawdown

        drawdown_peak_at: None | str | Unset
        if isinstance(self.drawdown_peak_at, Unset):
            drawdown_peak_at = UNSET
        elif isinstance(self.drawdown_peak_at, datetime.datetime):
            drawdown_peak_at = self.drawdown_peak_at.isoformat()
        else:
            drawdown_peak_at = self.drawdown_peak_at

        drawdown_trough_at: None | str | Unset
        if isinstance(self.drawdown_trough_at, Unset):
            drawdown_trough_at = UNSET
        elif isinstance(self.drawdown_trough_at, datetime.datetime):
            drawdown_trough_at = self.drawdown_trough_at.isoformat()
        else:
            drawdown_trough_at = self.drawdown_trough_at

        sharpe_ratio: float | None | Unset
        if isinstance(self.sharpe_ratio, Unset):
            sharpe_ratio = UNSET
        else:
            sharpe_ratio = self.sharpe_ratio

        win_rate: float | None | Unset
        if isinstance(self.win_rate, Unset):
            win_rate = UNSET
        else:
            win_rate = self.win_rate

        round_trips = self.round_trips

        trades = self.trades

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if initial_equity is not UNSET:
            field_dict["initial_equity"] = initial_equity
        if final_equity is not UNSET:
            field_dict["final_equity"] = final_equity
        if total_return is not UNSET:
            field_dict["total_return"] = total_return
        if volatility is not UNSET:
            field_dict["volatility"] = volatility
        if max_drawdown is not UNSET:
            field_dict["max_drawdown"] = max_drawdown
        if drawdown_peak_at is not UNSET:
            field_dict["drawdown_peak_at"] = drawdown_peak_at
        if drawdown_trough_at is not UNSET:
            field_dict["drawdown_trough_at"] = drawdown_trough_at
        if sharpe_ratio is not UNSET:
            field_dict["sharpe_ratio"] = sharpe_ratio
        if win_rate is not UNSET:
            field_dict["win_rate"] = win_rate
        if round_trips is not UNSET:
            field_dict["round_trips"] = round_trips
        if trades is not UNSET:
            field_dict["trades"] = trades

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        initial_equity = d.pop("initial_equity", UNSET)

        final_equity = d.pop("final_equity", UNSET)

        total_return = d.pop("total_return", UNSET)

        def _parse_volatility(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        volatility = _parse_volatility(d.pop("volatility", UNSET))

        def _parse_max_drawdown(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_drawdown = _parse_max_drawdown(d.pop("max_drawdown", UNSET))

        def _parse_drawdown_peak_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                drawdown_peak_at_type_0 = datetime.datetime.fromisoformat(data)

                return drawdown_peak_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        drawdown_peak_at = _parse_drawdown_peak_at(d.pop("drawdown_peak_at", UNSET))

        def _parse_drawdown_trough_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                drawdown_trough_at_type_0 = datetime.datetime.fromisoformat(data)

                return drawdown_trough_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        drawdown_trough_at = _parse_drawdown_trough_at(d.pop("drawdown_trough_at", UNSET))

        def _parse_sharpe_ratio(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        sharpe_ratio = _parse_sharpe_ratio(d.pop("sharpe_ratio", UNSET))

        def _parse_win_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        win_rate = _parse_win_rate(d.pop("win_rate", UNSET))

        round_trips = d.pop("round_trips", UNSET)

        trades = d.pop("trades", UNSET)

        backtest_metrics = cls(
            initial_equity=initial_equity,
            final_equity=final_equity,
            total_return=total_return,
            volatility=volatility,
            max_drawdown=max_drawdown,
            drawdown_peak_at=drawdown_peak_at,
            drawdown_trough_at=drawdown_trough_at,
            sharpe_ratio=sharpe_ratio,
            win_rate=win_rate,
            round_trips=round_trips,
            trades=trades,
        )

        return backtest_metrics
