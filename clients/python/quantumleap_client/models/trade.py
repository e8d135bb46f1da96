from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.trade_side import TradeSide
from ..types import UNSET, Unset

T = TypeVar("T", bound="Trade")


@_attrs_define
class Trade:
    """
    Attributes:
        symbol (str | Unset):
        side (TradeSide | Unset):
        quantity (str | Unset):
        entry_at (datetime.datetime | Unset):
        entry_price (str | Unset):
        exit_at (datetime.datetime | None | Unset):
        exit_price (None | str | Unset):
        fees (str | Unset):
        pnl (None | str | Unset): unrealized while open
        return_ (float | None | Unset):
        open_ (bool | Unset):
    """

    symbol: str | Unset = UNSET
    side: TradeSide | Unset = UNSET
    quantity: str | Unset = UNSET
    entry_at: datetime.datetime | Unset = UNSET
    entry_price: str | Unset = UNSET
    exit_at: datetime.datetime | None | Unset = UNSET
    exit_price: None | str | Unset = UNSET
    fees: str | Unset = UNSET
    pnl: None | str | Unset = UNSET
    return_: float | None | Unset = UNSET
    open_: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        symbol = self.symbol

        side: str | Unset = UNSET
        if not isinstance(self.side, Unset):
            side = self.side.value

        quantity = self.quantity

        entry_at: str | Unset = UNSET
        if not isinstance(self.entry_at, Unset):
            entry_at = self.entry_at.isoformat()

        entry_price = self.entry_price

        exit_at: None | str | Unset
        if isinstance(self.exit_at, Unset):
            exit_at = UNSET
        elif isinstance(self.exit_at, datetime.datetime):
            exit_at = self.exit_at.isoformat()
        else:
            exit_at = self.exit_at

        exit_price: None | str | Unset
        if isinstance(self.exit_price, Unset):
            exit_price = UNSET
        else:
            exit_price = self.exit_price

        fees = self.fees

        pnl: None | str | Unset
        if isinstance(self.pnl, Unset):
            pnl = UNSET
        else:
            pnl = self.pnl

        return_: float | None | Unset
        if isinstance(self.return_, Unset):
            return_ = UNSET
        else:
            return_ = self.return_

        open_ = self.open_

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if symbol is not UNSET:
            field_dict["symbol"] = symbol
        if side is not UNSET:
            field_dict["side"] = side
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if entry_at is not UNSET:
            field_dict["entry_at"] = entry_at
        if entry_price is not UNSET:
            field_dict["entry_price"] = entry_price
        if exit_at is not UNSET:
            field_dict["exit_at"] = exit_at
        if exit_price is not UNSET:
            field_dict["exit_price"] = exit_price
        if fees is not UNSET:
            field_dict["fees"] = fees
        if pnl is not UNSET:
            field_dict["pnl"] = pnl
        if return_ is not UNSET:
            field_dict["return"] = return_
        if open_ is not UNSET:
            field_dict["open"] = open_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        symbol = d.pop("symbol", UNSET)

        _side = d.pop("side", UNSET)
        side: TradeSide | Unset
        if isinstance(_side, Unset):
            side = UNSET
        else:
            side = TradeSide(_side)

        quantity = d.pop("quantity", UNSET)

        _entry_at = d.pop("entry_at", UNSET)
        entry_at: datetime.datetime | Unset
        if isinstance(_entry_at, Unset):
            entry_at = UNSET
        else:
            entry_at = datetime.datetime.fromisoformat(_entry_at)

        entry_price = d.pop("entry_price", UNSET)

        def _parse_exit_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                exit_at_type_0 = datetime.datetime.fromisoformat(data)

                return exit_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        exit_at = _parse_exit_at(d.pop("exit_at", UNSET))

        def _parse_exit_price(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        exit_price = _parse_exit_price(d.pop("exit_price", UNSET))

        fees = d.pop("fees", UNSET)

        def _parse_pnl(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pnl = _parse_pnl(d.pop("pnl", UNSET))

        def _parse_return_(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        return_ = _parse_return_(d.pop("return", UNSET))

        open_ = d.pop("open", UNSET)

        trade = cls(
            symbol=symbol,
            side=side,
            quantity=quantity,
            entry_at=entry_at,
            entry_price=entry_price,
            exit_at=exit_at,
            exit_price=exit_price,
            fees=fees,
            pnl=pnl,
            return_=return_,
            open_=open_,
        )

        return trade
