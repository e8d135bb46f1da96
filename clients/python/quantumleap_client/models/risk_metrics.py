from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RiskMetrics")


@_attrs_define
class RiskMetrics:
    """
    Attributes:
        request_id (str | Unset):
        observations (int | Unset): snapshots used
        returns (int | Unset): simple returns between consecutive snapshots
        volatility (float | None | Unset): annualized, sample stdev x sqrt(252)
        var_95 (float | None | Unset): historical VaR at 95%, a positive loss
        cvar_95 (float | None | Unset): mean of the returns at or below the VaR
        max_drawdown (float | None | Unset):
        drawdown_peak_at (datetime.datetime | None | Unset):
        drawdown_trough_at (datetime.datetime | None | Unset):
        sharpe_ratio (float | None | Unset):
        mean_return (float | None | Unset):
        total_return (float | None | Unset):
        window (int | Unset):
        start (datetime.datetime | None | Unset):
        end (datetime.datetime | None | Unset):
        risk_free_rate (float | Unset):
        periods_per_year (int | Unset):
        confidence (float | Unset):
        reason (None | str | Unset): why some metrics are null
    """

    request_id: str | Unset = UNSET
    observations: int | Unset = UNSET
    returns: int | Unset = UNSET
    volatility: float | None | Unset = UNSET
    var_95: float | None | Unset = UNSET
    cvar_95: float | None | Unset = UNSET
    max_drawdown: float | None | Unset = UNSET
    drawdown_peak_at: datetime.datetime | None | Unset = UNSET
    drawdown_trough_at: datetime.datetime | None | Unset = UNSET
    sharpe_ratio: float | None | Unset = UNSET
    mean_return: float | None | Unset = UNSET
    total_return: float | None | Unset = UNSET
    window: int | Unset = UNSET
    start: datetime.datetime | None | Unset = UNSET
    end: datetime.datetime | None | Unset = UNSET
    risk_free_rate: float | Unset = UNSET
    periods_per_year: int | Unset = UNSET
    confidence: float | Unset = UNSET
    reason: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        request_id = self.request_id

        observations = self.observations

        returns = self.returns

        volatility: float | None | Unset
        if isinstance(self.volatility, Unset):
            volatility = UNSET
        else:
            volatility = self.volatility

        var_95: float | None | Unset
        if isinstance(self.var_95, Unset):
            var_95 = UNSET
        else:
            var_95 = self.var_95

        cvar_95: float | None | Unset
        if isinstance(self.cvar_95, Unset):
            cvar_95 = UNSET
        else:
            cvar_95 = self.cvar_95

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

        mean_return: float | None | Unset
        if isinstance(self.mean_return, Unset):
            mean_return = UNSET
        else:
            mean_return = self.mean_return

        total_return: float | None | Unset
        if isinstance(self.total_return, Unset):
            total_return = UNSET
        else:
            total_return = self.total_return

        window = self.window

        start: None | str | Unset
        if isinstance(self.start, Unset):
            start = UNSET
        elif isinstance(self.start, datetime.datetime):
            start = self.start.isoformat()
        else:
            start = self.start

        end: None | str | Unset
        if isinstance(self.end, Unset):
            end = UNSET
        elif isinstance(self.end, datetime.datetime):
            end = self.end.isoformat()
        else:
            end = self.end

        risk_free_rate = self.risk_free_rate

        periods_per_year = self.periods_per_year

        confidence = self.confidence

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if observations is not UNSET:
            field_dict["observations"] = observations
        if returns is not UNSET:
            field_dict["returns"] = returns
        if volatility is not UNSET:
            field_dict["volatility"] = volatility
        if var_95 is not UNSET:
            field_dict["var_95"] = var_95
        if cvar_95 is not UNSET:
            field_dict["cvar_95"] = cvar_95
        if max_drawdown is not UNSET:
            field_dict["max_drawdown"] = max_drawdown
        if drawdown_peak_at is not UNSET:
            field_dict["drawdown_peak_at"] = drawdown_peak_at
        if drawdown_trough_at is not UNSET:
            field_dict["drawdown_trough_at"] = drawdown_trough_at
        if sharpe_ratio is not UNSET:
            field_dict["sharpe_ratio"] = sharpe_ratio
        if mean_return is not UNSET:
            field_dict["mean_return"] = mean_return
        if total_return is not UNSET:
            field_dict["total_return"] = total_return
        if window is not UNSET:
            field_dict["window"] = window
        if start is not UNSET:
            field_dict["start"] = start
        if end is not UNSET:
            field_dict["end"] = end
        if risk_free_rate is not UNSET:
            field_dict["risk_free_rate"] = risk_free_rate
        if periods_per_year is not UNSET:
            field_dict["periods_per_year"] = periods_per_year
        if confidence is not UNSET:
            field_dict["confidence"] = confidence
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        request_id = d.pop("request_id", UNSET)

        observations = d.pop("observations", UNSET)

        returns = d.pop("returns", UNSET)

        def _parse_volatility(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        volatility = _parse_volatility(d.pop("volatility", UNSET))

        def _parse_var_95(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        var_95 = _parse_var_95(d.pop("var_95", UNSET))

        def _parse_cvar_95(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        cvar_95 = _parse_cvar_95(d.pop("cvar_95", UNSET))

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

        def _parse_mean_return(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        mean_return = _parse_mean_return(d.pop("mean_return", UNSET))

        def _parse_total_return(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        total_return = _parse_total_return(d.pop("total_return", UNSET))

        window = d.pop("window", UNSET)

        def _parse_start(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_type_0 = datetime.datetime.fromisoformat(data)

                return start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        start = _parse_start(d.pop("start", UNSET))

        def _parse_end(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_type_0 = datetime.datetime.fromisoformat(data)

                return end_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        end = _parse_end(d.pop("end", UNSET))

        risk_free_rate = d.pop("risk_free_rate", UNSET)

        periods_per_year = d.pop("periods_per_year", UNSET)

        confidence = d.pop("confidence", UNSET)

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        risk_metrics = cls(
            request_id=request_id,
            observations=observations,
            returns=returns,
            volatility=volatility,
            var_95=var_95,
            cvar_95=cvar_95,
            max_drawdown=max_drawdown,
            drawdown_peak_at=drawdown_peak_at,
            drawdown_trough_at=drawdown_trough_at,
            sharpe_ratio=sharpe_ratio,
            mean_return=mean_return,
            total_return=total_return,
            window=window,
            start=start,
            end=end,
            risk_free_rate=risk_free_rate,
            periods_per_year=periods_per_year,
            confidence=confidence,
            reason=reason,
        )

        return risk_metrics
