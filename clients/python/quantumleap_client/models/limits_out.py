from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.currency import Currency
from ..types import UNSET, Unset

T = TypeVar("T", bound="LimitsOut")


@_attrs_define
class LimitsOut:
    """
    Attributes:
        per_order_limit (None | str | Unset):
        daily_limit (None | str | Unset):
        monthly_limit (None | str | Unset):
        daily_spent (str | Unset):
        monthly_spent (str | Unset):
        daily_remaining (None | str | Unset):
        monthly_remaining (None | str | Unset):
        daily_period_start (datetime.datetime | Unset):
        daily_period_end (datetime.datetime | Unset):
        monthly_period_start (datetime.datetime | Unset):
        monthly_period_end (datetime.datetime | Unset):
        currency (Currency | Unset):
    """

    per_order_limit: None | str | Unset = UNSET
    daily_limit: None | str | Unset = UNSET
    monthly_limit: None | str | Unset = UNSET
    daily_spent: str | Unset = UNSET
    monthly_spent: str | Unset = UNSET
    daily_remaining: None | str | Unset = UNSET
    monthly_remaining: None | str | Unset = UNSET
    daily_period_start: datetime.datetime | Unset = UNSET
    daily_period_end: datetime.datetime | Unset = UNSET
    monthly_period_start: datetime.datetime | Unset = UNSET
    monthly_period_end: datetime.datetime | Unset = UNSET
    currency: Currency | Unset = UNSET

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

        daily_spent = self.daily_spent

        monthly_spent = self.monthly_spent

        daily_remaining: None | str | Unset
        if isinstance(self.daily_remaining, Unset):
            daily_remaining = UNSET
        else:
            daily_remaining = self.daily_remaining

        monthly_remaining: None | str | Unset
        if isinstance(self.monthly_remaining, Unset):
            monthly_remaining = UNSET
        else:
            monthly_remaining = self.monthly_remaining

        daily_period_start: str | Unset = UNSET
        if not isinstance(self.daily_period_start, Unset):
            daily_period_start = self.daily_period_start.isoformat()

        daily_period_end: str | Unset = UNSET
        if not isinstance(self.daily_period_end, Unset):
            daily_period_end = self.daily_period_end.isoformat()

        monthly_period_start: str | Unset = UNSET
        if not isinstance(self.monthly_period_start, Unset):
            monthly_period_start = self.monthly_period_start.isoformat()

        monthly_period_end: str | Unset = UNSET
        if not isinstance(self.monthly_period_end, Unset):
            monthly_period_end = self.monthly_period_end.isoformat()

        currency: str | Unset = UNSET
        if not isinstance(self.currency, Unset):
            currency = self.currency.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if per_order_limit is not UNSET:
            field_dict["per_order_limit"] = per_order_limit
        if daily_limit is not UNSET:
            field_dict["daily_limit"] = daily_limit
        if monthly_limit is not UNSET:
            field_dict["monthly_limit"] = monthly_limit
        if daily_spent is not UNSET:
            field_dict["daily_spent"] = daily_spent
        if monthly_spent is not UNSET:
            field_dict["monthly_spent"] = monthly_spent
        if daily_remaining is not UNSET:
            field_dict["daily_remaining"] = daily_remaining
        if monthly_remaining is not UNSET:
            field_dict["monthly_remaining"] = monthly_remaining
        if daily_period_start is not UNSET:
            field_dict["daily_period_start"] = daily_period_start
        if daily_period_end is not UNSET:
            field_dict["daily_period_end"] = daily_period_end
        if monthly_period_start is not UNSET:
            field_dict["monthly_period_start"] = monthly_period_start
        if monthly_period_end is not UNSET:
            field_dict["monthly_period_end"] = monthly_period_end
        if currency is not UNSET:
            field_dict["currency"] = currency

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

        daily_spent = d.pop("daily_spent", UNSET)

        monthly_spent = d.pop("monthly_spent", UNSET)

        def _parse_daily_remaining(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        daily_remaining = _parse_daily_remaining(d.pop("daily_remaining", UNSET))

        def _parse_monthly_remaining(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        monthly_remaining = _parse_monthly_remaining(d.pop("monthly_remaining", UNSET))

        _daily_period_start = d.pop("daily_period_start", UNSET)
        daily_period_start: datetime.datetime | Unset
        if isinstance(_daily_period_start, Unset):
            daily_period_start = UNSET
        else:
            daily_period_start = datetime.datetime.fromisoformat(_daily_period_start)

        _daily_period_end = d.pop("daily_period_end", UNSET)
        daily_period_end: datetime.datetime | Unset
        if isinstance(_daily_period_end, Unset):
            daily_period_end = UNSET
        else:
            daily_period_end = datetime.datetime.fromisoformat(_daily_period_end)

        _monthly_period_start = d.pop("monthly_period_start", UNSET)
        monthly_period_start: datetime.datetime | Unset
        if isinstance(_monthly_period_start, Unset):
            monthly_period_start = UNSET
        else:
            monthly_period_start = datetime.datetime.fromisoformat(_monthly_period_start)

        _monthly_period_end = d.pop("monthly_period_end", UNSET)
        monthly_period_end: datetime.datetime | Unset
        if isinstance(_monthly_period_end, Unset):
            monthly_period_end = UNSET
        else:
            monthly_period_end = datetime.datetime.fromisoformat(_monthly_period_end)

        _currency = d.pop("currency", UNSET)
        currency: Currency | Unset
        if isinstance(_currency, Unset):
            currency = UNSET
        else:
            currency = Currency(_currency)

        limits_out = cls(
            per_order_limit=per_order_limit,
            daily_limit=daily_limit,
            monthly_limit=monthly_limit,
            daily_spent=daily_spent,
            monthly_spent=monthly_spent,
            daily_remaining=daily_remaining,
            monthly_remaining=monthly_remaining,
            daily_period_start=daily_period_start,
            daily_period_end=daily_period_end,
            monthly_period_start=monthly_period_start,
            monthly_period_end=monthly_period_end,
            currency=currency,
        )

        return limits_out
