from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="DatabaseStatus")


@_attrs_define
class DatabaseStatus:
    """
    Attributes:
        backend (str | Unset):  Example: postgresql.
        revision (None | str | Unset): null when unreachable Example: 0003.
        latency_ms (float | None | Unset): null when unreachable Example: 0.7.
    """

    backend: str | Unset = UNSET
    revision: None | str | Unset = UNSET
    latency_ms: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        backend = self.backend

        revision: None | str | Unset
        if isinstance(self.revision, Unset):
            revision = UNSET
        else:
            revision = self.revision

        latency_ms: float | None | Unset
        if isinstance(self.latency_ms, Unset):
            latency_ms = UNSET
        else:
            latency_ms = self.latency_ms

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if backend is not UNSET:
            field_dict["backend"] = backend
        if revision is not UNSET:
            field_dict["revision"] = revision
        if latency_ms is not UNSET:
            field_dict["latency_ms"] = latency_ms

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        backend = d.pop("backend", UNSET)

        def _parse_revision(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        revision = _parse_revision(d.pop("revision", UNSET))

        def _parse_latency_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        latency_ms = _parse_latency_ms(d.pop("latency_ms", UNSET))

        database_status = cls(
            backend=backend,
            revision=revision,
            latency_ms=latency_ms,
        )

        return database_status
