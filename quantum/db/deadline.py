"""A bound the client enforces on every PostgreSQL call, so a database that stops answering cannot hang a worker.

The server's `statement_timeout` cannot fire when the server never sees the query (a hung host, a
proxy that keeps the socket open and relays nothing, a network that drops packets), and libpq waits
on its socket without a timeout. So every statement, COMMIT and ROLLBACK on a bounded connection is
armed with a deadline; a watchdog thread that sees a deadline pass shuts the connection's socket
down. libpq's blocked read then returns at once, psycopg2 marks the connection closed, and the
caller gets `QueryTimeout`, which SQLAlchemy treats as a disconnect: the connection is discarded
and the transaction on the server is rolled back when (if ever) the server sees the socket close.

Why not `connection.cancel()`: libpq's PQcancel opens a second connection and waits for the server
to close it, and psycopg2 calls it holding the GIL, so against a frozen network it stops every
thread of the process (tried against a freezing proxy: it never returned). Why not psycopg2's wait
callback (green mode): it is process-wide, and psycopg2 refuses COPY in green mode, which the demo
seeder uses. Connecting is bounded by libpq's own `connect_timeout`; keepalives and
`tcp_user_timeout` make the kernel give up on a peer that vanished from the network.
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class _Ticket:
    """One armed call: its deadline, the socket to shut down, and whether the deadline passed."""

    __slots__ = ("deadline", "fd", "done", "expired")

    def __init__(self, deadline: float, fd: int) -> None:
        self.deadline = deadline
        self.fd = fd
        self.done = False
        self.expired = False


class Watchdog:
    """One daemon thread that shuts down the socket of every call still running past its deadline.

    Calls armed with the same bound expire in the order they were armed, so a FIFO queue per bound
    keeps them sorted: arming is an append, disarming a flag; the thread drops finished calls when
    it wakes up for the oldest deadline.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._queues: dict[float, deque[_Ticket]] = {}
        self._sleeping_until = math.inf
        self._pid = -1

    def arm(self, fd: int, seconds: float) -> _Ticket:
        """Start watching a call on socket `fd` that must end within `seconds`."""
        ticket = _Ticket(self._clock() + seconds, fd)
        with self._lock:
            queue = self._queues.get(seconds)
            if queue is None:
                queue = self._queues[seconds] = deque()
            queue.append(ticket)
            if self._pid != os.getpid():
                # Started lazily, and again in a forked child (threads do not survive a fork).
                self._pid = os.getpid()
                self._sleeping_until = math.inf
                threading.Thread(target=self._run, name="quantum-db-watchdog", daemon=True).start()
            elif ticket.deadline < self._sleeping_until:
                self._wake.notify()
        return ticket

    def disarm(self, ticket: _Ticket) -> bool:
        """Stop watching; True when the deadline had already passed (the socket was shut down)."""
        with self._lock:
            ticket.done = True
            return ticket.expired

    def _run(self) -> None:
        with self._lock:
            while True:
                soonest: deque[_Ticket] | None = None
                for queue in self._queues.values():
                    while queue and queue[0].done:
                        queue.popleft()
                    if queue and (soonest is None or queue[0].deadline < soonest[0].deadline):
                        soonest = queue
                if soonest is None:
                    self._sleeping_until = math.inf
                    self._wake.wait()
                    continue
                remaining = soonest[0].deadline - self._clock()
                if remaining > 0:
                    self._sleeping_until = soonest[0].deadline
                    self._wake.wait(remaining)
                    continue
                ticket = soonest.popleft()
                ticket.expired = ticket.done = True
                _shut_down(ticket.fd)


def _shut_down(fd: int) -> None:
    """Shut the socket behind `fd` down for both directions without closing libpq's descriptor."""
    try:
        duplicate = socket.socket(fileno=os.dup(fd))
    except OSError:
        return
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        duplicate.close()  # closes only the duplicate; the socket lives on in libpq, shut down


WATCHDOG = Watchdog()


def connect_timeout_seconds(timeout_ms: int) -> int:
    """libpq's `connect_timeout` for a bound: whole seconds, at least 2 (libpq treats 1 as 2)."""
    return max(2, math.ceil(timeout_ms / 1000))


def bounded_connect_args(timeout_ms: int) -> dict[str, Any]:
    """psycopg2 connect arguments that bound connecting and detect a peer lost from the network."""
    keepalive_idle = max(1, min(30, math.ceil(timeout_ms / 1000)))
    return {
        "connection_factory": bounded_connection_class(timeout_ms),
        "connect_timeout": connect_timeout_seconds(timeout_ms),
        "keepalives": 1,
        "keepalives_idle": keepalive_idle,
        "keepalives_interval": max(1, keepalive_idle // 3),
        "keepalives_count": 3,
        # Data sent and not acknowledged for this long: the kernel drops the connection (Linux).
        "tcp_user_timeout": timeout_ms,
    }


_classes: dict[int, type] = {}


def bounded_connection_class(timeout_ms: int) -> type:
    """A psycopg2 connection class whose statements, commits and rollbacks must end within `timeout_ms`."""
    if timeout_ms in _classes:
        return _classes[timeout_ms]
    import psycopg2
    import psycopg2.extensions

    seconds = timeout_ms / 1000

    def bounded(connection: Any, call: Callable[[], T]) -> T:
        ticket = WATCHDOG.arm(connection.fileno(), seconds)
        try:
            result = call()
        except psycopg2.Error as exc:
            if WATCHDOG.disarm(ticket):
                raise QueryTimeout(timeout_ms) from exc
            raise
        except BaseException:
            WATCHDOG.disarm(ticket)
            raise
        WATCHDOG.disarm(ticket)  # expired after the answer came: the next call finds the socket shut
        return result

    class BoundedCursor(psycopg2.extensions.cursor):
        """A cursor whose execute and executemany give up after the bound."""

        def execute(self, query: Any, vars: Any = None) -> Any:  # noqa: A002 (the DB-API name)
            return bounded(self.connection, lambda: super(BoundedCursor, self).execute(query, vars))

        def executemany(self, query: Any, vars_list: Any) -> Any:
            return bounded(self.connection, lambda: super(BoundedCursor, self).executemany(query, vars_list))

        def callproc(self, procname: Any, parameters: Any = None) -> Any:
            return bounded(self.connection, lambda: super(BoundedCursor, self).callproc(procname, parameters))

    class BoundedConnection(psycopg2.extensions.connection):
        """A connection whose cursors, COMMIT and ROLLBACK give up after the bound."""

        query_timeout_ms = timeout_ms

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.cursor_factory = BoundedCursor

        def commit(self) -> None:
            bounded(self, super().commit)

        def rollback(self) -> None:
            bounded(self, super().rollback)

    _classes[timeout_ms] = BoundedConnection
    return BoundedConnection


def _query_timeout_class() -> type:
    import psycopg2

    class QueryTimeout(psycopg2.OperationalError):
        """A database call did not end within DB_QUERY_TIMEOUT_MS; the connection was abandoned."""

        def __init__(self, timeout_ms: int) -> None:
            super().__init__(f"the database did not answer within {timeout_ms} ms (DB_QUERY_TIMEOUT_MS)")
            self.timeout_ms = timeout_ms

    return QueryTimeout


QueryTimeout = _query_timeout_class()


def is_query_timeout(exc: BaseException | None) -> bool:
    """Whether `exc` (or the DB-API error a SQLAlchemy error wraps) is a client-side query timeout."""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, QueryTimeout)
