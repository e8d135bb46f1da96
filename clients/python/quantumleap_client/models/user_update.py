from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.account_status import AccountStatus
from ..models.tier import Tier
from ..models.user_role import UserRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserUpdate")


@_attrs_define
class UserUpdate:
    """
    Attributes:
        account_status (AccountStatus | Unset):
        tier (Tier | Unset):
        role (UserRole | Unset):
    """

    account_status: AccountStatus | Unset = UNSET
    tier: Tier | Unset = UNSET
    role: UserRole | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        account_status: str | Unset = UNSET
        if not isinstance(self.account_status, Unset):
            account_status = self.account_status.value

        tier: str | Unset = UNSET
        if not isinstance(self.tier, Unset):
            tier = self.tier.value

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if account_status is not UNSET:
            field_dict["account_status"] = account_status
        if tier is not UNSET:
            field_dict["tier"] = tier
        if role is not UNSET:
            field_dict["role"] = role

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _account_status = d.pop("account_status", UNSET)
        account_status: AccountStatus | Unset
        if isinstance(_account_status, Unset):
            account_status = UNSET
        else:
            account_status = AccountStatus(_account_status)

        _tier = d.pop("tier", UNSET)
        tier: Tier | Unset
        if isinstance(_tier, Unset):
            tier = UNSET
        else:
            tier = Tier(_tier)

        _role = d.pop("role", UNSET)
        role: UserRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = UserRole(_role)

        user_update = cls(
            account_status=account_status,
            tier=tier,
            role=role,
        )

        return user_update
