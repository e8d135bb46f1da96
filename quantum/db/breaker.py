"""A circuit breaker around the database: fail fast while it is down, probe, close by itself."""

from __future__ import annotations

import threading
import time
from typing import Callable

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
STATE_VALUES = {CLOSED: 0, HALF_OPEN: 1, OPEN: 2}


class CircuitOpen(Exception):
    """The circuit is open: the database is known to be down; retry after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"the database circuit is open; retry in {retry_after:.0f}s")
        self.retry_after = retry_after


class CircuitBreaker:
    """Opens after `threshold` consecutive connection failures; lets one probe through after `reset_seconds`."""

    def __init__(
        self,
        *,
        threshold: int = 5,
        reset_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[str, str], None] | None = None,
    ) -> None:
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._on_change = on_change
        self._lock = threading.Lock()
        self._state = CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_in_flight = False

    @property
    def state(self) -> str:
        """closed, open or half_open (open turns half_open once the reset time has passed)."""
        with self._lock:
            if self._state == OPEN and self._clock() - self._opened_at >= self.reset_seconds:
                return HALF_OPEN
            return self._state

    def before_call(self) -> None:
        """Raise CircuitOpen unless a call may go to the database now."""
        with self._lock:
            if self._state == CLOSED:
                return
            elapsed = self._clock() - self._opened_at
            if elapsed < self.reset_seconds:
                raise CircuitOpen(self.reset_seconds - elapsed)
            if self._probe_in_flight:  # one probe at a time; the rest still fail fast
                raise CircuitOpen(1.0)
            self._probe_in_flight = True
            self._set(HALF_OPEN)

    def record_success(self) -> None:
        """A connection worked: close the circuit."""
        if self._state == CLOSED and self._failures == 0:
            return  # the hot path: every statement reports success
        with self._lock:
            self._failures = 0
            self._probe_in_flight = False
            if self._state != CLOSED:
                self._set(CLOSED)

    def record_failure(self) -> None:
        """A connection failed: count it, and open the circuit at the threshold (or on a failed probe)."""
        with self._lock:
            self._failures += 1
            probe_failed = self._state == HALF_OPEN
            self._probe_in_flight = False
            if probe_failed or (self._state == CLOSED and self._failures >= self.threshold):
                self._opened_at = self._clock()
                self._set(OPEN)
            elif self._state == OPEN:
                self._opened_at = self._clock()

    def release_probe(self) -> None:
        """A probe request ended without touching the database: let the next one probe."""
        with self._lock:
            self._probe_in_flight = False

    def _set(self, state: str) -> None:
        previous, self._state = self._state, state
        if self._on_change is not None and previous != state:
            self._on_change(previous, state)
