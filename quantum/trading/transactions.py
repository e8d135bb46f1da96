"""One unit of work per transaction, retried whole on a busy database or a serialization failure."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from quantum.cash.models import CURRENCY, Balance
from quantum.core.time import utcnow
from quantum.db.transient import is_transient as is_transient_error
from quantum.errors import ServiceUnavailable
from quantum.schema_engine.retry import backoff_delay, first_line

log = logging.getLogger(__name__)
T = TypeVar("T")

def is_transient(exc: BaseException) -> bool:
    """A concurrency failure a fresh attempt can succeed at; never a lost connection (the fill may have landed)."""
    return is_transient_error(exc, include_disconnects=False)


def run_in_transaction(
    session: Session,
    work: Callable[[Session], T],
    *,
    attempts: int = 8,
    base_delay: float = 0.02,
    max_delay: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `work(session)` and commit; on a transient failure roll back and run it again (backoff + jitter).

    `work` must be repeatable: it reads everything it decides on inside the transaction.
    Anything else it raises rolls the transaction back and propagates.
    """
    for attempt in range(1, attempts + 1):
        try:
            result = work(session)
            session.commit()
            return result
        except DBAPIError as exc:
            session.rollback()
            if not is_transient(exc) or attempt == attempts:
                if is_transient(exc):
                    raise ServiceUnavailable(
                        "the database is busy; retry shortly", error="database_busy", retry_after=1
                    ) from exc
                raise
            delay = backoff_delay(attempt, base_delay, max_delay)
            log.info("transient database conflict (attempt %d/%d), retrying in %.3fs: %s",
                     attempt, attempts, delay, first_line(exc))
            sleep(delay)
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def lock_balance(session: Session, user_id: int, currency: str = CURRENCY) -> Balance:
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
