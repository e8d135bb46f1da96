from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.policy_daily_limits import PolicyDailyLimits
    from ..models.policy_sources import PolicySources
    from ..models.policy_used_today import PolicyUsedToday


T = TypeVar("T", bound="Policy")


@_attrs_define
class Policy:
    """
    Attributes:
        allowed_templates (list[str] | None | Unset):
        daily_limits (PolicyDailyLimits | Unset):
        approval_cost (None | str | Unset):
        max_cost (None | str | Unset):
        sources (PolicySources | Unset):
        used_today (PolicyUsedToday | Unset):
        resets_at (datetime.datetime | Unset):
    """

    allowed_templates: list[str] | None | Unset = UNSET
    daily_limits: PolicyDailyLimits | Unset = UNSET
    approval_cost: None | str | Unset = UNSET
    max_cost: None | str | Unset = UNSET
    sources: PolicySources | Unset = UNSET
    used_today: PolicyUsedToday | Unset = UNSET
    resets_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        allowed_templates: list[str] | None | Unset
        if isinstance(self.allowed_templates, Unset):
            allowed_templates = UNSET
        elif isinstance(self.allowed_templates, list):
            allowed_templates = self.allowed_templates

        else:
            allowed_templates = self.allowed_templates

        daily_limits: dict[str, Any] | Unset = UNSET
        if not isinstance(self.daily_limits, Unset):
            daily_limits = self.daily_limits.to_dict()

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

        sources: dict[str, Any] | Unset = UNSET
        if not isinstance(self.sources, Unset):
            sources = self.sources.to_dict()

        used_today: dict[str, Any] | Unset = UNSET
        if not isinstance(self.used_today, Unset):
            used_today = self.used_today.to_dict()

        resets_at: str | Unset = UNSET
        if not isinstance(self.resets_at, Unset):
            resets_at = self.resets_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if allowed_templates is not UNSET:
            field_dict["allowed_templates"] = allowed_templates
        if daily_limits is not UNSET:
            field_dict["daily_limits"] = daily_limits
        if approval_cost is not UNSET:
            field_dict["approval_cost"] = approval_cost
        if max_cost is not UNSET:
            field_dict["max_cost"] = max_cost
        if sources is not UNSET:
            field_dict["sources"] = sources
        if used_today is not UNSET:
            field_dict["used_today"] = used_today
        if resets_at is not UNSET:
            field_dict["resets_at"] = resets_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.policy_daily_limits import PolicyDailyLimits  # noqa: PLC0415
        from ..models.policy_sources import PolicySources  # noqa: PLC0415
        from ..models.policy_used_today import PolicyUsedToday  # noqa: PLC0415

        d = dict(src_dict)

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

        _daily_limits = d.pop("daily_limits", UNSET)
        daily_limits: PolicyDailyLimits | Unset
        if isinstance(_daily_limits, Unset):
            daily_limits = UNSET
        else:
            daily_limits = PolicyDailyLimits.from_dict(_daily_limits)

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

        _sources = d.pop("sources", UNSET)
        sources: PolicySources | Unset
        if isinstance(_sources, Unset):
            sources = UNSET
        else:
            sources = PolicySources.from_dict(_sources)

        _used_today = d.pop("used_today", UNSET)
        used_today: PolicyUsedToday | Unset
        if isinstance(_used_today, Unset):
            used_today = UNSET
        else:
            used_today = PolicyUsedToday.from_dict(_used_today)

        _resets_at = d.pop("resets_at", UNSET)
        resets_at: datetime.datetime | Unset
        if isinstance(_resets_at, Unset):
            resets_at = UNSET
        else:
            resets_at = datetime.datetime.fromisoformat(_resets_at)

        policy = cls(
            allowed_templates=allowed_templates,
            daily_limits=daily_limits,
            approval_cost=approval_cost,
            max_cost=max_cost,
            sources=sources,
            used_today=used_today,
            resets_at=resets_at,
        )

        return policy
