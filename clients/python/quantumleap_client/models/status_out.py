from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.trading_status import TradingStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.database_status import DatabaseStatus


T = TypeVar("T", bound="StatusOut")


@_attrs_define
class StatusOut:
    """
    Attributes:
        status (TradingStatus | Unset):
        reason (str | Unset): why it is degraded: database_unreachable, schema_not_ready or database_slow
        timestamp (datetime.datetime | Unset):
        database (DatabaseStatus | Unset):
    """

    status: TradingStatus | Unset = UNSET
    reason: str | Unset = UNSET
    timestamp: datetime.datetime | Unset = UNSET
    database: DatabaseStatus | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        reason = self.reason

        timestamp: str | Unset = UNSET
        if not isinstance(self.timestamp, Unset):
            timestamp = self.timestamp.isoformat()

        database: dict[str, Any] | Unset = UNSET
        if not isinstance(self.database, Unset):
            database = self.database.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if status is not UNSET:
            field_dict["status"] = status
        if reason is not UNSET:
            field_dict["reason"] = reason
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp
        if database is not UNSET:
            field_dict["database"] = database

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.database_status import DatabaseStatus  # noqa: PLC0415

        d = dict(src_dict)
        _status = d.pop("status", UNSET)
        status: TradingStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = TradingStatus(_status)

        reason = d.pop("reason", UNSET)

        _timestamp = d.pop("timestamp", UNSET)
        timestamp: datetime.datetime | Unset
        if isinstance(_timestamp, Unset):
            timestamp = UNSET
        else:
            timestamp = datetime.datetime.fromisoformat(_timestamp)

        _database = d.pop("database", UNSET)
        database: DatabaseStatus | Unset
        if isinstance(_database, Unset):
            database = UNSET
        else:
            database = DatabaseStatus.from_dict(_database)

        status_out = cls(
            status=status,
            reason=reason,
            timestamp=timestamp,
            database=database,
        )

        return status_out
