"""A cross-process lock so that concurrent starters migrate one at a time (each backend says how: see ddl/)."""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy.engine import Connection

from quantum.schema_engine.ddl import backend_for


def schema_lock(connection: Connection, *, namespace: str, wait_seconds: float) -> AbstractContextManager[None]:
    """Hold the migration lock for the block; wait at most `wait_seconds` for it, then LockTimeout."""
    return backend_for(connection).schema_lock(connection, namespace=namespace, wait_seconds=wait_seconds)
