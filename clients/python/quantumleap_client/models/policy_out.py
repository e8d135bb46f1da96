from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.tier import Tier
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.policy_out_daily_limits_type_0 import PolicyOutDailyLimitsType0


T = TypeVar("T", bound="PolicyOut")


@_attrs_define
class PolicyOut:
    """
    Attributes:
        id (int | Unset):
        tier (None | Tier | Unset):
        user_id (int | None | Unset):
        allowed_templates (list[str] | None | Unset):
        daily_limits (None | PolicyOutDailyLimitsType0 | Unset):
        approval_cost (None | str | Unset):
        max_cost (None | str | Unset):
        updated_at (datetime.datetime | Unset):
    """

    id: int | Unset = UNSET
    tier: None | Tier | Unset = UNSET
    user_id: int | None | Unset = UNSET
    allowed_templates: list[str] | None | Unset = UNSET
    daily_limits: None | PolicyOutDailyLimitsType0 | Unset = UNSET
    approval_cost: None | str | Unset = UNSET
    max_cost: None | str | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.policy_out_daily_limits_type_0 import PolicyOutDailyLimitsType0  # noqa: PLC0415

        id = self.id

        tier: None | str | Unset
        if isinstance(self.tier, Unset):
            tier = UNSET
        elif isinstance(self.tier, Tier):
            tier = self.tier.value
        else:
            tier = self.tier

        user_id: int | None | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id

        allowed_templates: list[str] | None | Unset
        if isinstance(self.allowed_templates, Unset):
            allowed_templates = UNSET
        elif isinstance(self.allowed_templates, list):
            allowed_templates = self.allowed_templates

        else:
            allowed_templates = self.allowed_templates

        daily_limits: dict[str, Any] | None | Unset
        if isinstance(self.daily_limits, Unset):
            daily_limits = UNSET
        elif isinstance(self.daily_limits, PolicyOutDailyLimitsType0):
            daily_limits = self.daily_limits.to_dict()
        else:
            daily_limits = self.daily_limits

        approval_cost: None | str | Unset
        if isinstance(self.approval_cost, Unset):
            approval_cost = UNSET
        else:
            approval_cost = self.approval_cost

        max_cost: None | str | Unset
        if isinstance(self.max_cost, Unset):
            max_cost = UNSET
        else:
            max_cost = self.max_cost

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if tier is not UNSET:
            field_dict["tier"] = tier
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if allowed_templates is not UNSET:
            field_dict["allowed_templates"] = allowed_templates
        if daily_limits is not UNSET:
            field_dict["daily_limits"] = daily_limits
        if approval_cost is not UNSET:
            field_dict["approval_cost"] = approval_cost
        if max_cost is not UNSET:
            field_dict["max_cost"] = max_cost
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.policy_out_daily_limits_type_0 import PolicyOutDailyLimitsType0  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        def _parse_tier(data: object) -> None | Tier | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                tier_type_1 = Tier(data)

                return tier_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Tier | Unset, data)

        tier = _parse_tier(d.pop("tier", UNSET))

        def _parse_user_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))

        def _parse_allowed_templates(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                allowed_templates_type_0 = cast(list[str], data)

                return allowed_templates_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        allowed_templates = _parse_allowed_templates(d.pop("allowed_templates", UNSET))

        def _parse_daily_limits(data: object) -> None | PolicyOutDailyLimitsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                daily_limits_type_0 = PolicyOutDailyLimitsType0.from_dict(data)

                return daily_limits_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PolicyOutDailyLimitsType0 | Unset, data)

        daily_limits = _parse_daily_limits(d.pop("daily_limits", UNSET))

        def _parse_approval_cost(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        approval_cost = _parse_approval_cost(d.pop("approval_cost", UNSET))

        def _parse_max_cost(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        max_cost = _parse_max_cost(d.pop("max_cost", UNSET))

        _updated_at = d.pop("updated_at", UNSET)
        updated_at: datetime.datetime | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = datetime.datetime.fromisoformat(_updated_at)

        policy_out = cls(
            id=id,
            tier=tier,
            user_id=user_id,
            allowed_templates=allowed_templates,
            daily_limits=daily_limits,
            approval_cost=approval_cost,
            max_cost=max_cost,
            updated_at=updated_at,
        )

        return policy_out
