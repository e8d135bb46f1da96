"""Which database errors are transient: worth running the whole transaction again."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

# SQLSTATEs worth retrying: serialization failure, deadlock, and the connection-exception class.
TRANSIENT_SQLSTATES = {"40001", "40P01", "08000", "08003", "08006", "08001", "08004", "57P01"}


def is_transient(exc: BaseException, *, include_disconnects: bool = True) -> bool:
    """Whether retrying the whole transaction may succeed: busy/locked, serialization, deadlock, dropped link.

    `include_disconnects=False` is for work that must not run twice: a connection lost during
    COMMIT leaves it unknown whether the first attempt landed.
    """
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "pgcode", None) or getattr(exc.orig, "sqlstate", None)
    disconnect = exc.connection_invalidated or (sqlstate or "").startswith("08") or sqlstate == "57P01"
    if disconnect:
        return include_disconnects
    if sqlstate in TRANSIENT_SQLSTATES:
        return True
    text = str(exc.orig).lower()
    if "server closed the connection" in text:
        return include_disconnects
    return any(marker in text for marker in ("database is locked", "database is busy", "database table is locked"))
