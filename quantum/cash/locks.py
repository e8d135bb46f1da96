"""The per-user money lock: the user's balance row, taken first by every money movement."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from quantum.cash.models import CURRENCY, Balance
from quantum.core.time import utcnow


def lock_balance(*, session: Session, user_id: int, currency: str = CURRENCY) -> Balance:
    """Create the user's balance row if missing and lock it for the rest of the transaction.

    The balance row is the per-user mutex: every money movement (deposit, order) takes it first,
    so they serialize per user and always lock in the same order (balance, then position, budget,
    metrics), which rules out deadlocks between them.

    * PostgreSQL: INSERT ... ON CONFLICT DO NOTHING makes the row exist (waiting for a concurrent
      inserter instead of failing), then SELECT ... FOR UPDATE locks it until commit.
    * SQLite has no row locks and `FOR UPDATE` compiles to nothing. The INSERT OR IGNORE is a write,
      and pysqlite opens its implicit transaction right before the first write, so this is the first
      statement of the transaction: SQLite takes the database write lock for it, waiting up to
      busy_timeout, exactly as BEGIN IMMEDIATE would (a write that starts a transaction is retried by
      the busy handler; a read transaction upgraded later would fail with SQLITE_BUSY instead). The
      write lock is then held until commit, and every read after it sees the latest committed data.
      Executing "BEGIN IMMEDIATE" ourselves is not an option: pysqlite may already be inside its
      implicit transaction (an earlier write in the request) and would refuse a nested BEGIN.
    """
    dialect = session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(Balance)
        .values(user_id=user_id, currency=currency, available=0, created_at=utcnow(), updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "currency"])
    )
    balance = session.scalars(
        sa.select(Balance)
        .where(Balance.user_id == user_id, Balance.currency == currency)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return balance
