"""The first-request guard: run ensure once per process, then cost a flag check."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from quantum.schema_engine.errors import DatabaseUnreachable, LockTimeout, SchemaError

log = logging.getLogger(__name__)


class SchemaNotReady(Exception):
    """The schema is not ready yet; `retry_after` says when to try again."""

    def __init__(self, reason: str, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.retry_after = retry_after


class SchemaGuard:
    """Runs `ensure` before the first request a process serves, and again after a failure."""

    def __init__(
        self,
        ensure: Callable[[], object],
        *,
        failure_backoff: float = 10.0,
        pending_wait: float = 5.0,
        on_ready: Callable[[object], None] | None = None,
        on_failure: Callable[[SchemaError], None] | None = None,
    ) -> None:
        self._ensure = ensure
        self._on_ready = on_ready
        self._on_failure = on_failure
        self._failure_backoff = failure_backoff
        self._pending_wait = pending_wait
        self._lock = threading.Lock()
        self.ready = False
        self.failure: SchemaError | None = None
        self._next_attempt = 0.0

    def check(self) -> None:
        """Return when the schema is ready; raise SchemaNotReady otherwise."""
        if self.ready:
            return
        if self.failure is not None and time.monotonic() < self._next_attempt:
            raise self._not_ready(self.failure)
        # One thread per process runs ensure. Requests that arrive meanwhile wait for its outcome
        # (usually well under a second), bounded so that a slow migration answers 503 instead.
        if not self._lock.acquire(timeout=self._pending_wait):
            raise SchemaNotReady("schema_pending", "the schema is being checked; retry in a moment", 1)
        try:
            if self.ready:
                return
            if self.failure is not None and time.monotonic() < self._next_attempt:
                raise self._not_ready(self.failure)  # the check we waited for has just failed
            result = self._ensure()
        except SchemaError as exc:
            self.failure = exc
            # Waiting on another migrator or a database that is coming up: try again soon.
            transient = isinstance(exc, (LockTimeout, DatabaseUnreachable))
            self._next_attempt = time.monotonic() + (1.0 if transient else self._failure_backoff)
            log.error("schema not ready: %s", exc.message)
            if self._on_failure is not None and not transient:
                self._on_failure(exc)
            raise self._not_ready(exc) from None
        else:
            self.ready = True
            self.failure = None
            if self._on_ready is not None:
                self._on_ready(result)
        finally:
            self._lock.release()

    def _not_ready(self, exc: SchemaError) -> SchemaNotReady:
        transient = isinstance(exc, (LockTimeout, DatabaseUnreachable))
        return SchemaNotReady(exc.reason, exc.message, 2 if transient else int(self._failure_backoff))
