from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.holding_out import HoldingOut


T = TypeVar("T", bound="SnapshotOut")


@_attrs_define
class SnapshotOut:
    """
    Attributes:
        id (int | Unset):
        user_id (int | Unset):
        holdings (list[HoldingOut] | Unset):
        cash (str | Unset):
        total_value (str | Unset):
        created_at (datetime.datetime | Unset):
    """

    id: int | Unset = UNSET
    user_id: int | Unset = UNSET
    holdings: list[HoldingOut] | Unset = UNSET
    cash: str | Unset = UNSET
    total_value: str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        user_id = self.user_id

        holdings: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.holdings, Unset):
            holdings = []
            for holdings_item_data in self.holdings:
                holdings_item = holdings_item_data.to_dict()
                holdings.append(holdings_item)

        cash = self.cash

        total_value = self.total_value

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if holdings is not UNSET:
            field_dict["holdings"] = holdings
        if cash is not UNSET:
            field_dict["cash"] = cash
        if total_value is not UNSET:
            field_dict["total_value"] = total_value
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.holding_out import HoldingOut  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        user_id = d.pop("user_id", UNSET)

        _holdings = d.pop("holdings", UNSET)
        holdings: list[HoldingOut] | Unset = UNSET
        if _holdings is not UNSET:
            holdings = []
            for holdings_item_data in _holdings:
                holdings_item = HoldingOut.from_dict(holdings_item_data)

                holdings.append(holdings_item)

        cash = d.pop("cash", UNSET)

        total_value = d.pop("total_value", UNSET)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        snapshot_out = cls(
            id=id,
            user_id=user_id,
            holdings=holdings,
            cash=cash,
            total_value=total_value,
            created_at=created_at,
        )

        return snapshot_out
