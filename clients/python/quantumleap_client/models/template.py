from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.risk_level import RiskLevel
from ..models.tier import Tier
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.parameter_spec import ParameterSpec


T = TypeVar("T", bound="Template")


@_attrs_define
class Template:
    """
    Attributes:
        id (int | Unset):
        slug (str | Unset):  Example: sma_crossover.
        name (str | Unset):
        description (str | Unset):
        category (str | Unset):
        risk_level (RiskLevel | Unset):
        min_tier (Tier | Unset):
        parameters (list[ParameterSpec] | Unset):
        available (bool | Unset): whether the caller's tier reaches min_tier
    """

    id: int | Unset = UNSET
    slug: str | Unset = UNSET
    name: str | Unset = UNSET
    description: str | Unset = UNSET
    category: str | Unset = UNSET
    risk_level: RiskLevel | Unset = UNSET
    min_tier: Tier | Unset = UNSET
    parameters: list[ParameterSpec] | Unset = UNSET
    available: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        slug = self.slug

        name = self.name

        description = self.description

        category = self.category

        risk_level: str | Unset = UNSET
        if not isinstance(self.risk_level, Unset):
            risk_level = self.risk_level.value

        min_tier: str | Unset = UNSET
        if not isinstance(self.min_tier, Unset):
            min_tier = self.min_tier.value

        parameters: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.parameters, Unset):
            parameters = []
            for parameters_item_data in self.parameters:
                parameters_item = parameters_item_data.to_dict()
                parameters.append(parameters_item)

        available = self.available

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if slug is not UNSET:
            field_dict["slug"] = slug
        if name is not UNSET:
            field_dict["name"] = name
        if description is not UNSET:
            field_dict["description"] = description
        if category is not UNSET:
            field_dict["category"] = category
        if risk_level is not UNSET:
            field_dict["risk_level"] = risk_level
        if min_tier is not UNSET:
            field_dict["min_tier"] = min_tier
        if parameters is not UNSET:
            field_dict["parameters"] = parameters
        if available is not UNSET:
            field_dict["available"] = available

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.parameter_spec import ParameterSpec  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        slug = d.pop("slug", UNSET)

        name = d.pop("name", UNSET)

        description = d.pop("description", UNSET)

        category = d.pop("category", UNSET)

        _risk_level = d.pop("risk_level", UNSET)
        risk_level: RiskLevel | Unset
        if isinstance(_risk_level, Unset):
            risk_level = UNSET
        else:
            risk_level = RiskLevel(_risk_level)

        _min_tier = d.pop("min_tier", UNSET)
        min_tier: Tier | Unset
        if isinstance(_min_tier, Unset):
            min_tier = UNSET
        else:
            min_tier = Tier(_min_tier)

        _parameters = d.pop("parameters", UNSET)
        parameters: list[ParameterSpec] | Unset = UNSET
        if _parameters is not UNSET:
            parameters = []
            for parameters_item_data in _parameters:
                parameters_item = ParameterSpec.from_dict(parameters_item_data)

                parameters.append(parameters_item)

        available = d.pop("available", UNSET)

        template = cls(
            id=id,
            slug=slug,
            name=name,
            description=description,
            category=category,
            risk_level=risk_level,
            min_tier=min_tier,
            parameters=parameters,
            available=available,
        )

        return template
