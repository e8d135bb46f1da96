"""One class per backend for everything the schema engine does differently on SQLite and PostgreSQL.

`backend_for(...)` is the only place that looks at a backend's name; the engine, its operations
and its runtime ask the object it returns. `base.Backend` lists the questions (and answers them
for a backend without a class of its own); `sqlite.SQLiteBackend` and `postgresql.PostgreSQLBackend`
answer for theirs. Standard library only at import time (see `base.py`).
"""

from __future__ import annotations

from typing import Any

from quantum.schema_engine.ddl.base import Backend
from quantum.schema_engine.ddl.postgresql import PostgreSQLBackend
from quantum.schema_engine.ddl.sqlite import SQLiteBackend

__all__ = ["BACKENDS", "Backend", "PostgreSQLBackend", "SQLiteBackend", "backend_for", "backend_name"]

BACKENDS: dict[str, type[Backend]] = {cls.name: cls for cls in (SQLiteBackend, PostgreSQLBackend)}


def backend_for(source: Any) -> Backend:
    """The backend for a dialect name, a URL, a SQLAlchemy Connection, Engine or Dialect (or a Backend: itself).

    Given a connection, an engine or a dialect, the backend compiles and quotes with that dialect;
    given a name or a URL, with the backend's default one (loaded when first needed).
    """
    if isinstance(source, Backend):
        return source
    name, dialect = _identify(source)
    return BACKENDS.get(name, Backend)(dialect)


def backend_name(source: Any) -> str:
    """The name ("sqlite", "postgresql", ...) of the backend of a name, URL, Connection, Engine or Dialect."""
    return source.name if isinstance(source, Backend) else _identify(source)[0]


def _identify(source: Any) -> tuple[str, Any]:
    """The backend's name and, when the source has one, its SQLAlchemy dialect."""
    if isinstance(source, str):
        if "://" in source:
            from quantum.schema_engine.url import parse_database_url  # imported here: url.py asks the backends

            return parse_database_url(source).backend, None
        return source.partition("+")[0], None  # "postgresql+psycopg2" names the backend and its driver
    if hasattr(source, "get_backend_name"):  # a SQLAlchemy URL
        return source.get_backend_name(), None
    if isinstance(getattr(source, "backend", None), str):  # a quantum.schema_engine.url.DatabaseURL
        return source.backend, None
    dialect = getattr(source, "dialect", source)  # connections and engines carry theirs; a dialect is its own
    return dialect.name, dialect
