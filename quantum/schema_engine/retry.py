"""Connecting with exponential backoff and jitter."""

from __future__ import annotations

import logging
import random
import time
from typing import Callable

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from quantum.schema_engine.connect import describe_url
from quantum.schema_engine.errors import DatabaseUnreachable

log = logging.getLogger(__name__)


def backoff_delay(attempt: int, base_delay: float, max_delay: float = 10.0) -> float:
    """Delay before retry `attempt` (1-based): exponential, capped, with equal jitter."""
    ceiling = min(max_delay, base_delay * (2 ** (attempt - 1)))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, without SQLAlchemy's boilerplate."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip().splitlines()
    return text[0] if text else type(inner).__name__


def connect_with_retry(
    engine: Engine,
    *,
    retries: int = 5,
    base_delay: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> Connection:
    """Open a connection, retrying transient failures; raise DatabaseUnreachable at the end."""
    last_error: BaseException | None = None
    for attempt in range(1, retries + 1):
        try:
            return engine.connect()
        except (OperationalError, DBAPIError) as exc:
            last_error = exc
            if attempt == retries:
                break
            delay = backoff_delay(attempt, base_delay)
            log.warning(
                "cannot connect to %s (attempt %d/%d): %s; retrying in %.2fs",
                describe_url(engine.url), attempt, retries, first_line(exc), delay,
            )
            sleep(delay)
    attempts = f"{retries} attempt{'' if retries == 1 else 's'}"
    raise DatabaseUnreachable(f"cannot connect to {describe_url(engine.url)} after {attempts}: {first_line(last_error)}")
