from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.holding_in import HoldingIn


T = TypeVar("T", bound="SnapshotIn")


@_attrs_define
class SnapshotIn:
    """
    Attributes:
        holdings (list[HoldingIn] | Unset): cash plus the sum of quantity x price (the total value) must stay below
            10^12
        cash (str | Unset): a decimal string >= 0 and <= 1000000000
        from_positions (bool | Unset):  Default: False.
    """

    holdings: list[HoldingIn] | Unset = UNSET
    cash: str | Unset = UNSET
    from_positions: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        holdings: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.holdings, Unset):
            holdings = []
            for holdings_item_data in self.holdings:
                holdings_item = holdings_item_data.to_dict()
                holdings.append(holdings_item)

        cash = self.cash

        from_positions = self.from_positions

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if holdings is not UNSET:
            field_dict["holdings"] = holdings
        if cash is not UNSET:
            field_dict["cash"] = cash
        if from_positions is not UNSET:
            field_dict["from_positions"] = from_positions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.holding_in import HoldingIn  # noqa: PLC0415

        d = dict(src_dict)
        _holdings = d.pop("holdings", UNSET)
        holdings: list[HoldingIn] | Unset = UNSET
        if _holdings is not UNSET:
            holdings = []
            for holdings_item_data in _holdings:
                holdings_item = HoldingIn.from_dict(holdings_item_data)

                holdings.append(holdings_item)

        cash = d.pop("cash", UNSET)

        from_positions = d.pop("from_positions", UNSET)

        snapshot_in = cls(
            holdings=holdings,
            cash=cash,
            from_positions=from_positions,
        )

        return snapshot_in
