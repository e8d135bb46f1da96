from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.parameter_type import ParameterType
from ..types import UNSET, Unset

T = TypeVar("T", bound="ParameterSpec")


@_attrs_define
class ParameterSpec:
    """
    Attributes:
        name (str | Unset):
        type_ (ParameterType | Unset):
        default (float | None | str | Unset): the value used when the backtest leaves the parameter out
        min_ (float | None | str | Unset): the smallest value allowed (numbers only)
        max_ (float | None | str | Unset): the largest value allowed (numbers only)
        description (str | Unset):
    """

    name: str | Unset = UNSET
    type_: ParameterType | Unset = UNSET
    default: float | None | str | Unset = UNSET
    min_: float | None | str | Unset = UNSET
    max_: float | None | str | Unset = UNSET
    description: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        default: float | None | str | Unset
        if isinstance(self.default, Unset):
            default = UNSET
        else:
            default = self.default

        min_: float | None | str | Unset
        if isinstance(self.min_, Unset):
            min_ = UNSET
        else:
            min_ = self.min_

        max_: float | None | str | Unset
        if isinstance(self.max_, Unset):
            max_ = UNSET
        else:
            max_ = self.max_

        description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if type_ is not UNSET:
            field_dict["type"] = type_
        if default is not UNSET:
            field_dict["default"] = default
        if min_ is not UNSET:
            field_dict["min"] = min_
        if max_ is not UNSET:
            field_dict["max"] = max_
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        _type_ = d.pop("type", UNSET)
        type_: ParameterType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = ParameterType(_type_)

        def _parse_default(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        default = _parse_default(d.pop("default", UNSET))

        def _parse_min_(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        min_ = _parse_min_(d.pop("min", UNSET))

        def _parse_max_(data: object) -> float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | str | Unset, data)

        max_ = _parse_max_(d.pop("max", UNSET))

        description = d.pop("description", UNSET)

        parameter_spec = cls(
            name=name,
            type_=type_,
            default=default,
            min_=min_,
            max_=max_,
            description=description,
        )

        return parameter_spec
