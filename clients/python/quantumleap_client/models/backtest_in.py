from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.backtest_in_parameters import BacktestInParameters


T = TypeVar("T", bound="BacktestIn")


@_attrs_define
class BacktestIn:
    """
    Attributes:
        template_id (int):  Example: 1.
        symbol (str):  Example: AAPL.
        parameters (BacktestInParameters | Unset):  Example: {'fast': 10, 'slow': 30}.
        start (datetime.datetime | None | Unset):  Example: 2024-01-01.
        end (datetime.datetime | None | Unset):  Example: 2024-12-31.
    """

    template_id: int
    symbol: str
    parameters: BacktestInParameters | Unset = UNSET
    start: datetime.datetime | None | Unset = UNSET
    end: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        template_id = self.template_id

        symbol = self.symbol

        parameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = self.parameters.to_dict()

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

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "template_id": template_id,
                "symbol": symbol,
            }
        )
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if start is not UNSET:
            field_dict["start"] = start
        if end is not UNSET:
            field_dict["end"] = end

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.backtest_in_parameters import BacktestInParameters  # noqa: PLC0415

        d = dict(src_dict)
        template_id = d.pop("template_id")

        symbol = d.pop("symbol")

        _parameters = d.pop("parameters", UNSET)
        parameters: BacktestInParameters | Unset
        if isinstance(_parameters, Unset):
            parameters = UNSET
        else:
            parameters = BacktestInParameters.from_dict(_parameters)

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

        backtest_in = cls(
            template_id=template_id,
            symbol=symbol,
            parameters=parameters,
            start=start,
            end=end,
        )

        return backtest_in
