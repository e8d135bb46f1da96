from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.policy_in_daily_limits_type_0 import PolicyInDailyLimitsType0


T = TypeVar("T", bound="PolicyIn")


@_attrs_define
class PolicyIn:
    """
    Attributes:
        allowed_templates (list[str] | None | Unset): template slugs; null: every template the tier reaches
        daily_limits (None | PolicyInDailyLimitsType0 | Unset): requests per UTC day per endpoint; a missing endpoint is
            unlimited Example: {'backtests': 5, 'risk-metrics': 1000}.
        approval_cost (None | str | Unset): compute units; null: no threshold (a decimal string >= 0 and <= 1000000000)
        max_cost (None | str | Unset): compute units; null: no threshold (a decimal string >= 0 and <= 1000000000)
    """

    allowed_templates: list[str] | None | Unset = UNSET
    daily_limits: None | PolicyInDailyLimitsType0 | Unset = UNSET
    approval_cost: None | str | Unset = UNSET
    max_cost: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.policy_in_daily_limits_type_0 import PolicyInDailyLimitsType0  # noqa: PLC0415

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
        elif isinstance(self.daily_limits, PolicyInDailyLimitsType0):
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

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.policy_in_daily_limits_type_0 import PolicyInDailyLimitsType0  # noqa: PLC0415

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

        def _parse_daily_limits(data: object) -> None | PolicyInDailyLimitsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                daily_limits_type_0 = PolicyInDailyLimitsType0.from_dict(data)

                return daily_limits_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PolicyInDailyLimitsType0 | Unset, data)

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

        policy_in = cls(
            allowed_templates=allowed_templates,
            daily_limits=daily_limits,
            approval_cost=approval_cost,
            max_cost=max_cost,
        )

        return policy_in
