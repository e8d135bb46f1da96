from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LimitsIn")


@_attrs_define
class LimitsIn:
    """
    Attributes:
        per_order_limit (None | str | Unset): a decimal string > 0 and <= 1000000000
        daily_limit (None | str | Unset): a decimal string > 0 and <= 1000000000
        monthly_limit (None | str | Unset): a decimal string > 0 and <= 1000000000
    """

    per_order_limit: None | str | Unset = UNSET
    daily_limit: None | str | Unset = UNSET
    monthly_limit: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        per_order_limit: None | str | Unset
        if isinstance(self.per_order_limit, Unset):
            per_order_limit = UNSET
        else:
            per_order_limit = self.per_order_limit

        daily_limit: None | str | Unset
        if isinstance(self.daily_limit, Unset):
            daily_limit = UNSET
        else:
            daily_limit = self.daily_limit

        monthly_limit: None | str | Unset
        if isinstance(self.monthly_limit, Unset):
            monthly_limit = UNSET
        else:
            monthly_limit = self.monthly_limit

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if per_order_limit is not UNSET:
            field_dict["per_order_limit"] = per_order_limit
        if daily_limit is not UNSET:
            field_dict["daily_limit"] = daily_limit
        if monthly_limit is not UNSET:
            field_dict["monthly_limit"] = monthly_limit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_per_order_limit(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        per_order_limit = _parse_per_order_limit(d.pop("per_order_limit", UNSET))

        def _parse_daily_limit(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        daily_limit = _parse_daily_limit(d.pop("daily_limit", UNSET))

        def _parse_monthly_limit(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        monthly_limit = _parse_monthly_limit(d.pop("monthly_limit", UNSET))

        limits_in = cls(
            per_order_limit=per_order_limit,
            daily_limit=daily_limit,
            monthly_limit=monthly_limit,
        )

        return limits_in
