from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.currency import Currency
from ..types import UNSET, Unset

T = TypeVar("T", bound="BalanceOut")


@_attrs_define
class BalanceOut:
    """
    Attributes:
        available_balance (str | Unset):
        currency (Currency | Unset):
    """

    available_balance: str | Unset = UNSET
    currency: Currency | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        available_balance = self.available_balance

        currency: str | Unset = UNSET
        if not isinstance(self.currency, Unset):
            currency = self.currency.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if available_balance is not UNSET:
            field_dict["available_balance"] = available_balance
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        available_balance = d.pop("available_balance", UNSET)

        _currency = d.pop("currency", UNSET)
        currency: Currency | Unset
        if isinstance(_currency, Unset):
            currency = UNSET
        else:
            currency = Currency(_currency)

        balance_out = cls(
            available_balance=available_balance,
            currency=currency,
        )

        return balance_out
