from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.account_status import AccountStatus
from ..models.auth_method import AuthMethod
from ..models.scope import Scope
from ..models.tier import Tier
from ..models.user_role import UserRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="Me")


@_attrs_define
class Me:
    """
    Attributes:
        id (int | Unset):
        email (str | Unset):
        username (None | str | Unset):
        tier (Tier | Unset):
        account_status (AccountStatus | Unset):
        role (UserRole | Unset):
        created_at (datetime.datetime | Unset):
        scopes (list[Scope] | Unset): what the current credential may do
        auth_method (AuthMethod | Unset):
    """

    id: int | Unset = UNSET
    email: str | Unset = UNSET
    username: None | str | Unset = UNSET
    tier: Tier | Unset = UNSET
    account_status: AccountStatus | Unset = UNSET
    role: UserRole | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    scopes: list[Scope] | Unset = UNSET
    auth_method: AuthMethod | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        username: None | str | Unset
        if isinstance(self.username, Unset):
            username = UNSET
        else:
            username = self.username

        tier: str | Unset = UNSET
        if not isinstance(self.tier, Unset):
            tier = self.tier.value

        account_status: str | Unset = UNSET
        if not isinstance(self.account_status, Unset):
            account_status = self.account_status.value

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        scopes: list[str] | Unset = UNSET
        if not isinstance(self.scopes, Unset):
            scopes = []
            for scopes_item_data in self.scopes:
                scopes_item = scopes_item_data.value
                scopes.append(scopes_item)

        auth_method: str | Unset = UNSET
        if not isinstance(self.auth_method, Unset):
            auth_method = self.auth_method.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if email is not UNSET:
            field_dict["email"] = email
        if username is not UNSET:
            field_dict["username"] = username
        if tier is not UNSET:
            field_dict["tier"] = tier
        if account_status is not UNSET:
            field_dict["account_status"] = account_status
        if role is not UNSET:
            field_dict["role"] = role
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if scopes is not UNSET:
            field_dict["scopes"] = scopes
        if auth_method is not UNSET:
            field_dict["auth_method"] = auth_method

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        email = d.pop("email", UNSET)

        def _parse_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        username = _parse_username(d.pop("username", UNSET))

        _tier = d.pop("tier", UNSET)
        tier: Tier | Unset
        if isinstance(_tier, Unset):
            tier = UNSET
        else:
            tier = Tier(_tier)

        _account_status = d.pop("account_status", UNSET)
        account_status: AccountStatus | Unset
        if isinstance(_account_status, Unset):
            account_status = UNSET
        else:
            account_status = AccountStatus(_account_status)

        _role = d.pop("role", UNSET)
        role: UserRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = UserRole(_role)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _scopes = d.pop("scopes", UNSET)
        scopes: list[Scope] | Unset = UNSET
        if _scopes is not UNSET:
            scopes = []
            for scopes_item_data in _scopes:
                scopes_item = Scope(scopes_item_data)

                scopes.append(scopes_item)

        _auth_method = d.pop("auth_method", UNSET)
        auth_method: AuthMethod | Unset
        if isinstance(_auth_method, Unset):
            auth_method = UNSET
        else:
            auth_method = AuthMethod(_auth_method)

        me = cls(
            id=id,
            email=email,
            username=username,
            tier=tier,
            account_status=account_status,
            role=role,
            created_at=created_at,
            scopes=scopes,
            auth_method=auth_method,
        )

        return me
