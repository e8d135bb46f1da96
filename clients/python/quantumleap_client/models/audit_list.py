from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audit_entry import AuditEntry


T = TypeVar("T", bound="AuditList")


@_attrs_define
class AuditList:
    """
    Attributes:
        items (list[AuditEntry] | Unset):
        next_before_id (int | None | Unset):
    """

    items: list[AuditEntry] | Unset = UNSET
    next_before_id: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        items: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.items, Unset):
            items = []
            for items_item_data in self.items:
                items_item = items_item_data.to_dict()
                items.append(items_item)

        next_before_id: int | None | Unset
        if isinstance(self.next_before_id, Unset):
            next_before_id = UNSET
        else:
            next_before_id = self.next_before_id

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if items is not UNSET:
            field_dict["items"] = items
        if next_before_id is not UNSET:
            field_dict["next_before_id"] = next_before_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_entry import AuditEntry  # noqa: PLC0415

        d = dict(src_dict)
        _items = d.pop("items", UNSET)
        items: list[AuditEntry] | Unset = UNSET
        if _items is not UNSET:
            items = []
            for items_item_data in _items:
                items_item = AuditEntry.from_dict(items_item_data)

                items.append(items_item)

        def _parse_next_before_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        next_before_id = _parse_next_before_id(d.pop("next_before_id", UNSET))

        audit_list = cls(
            items=items,
            next_before_id=next_before_id,
        )

        return audit_list
