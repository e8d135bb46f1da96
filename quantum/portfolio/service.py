"""Portfolio rules: balances, deposits and snapshots. No HTTP here; each call is one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quantum.auth.models import User
from quantum.cash.locks import lock_balance
from quantum.cash.models import CURRENCY, Balance, Payment, PaymentStatus
from quantum.core.money import ZERO, fmt, quantize
from quantum.core.time import utcnow
from quantum.db.unit_of_work import unit_of_work
from quantum.errors import Conflict, NotFound, ValidationFailed
from quantum.portfolio.models import PortfolioSnapshot
from quantum.trading.models import Position, SymbolMetric

MAX_PAGE = 100


def get_balance(*, session: Session, user: User, currency: str = CURRENCY) -> Decimal:
    """The user's available cash (zero before the first deposit); reads only."""
    available = session.scalar(
        sa.select(Balance.available).where(Balance.user_id == user.id, Balance.currency == currency)
    )
    return available if available is not None else ZERO


def deposit(*, session: Session, user: User, data: dict[str, Any]) -> Payment:
    """Record a completed deposit and raise the balance in the same transaction."""
    try:
        return _credit(session=session, user_id=user.id, data=data)
    except IntegrityError:
        # Two users credited the same tx_hash at once: the unique constraint let only one through.
        if data.get("tx_hash") is not None:
            raise _duplicate_tx(data["tx_hash"]) from None
        raise


@unit_of_work
def _credit(*, session: Session, user_id: int, data: dict[str, Any]) -> Payment:
    """The deposit's transaction: under the balance lock, refuse a credited tx_hash, record, raise the balance."""
    amount = quantize(data["amount"])
    currency = data.get("currency") or CURRENCY
    tx_hash = data.get("tx_hash")
    balance = lock_balance(session=session, user_id=user_id, currency=currency)
    if tx_hash is not None and session.scalar(sa.select(Payment.id).where(Payment.tx_hash == tx_hash)) is not None:
        raise _duplicate_tx(tx_hash)
    now = utcnow()
    payment = Payment(
        user_id=user_id, amount=amount, currency=currency, network=data.get("network"), tx_hash=tx_hash,
        block_number=data.get("block_number"), status=PaymentStatus.completed, created_at=now, completed_at=now,
    )
    session.add(payment)
    balance.available = quantize(balance.available + amount)
    session.flush()
    return payment


def _duplicate_tx(tx_hash: str) -> Conflict:
    return Conflict(
        "this transaction has already been credited", error="duplicate_transaction", details={"tx_hash": tx_hash}
    )


@dataclass(frozen=True)
class Holding:
    """One line of a snapshot, valued."""

    symbol: str
    quantity: Decimal
    price: Decimal

    @property
    def value(self) -> Decimal:
        """Quantity times price at the money scale."""
        return quantize(self.quantity * self.price)

    def to_json(self) -> dict[str, str]:
        """Exact decimal strings, as stored in the snapshot."""
        return {
            "symbol": self.symbol, "quantity": fmt(self.quantity), "price": fmt(self.price), "value": fmt(self.value),
        }


def _save_snapshot(s: Session, user_id: int, holdings: list[Holding], cash: Decimal) -> PortfolioSnapshot:
    total = quantize(cash + sum((h.value for h in holdings), ZERO))
    snapshot = PortfolioSnapshot(
        user_id=user_id,
        snapshot_data={"holdings": [h.to_json() for h in holdings], "cash": fmt(cash)},
        total_value=total,
        created_at=utcnow(),
    )
    s.add(snapshot)
    s.flush()
    return snapshot


@unit_of_work
def create_snapshot(*, session: Session, user: User, data: dict[str, Any]) -> PortfolioSnapshot:
    """Store the holdings and cash the client sent, valued on the server."""
    holdings = [Holding(h["symbol"], quantize(h["quantity"]), quantize(h["price"])) for h in data.get("holdings", [])]
    seen: set[str] = set()
    for index, holding in enumerate(holdings):
        if holding.symbol in seen:
            raise ValidationFailed(
                f"invalid input: holdings[{index}] repeats {holding.symbol}",
                details={"holdings": {str(index): {"symbol": [f"duplicate symbol {holding.symbol}"]}}},
            )
        seen.add(holding.symbol)
    cash = quantize(data.get("cash") or 0)
    return _save_snapshot(session, user.id, holdings, cash)


@unit_of_work
def snapshot_from_positions(*, session: Session, user: User) -> PortfolioSnapshot:
    """Snapshot the user's open positions at each symbol's last fill price, plus their cash."""
    # The balance lock makes cash and positions one consistent moment (no order half-seen).
    balance = lock_balance(session=session, user_id=user.id)
    rows = session.execute(
        sa.select(Position.symbol, Position.quantity, SymbolMetric.last_price)
        .join(SymbolMetric, sa.and_(SymbolMetric.user_id == Position.user_id,
                                    SymbolMetric.symbol == Position.symbol))
        .where(Position.user_id == user.id, Position.quantity > 0)
        .order_by(Position.symbol)
    ).all()
    holdings = [Holding(symbol, quantity, last_price) for symbol, quantity, last_price in rows]
    return _save_snapshot(session, user.id, holdings, balance.available)


_SNAPSHOTS = PortfolioSnapshot.__table__
# Plain columns, not entities: a page is read and serialized, never changed, and ORM instances cost
# about as much as the query. Built once: composing the SELECT cost more than running it.
_NEWEST_SNAPSHOTS = (
    sa.select(_SNAPSHOTS.c.id, _SNAPSHOTS.c.user_id, _SNAPSHOTS.c.snapshot_data, _SNAPSHOTS.c.total_value,
              _SNAPSHOTS.c.created_at)
    .where(_SNAPSHOTS.c.user_id == sa.bindparam("user_id"))
    .order_by(_SNAPSHOTS.c.created_at.desc(), _SNAPSHOTS.c.id.desc())
    .limit(sa.bindparam("limit"))
)
# Keyset on (created_at, id): stable under concurrent inserts, served by the (user_id, created_at) index.
_NEWEST_SNAPSHOTS_BEFORE = _NEWEST_SNAPSHOTS.where(
    sa.or_(
        _SNAPSHOTS.c.created_at < sa.bindparam("anchor_created_at"),
        sa.and_(_SNAPSHOTS.c.created_at == sa.bindparam("anchor_created_at"),
                _SNAPSHOTS.c.id < sa.bindparam("anchor_id")),
    )
)
_SNAPSHOT_ANCHOR = sa.select(_SNAPSHOTS.c.user_id, _SNAPSHOTS.c.created_at).where(_SNAPSHOTS.c.id == sa.bindparam("id"))


def list_snapshots(
    *, session: Session, user: User, limit: int = 20, before: int | None = None, include_archived: bool = False
) -> tuple[list[Any], int | None]:
    """The user's snapshots newest first, after the `before` cursor (a snapshot id); and the next cursor.

    Items have the snapshot's attributes (id, user_id, snapshot_data, total_value, created_at): rows
    of the live table, or detached snapshots when archived ones are included.
    """
    limit = max(1, min(limit, MAX_PAGE))
    if include_archived:
        from quantum.core.pagination import page_with_archive
        from quantum.portfolio.models import snapshots_archive

        return page_with_archive(session=session, model=PortfolioSnapshot, archive=snapshots_archive,
                                 user_id=user.id, limit=limit, before=before)
    params: dict[str, Any] = {"user_id": user.id, "limit": limit + 1}
    query = _NEWEST_SNAPSHOTS
    if before is not None:
        anchor = session.execute(_SNAPSHOT_ANCHOR, {"id": before}).first()
        if anchor is None or anchor.user_id != user.id:
            raise NotFound("no such snapshot to page from", details={"before": before})
        query = _NEWEST_SNAPSHOTS_BEFORE
        params.update(anchor_created_at=anchor.created_at, anchor_id=before)
    rows = session.execute(query, params).all()
    items = rows[:limit]
    next_before = items[-1].id if len(rows) > limit else None
    return items, next_before


def latest_snapshot(*, session: Session, user: User) -> Any:
    """The user's newest snapshot (a row with the snapshot's attributes); NotFound when there is none."""
    items, _ = list_snapshots(session=session, user=user, limit=1)
    if not items:
        # Archival may have moved every snapshot of a quiet user: the newest one is still theirs.
        from quantum.portfolio.history import newest_archived_snapshots

        items = newest_archived_snapshots(session=session, user_id=user.id, limit=1)
    if not items:
        raise NotFound("no portfolio snapshot yet: POST /api/portfolio/snapshots takes one")
    return items[0]
