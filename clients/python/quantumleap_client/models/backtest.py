from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.request_status import RequestStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.backtest_metrics import BacktestMetrics
    from ..models.backtest_parameters import BacktestParameters
    from ..models.equity_point import EquityPoint
    from ..models.template_ref import TemplateRef
    from ..models.trade import Trade


T = TypeVar("T", bound="Backtest")


@_attrs_define
class Backtest:
    """
    Attributes:
        request_id (str | Unset):
        status (RequestStatus | Unset):
        template (TemplateRef | Unset):
        symbol (str | Unset):
        parameters (BacktestParameters | Unset): the template's parameters, defaults filled in
        start (datetime.datetime | Unset):
        end (datetime.datetime | Unset):
        bars (int | Unset):
        trades (list[Trade] | Unset):
        equity_curve (list[EquityPoint] | Unset):
        metrics (BacktestMetrics | Unset):
        warnings (list[str] | Unset):
    """

    request_id: str | Unset = UNSET
    status: RequestStatus | Unset = UNSET
    template: TemplateRef | Unset = UNSET
    symbol: str | Unset = UNSET
    parameters: BacktestParameters | Unset = UNSET
    start: datetime.datetime | Unset = UNSET
    end: datetime.datetime | Unset = UNSET
    bars: int | Unset = UNSET
    trades: list[Trade] | Unset = UNSET
    equity_curve: list[EquityPoint] | Unset = UNSET
    metrics: BacktestMetrics | Unset = UNSET
    warnings: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        request_id = self.request_id

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        template: dict[str, Any] | Unset = UNSET
        if not isinstance(self.template, Unset):
            template = self.template.to_dict()

        symbol = self.symbol

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

        start: str | Unset = UNSET
        if not isinstance(self.start, Unset):
            start = self.start.isoformat()

        end: str | Unset = UNSET
        if not isinstance(self.end, Unset):
            end = self.end.isoformat()

        bars = self.bars

        trades: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.trades, Unset):
            trades = []
            for trades_item_data in self.trades:
                trades_item = trades_item_data.to_dict()
                trades.append(trades_item)

        equity_curve: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.equity_curve, Unset):
            equity_curve = []
            for equity_curve_item_data in self.equity_curve:
                equity_curve_item = equity_curve_item_data.to_dict()
                equity_curve.append(equity_curve_item)

        metrics: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metrics, Unset):
            metrics = self.metrics.to_dict()

        warnings: list[str] | Unset = UNSET
        if not isinstance(self.warnings, Unset):
            warnings = self.warnings

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if status is not UNSET:
            field_dict["status"] = status
        if template is not UNSET:
            field_dict["template"] = template
        if symbol is not UNSET:
            field_dict["symbol"] = symbol
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if start is not UNSET:
            field_dict["start"] = start
        if end is not UNSET:
            field_dict["end"] = end
        if bars is not UNSET:
            field_dict["bars"] = bars
        if trades is not UNSET:
            field_dict["trades"] = trades
        if equity_curve is not UNSET:
            field_dict["equity_curve"] = equity_curve
        if metrics is not UNSET:
            field_dict["metrics"] = metrics
        if warnings is not UNSET:
            field_dict["warnings"] = warnings

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.backtest_metrics import BacktestMetrics  # noqa: PLC0415
        from ..models.backtest_parameters import BacktestParameters  # noqa: PLC0415
        from ..models.equity_point import EquityPoint  # noqa: PLC0415
        from ..models.template_ref import TemplateRef  # noqa: PLC0415
        from ..models.trade import Trade  # noqa: PLC0415

        d = dict(src_dict)
        request_id = d.pop("request_id", UNSET)

        _status = d.pop("status", UNSET)
        status: RequestStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = RequestStatus(_status)

        _template = d.pop("template", UNSET)
        template: TemplateRef | Unset
        if isinstance(_template, Unset):
            template = UNSET
        else:
            template = TemplateRef.from_dict(_template)

        symbol = d.pop("symbol", UNSET)

        _parameters = d.pop("parameters", UNSET)
        parameters: BacktestParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = BacktestParameters.from_dict(_parameters)

        _start = d.pop("start", UNSET)
        start: datetime.datetime | Unset
        if isinstance(_start, Unset):
            start = UNSET
        else:
            start = datetime.datetime.fromisoformat(_start)

        _end = d.pop("end", UNSET)
        end: datetime.datetime | Unset
        if isinstance(_end, Unset):
            end = UNSET
        else:
            end = datetime.datetime.fromisoformat(_end)

        bars = d.pop("bars", UNSET)

        _trades = d.pop("trades", UNSET)
        trades: list[Trade] | Unset = UNSET
        if _trades is not UNSET:
            trades = []
            for trades_item_data in _trades:
                trades_item = Trade.from_dict(trades_item_data)

                trades.append(trades_item)

        _equity_curve = d.pop("equity_curve", UNSET)
        equity_curve: list[EquityPoint] | Unset = UNSET
        if _equity_curve is not UNSET:
            equity_curve = []
            for equity_curve_item_data in _equity_curve:
                equity_curve_item = EquityPoint.from_dict(equity_curve_item_data)

                equity_curve.append(equity_curve_item)

        _metrics = d.pop("metrics", UNSET)
        metrics: BacktestMetrics | Unset
        if isinstance(_metrics, Unset):
            metrics = UNSET
        else:
            metrics = BacktestMetrics.from_dict(_metrics)

        warnings = cast(list[str], d.pop("warnings", UNSET))

        backtest = cls(
            request_id=request_id,
            status=status,
            template=template,
            symbol=symbol,
            parameters=parameters,
            start=start,
            end=end,
            bars=bars,
            trades=trades,
            equity_curve=equity_curve,
            metrics=metrics,
            warnings=warnings,
        )

        return backtest
