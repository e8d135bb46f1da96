from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ready_database import ReadyDatabase


T = TypeVar("T", bound="Ready")


@_attrs_define
class Ready:
    """
    Attributes:
        status (str | Unset):  Example: ready.
        database (ReadyDatabase | Unset):  Example: {'backend': 'sqlite', 'revision': '0001', 'latency_ms': 0.4}.
        schema (str | Unset):  Example: valid.
    """

    status: str | Unset = UNSET
    database: ReadyDatabase | Unset = UNSET
    schema: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        database: dict[str, Any] | Unset = UNSET
        if not isinstance(self.database, Unset):
            database = self.database.to_dict()

        schema = self.schema

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if status is not UNSET:
            field_dict["status"] = status
        if database is not UNSET:
            field_dict["database"] = database
        if schema is not UNSET:
            field_dict["schema"] = schema

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ready_database import ReadyDatabase  # noqa: PLC0415

        d = dict(src_dict)
        status = d.pop("status", UNSET)

        _database = d.pop("database", UNSET)
        database: ReadyDatabase | Unset
        if isinstance(_database, Unset):
            database = UNSET
        else:
            database = ReadyDatabase.from_dict(_database)

        schema = d.pop("schema", UNSET)

        ready = cls(
            status=status,
            database=database,
            schema=schema,
        )

        return ready
