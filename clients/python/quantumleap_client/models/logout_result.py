from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LogoutResult")


@_attrs_define
class LogoutResult:
    """
    Attributes:
        revoked (list[str] | Unset):  Example: ['access', 'refresh'].
        message (str | Unset):
    """

    revoked: list[str] | Unset = UNSET
    message: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        revoked: list[str] | Unset = UNSET
        if not isinstance(self.revoked, Unset):
            revoked = self.revoked

        message = self.message

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if revoked is not UNSET:
            field_dict["revoked"] = revoked
        if message is not UNSET:
            field_dict["message"] = message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        revoked = cast(list[str], d.pop("revoked", UNSET))

        message = d.pop("message", UNSET)

        logout_result = cls(
            revoked=revoked,
            message=message,
        )

        return logout_result
