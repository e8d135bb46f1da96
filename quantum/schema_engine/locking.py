"""A cross-process lock so that concurrent starters migrate one at a time."""

from __future__ import annotations

import hashlib
import logging
import time
from contextlib import contextmanager
from typing import Iterator

import sqlalchemy as sa
from filelock import FileLock
from filelock import Timeout as FileLockTimeout
from sqlalchemy.engine import Connection

from quantum.schema_engine.connect import describe_url, sqlite_path
from quantum.schema_engine.errors import LockTimeout

log = logging.getLogger(__name__)


def advisory_lock_key(namespace: str, database: str) -> int:
    """A stable signed 64-bit key from the application namespace and database name."""
    digest = hashlib.sha256(f"{namespace}:{database}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def schema_lock(connection: Connection, *, namespace: str, wait_seconds: float) -> Iterator[None]:
    """Hold the migration lock for the block; wait at most `wait_seconds` for it."""
    if connection.dialect.name == "postgresql":
        with _advisory_lock(connection, namespace=namespace, wait_seconds=wait_seconds):
            yield
        return
    path = sqlite_path(connection.engine.url)
    if path is None:  # an in-memory database has one connection and nothing to race with
        yield
        return
    lock = FileLock(str(path) + ".migrate-lock")
    try:
        lock.acquire(timeout=wait_seconds, poll_interval=0.05)
    except FileLockTimeout:
        raise LockTimeout(
            f"timed out after {wait_seconds:g}s waiting for the migration lock on {describe_url(connection.engine.url)} "
            f"({path}.migrate-lock is held by another process); raise MIGRATION_LOCK_WAIT or find the stuck migrator"
        ) from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _advisory_lock(connection: Connection, *, namespace: str, wait_seconds: float) -> Iterator[None]:
    # Session-level lock on this one connection: it survives the migration's
    # commit or rollback and is released explicitly (or when the connection dies).
    key = advisory_lock_key(namespace, connection.engine.url.database or "")
    deadline = time.monotonic() + wait_seconds
    announced = False
    while True:
        acquired = connection.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        connection.commit()
        if acquired:
            break
        if time.monotonic() >= deadline:
            raise LockTimeout(
                f"timed out after {wait_seconds:g}s waiting for the migration lock on "
                f"{describe_url(connection.engine.url)} (advisory lock {key}); raise MIGRATION_LOCK_WAIT "
                "or look for a stuck migrator in pg_locks"
            )
        if not announced:
            log.info("another process is migrating %s; waiting for it", describe_url(connection.engine.url))
            announced = True
        time.sleep(0.1)
    try:
        yield
    finally:
        try:
            if connection.in_transaction():
                connection.rollback()
            connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()
        except sa.exc.DBAPIError:
            log.warning("could not release the advisory lock; it ends with the connection")
