"""Connecting for the engine: URL descriptions, SQLite pragmas, and a dedicated engine for migrating."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from quantum.schema_engine.url import parse_database_url

SQLITE_BUSY_TIMEOUT_MS = 15000


def describe_url(url: str | sa.URL) -> str:
    """A short, password-free name for a database: host:port/db or the SQLite path."""
    return parse_database_url(_as_text(url)).describe()


def sqlite_path(url: str | sa.URL) -> Path | None:
    """The file behind a SQLite URL, or None for memory databases and other backends."""
    return parse_database_url(_as_text(url)).sqlite_file()


def _as_text(url: str | sa.URL) -> str:
    return url if isinstance(url, str) else url.render_as_string(hide_password=False)


def install_sqlite_pragmas(engine: Engine, *, foreign_keys: bool = True) -> None:
    """WAL, a busy timeout and foreign keys on every new SQLite connection."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if sqlite_path(engine.url) is not None:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.close()


def create_migration_engine(url: str | sa.URL) -> Engine:
    """An unpooled engine for migrating, with transactional DDL on SQLite too.

    On SQLite, pysqlite does not put DDL in a transaction by itself; we take over
    BEGIN so that a failed migration rolls back whole. Foreign keys are off while
    migrating because batch mode drops and re-creates tables, which with foreign
    keys on would cascade deletes into child tables; `PRAGMA foreign_key_check`
    runs before commit instead.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, poolclass=NullPool, connect_args={"timeout": 15})
        install_sqlite_pragmas(engine, foreign_keys=False)

        @event.listens_for(engine, "connect")
        def _manual_transactions(dbapi_connection, _record) -> None:  # noqa: ANN001
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:  # noqa: ANN001
            # Writers take the write lock up front so two migrators cannot interleave.
            mode = "IMMEDIATE" if connection.info.get("write") else "DEFERRED"
            connection.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return sa.create_engine(
        parsed,
        poolclass=NullPool,
        connect_args={"connect_timeout": 5, "application_name": "quantum-migrate"},
    )
