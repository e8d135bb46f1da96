"""The unit of work: one service call is one transaction, committed whole, rolled back whole, retried whole.

    @unit_of_work
    def deposit(*, session: Session, user: User, data: dict[str, Any]) -> Payment:
        ...  # reads, locks and writes on `session`; no commit, no rollback

Calling a decorated function runs it and commits. What it raises decides the rest:

* a transient database error (SQLite busy or locked, a PostgreSQL serialization failure or deadlock):
  roll back and run the whole function again, after a pause growing exponentially with jitter; after
  the last attempt, 503 `database_busy` (retry_after 1). A lost connection is never retried: the
  COMMIT may have landed, and an order or a deposit must not happen twice;
* `RaiseAfterCommit(error)`: commit what the function recorded (a rejected request, the audit entry
  of a failed login), then raise `error`;
* anything else: roll back and re-raise.

A decorated function called while a unit of work is active on the same session joins it: no commit,
no retry of its own, its errors propagate to the outer one, which commits or rolls back everything
once. So services can call services. The function must be repeatable: it reads everything it decides
on inside the transaction, since a retry runs all of it again.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, overload

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from quantum.db.transient import is_transient as is_transient_error
from quantum.errors import ServiceUnavailable
from quantum.schema_engine.retry import backoff_delay, first_line

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

# The marker on `session.info` while a unit of work runs on the session.
ACTIVE = "quantum.unit_of_work"
ATTEMPTS = 8
BASE_DELAY = 0.02
MAX_DELAY = 1.0


class RaiseAfterCommit(Exception):
    """Raised by a unit of work's function: commit what it wrote, then raise `error` to the caller."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


def is_transient(exc: BaseException) -> bool:
    """A concurrency failure a fresh attempt can succeed at; never a lost connection (the COMMIT may have landed)."""
    return is_transient_error(exc, include_disconnects=False)


def _run(
    session: Session, call: Callable[[], T], attempts: int, base_delay: float, max_delay: float,
    sleep: Callable[[float], None],
) -> T:
    if session.info.get(ACTIVE):
        return call()  # joins the unit of work already running: the outer one commits, retries, rolls back
    session.info[ACTIVE] = True
    try:
        attempt = 1
        while True:
            deferred: RaiseAfterCommit | None = None
            try:
                try:
                    result = call()
                except RaiseAfterCommit as raised:
                    deferred = raised
                session.commit()
            except DBAPIError as exc:
                session.rollback()
                if not is_transient(exc):
                    raise
                if attempt >= attempts:
                    raise ServiceUnavailable(
                        "the database is busy; retry shortly", error="database_busy", retry_after=1
                    ) from exc
                delay = backoff_delay(attempt, base_delay, max_delay)
                log.info("transient database conflict (attempt %d/%d), retrying in %.3fs: %s",
                         attempt, attempts, delay, first_line(exc))
                sleep(delay)
                attempt += 1
                continue
            except BaseException:
                session.rollback()
                raise
            if deferred is not None:
                raise deferred.error
            return result
    finally:
        del session.info[ACTIVE]


@overload
def unit_of_work(func: Callable[P, T], /) -> Callable[P, T]: ...


@overload
def unit_of_work(
    *, attempts: int = ATTEMPTS, base_delay: float = BASE_DELAY, max_delay: float = MAX_DELAY,
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[Callable[P, T]], Callable[P, T]]: ...


def unit_of_work(
    func: Callable[P, T] | None = None, /, *, attempts: int = ATTEMPTS, base_delay: float = BASE_DELAY,
    max_delay: float = MAX_DELAY, sleep: Callable[[float], None] = time.sleep,
) -> Any:
    """Make a function with a keyword-only `session` one unit of work (`@unit_of_work` or `@unit_of_work(...)`).

    `attempts`, `base_delay`, `max_delay` (seconds) and `sleep` set the retry policy; the defaults are
    the application's (8 attempts, pauses from 0.02 s up to 1 s).
    """

    def decorate(function: Callable[P, T]) -> Callable[P, T]:
        parameter = inspect.signature(function).parameters.get("session")
        if parameter is None or parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"@unit_of_work needs a keyword-only `session` parameter on {function.__qualname__}")

        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            session = kwargs.get("session")
            if session is None:
                raise TypeError(f"{function.__qualname__}() needs its keyword argument `session`")
            return _run(session, lambda: function(*args, **kwargs), attempts, base_delay, max_delay, sleep)

        # update_wrapper rather than @functools.wraps: mutmut leaves decorated functions unmutated.
        return functools.update_wrapper(wrapper, function)

    return decorate(func) if func is not None else decorate
