"""Transient database errors and a bounded retry of whole transactions."""

from __future__ import annotations

import logging
import time
from typing import Callable, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from quantum.db.retry import backoff_delay, first_line

log = logging.getLogger(__name__)
T = TypeVar("T")

# SQLSTATEs worth retrying: serialization failure, deadlock, and the connection-exception class.
TRANSIENT_SQLSTATES = {"40001", "40P01", "08000", "08003", "08006", "08001", "08004", "57P01"}


def is_transient(exc: BaseException) -> bool:
    """Whether retrying the whole transaction may succeed: busy/locked, serialization, deadlock, dropped link."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    sqlstate = getattr(exc.orig, "pgcode", None) or getattr(exc.orig, "sqlstate", None)
    if sqlstate in TRANSIENT_SQLSTATES:
        return True
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        return "database is locked" in text or "database is busy" in text or "server closed the connection" in text
    return False


def run_transaction(
    session: Session,
    work: Callable[[], T],
    *,
    attempts: int = 5,
    base_delay: float = 0.02,
    budget_seconds: float = 3.0,
) -> T:
    """Run `work` and commit; on a transient error roll back and retry with backoff, within a time budget."""
    deadline = time.monotonic() + budget_seconds
    for attempt in range(1, attempts + 1):
        try:
            result = work()
            session.commit()
            return result
        except DBAPIError as exc:
            session.rollback()
            delay = backoff_delay(attempt, base_delay, max_delay=0.5)
            if not is_transient(exc) or attempt == attempts or time.monotonic() + delay > deadline:
                raise
            log.info("transient database error (attempt %d/%d): %s", attempt, attempts, first_line(exc))
            time.sleep(delay)
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")
