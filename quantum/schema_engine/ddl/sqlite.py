"""SQLite: a file, a lock file beside it, transactional DDL by taking over BEGIN, types as affinities.

Standard library only at import time (see `ddl/base.py`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quantum.schema_engine.ddl.base import Backend, Query, parse_url, same_type
from quantum.schema_engine.errors import LockTimeout

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection, Engine

    from quantum.schema_engine.url import DatabaseURL

# How long a connection waits for another writer's lock before "database is locked".
BUSY_TIMEOUT_MS = 15000


class SQLiteBackend(Backend):
    """SQLite: a declared type is an affinity; defaults are kept as written; enums are CHECKs."""

    name = "sqlite"
    # SQLite's ALTER TABLE cannot drop or change most things: Alembic copies the table instead.
    batch_migrations = True
    # SQLite's own objects (sqlite_sequence, sqlite_stat1 from ANALYZE, autoindexes) come and go with the
    # data; every constraint they stand for is already in its table's CREATE statement.
    catalog_queries = (
        "SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY type, name",
    )

    # --- URLs ---------------------------------------------------------------------------------

    def describe(self, url: DatabaseURL) -> str:
        """The file's path as the URL gives it (or :memory:)."""
        return f"sqlite file {url.database or ':memory:'}"

    def database_file(self, url: DatabaseURL) -> Path | None:
        """The database file, resolved; None for a memory database."""
        if url.database in (None, "", ":memory:"):
            return None
        return Path(url.database).resolve()

    def _path(self, url: str | sa.URL) -> Path | None:
        return self.database_file(parse_url(url))

    # --- connecting ---------------------------------------------------------------------------

    def create_migration_engine(self, url: sa.URL) -> Engine:
        """An unpooled engine whose transactions include DDL, with foreign keys off while migrating.

        pysqlite does not put DDL in a transaction by itself; we take over BEGIN so that a failed
        migration rolls back whole. Foreign keys are off while migrating because batch mode drops and
        re-creates tables, which with foreign keys on would cascade deletes into child tables;
        `foreign_key_violations` runs before commit instead.
        """
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool

        path = self._path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, poolclass=NullPool, connect_args={"timeout": 15})
        self.install_pragmas(engine, foreign_keys=False)

        @sa.event.listens_for(engine, "connect")
        def _manual_transactions(dbapi_connection, _record) -> None:  # noqa: ANN001
            dbapi_connection.isolation_level = None

        @sa.event.listens_for(engine, "begin")
        def _begin(connection) -> None:  # noqa: ANN001
            # Writers take the write lock up front so two migrators cannot interleave.
            mode = "IMMEDIATE" if connection.info.get("write") else "DEFERRED"
            connection.exec_driver_sql(f"BEGIN {mode}")

        return engine

    def install_pragmas(self, engine: Engine, *, foreign_keys: bool = True) -> None:
        """WAL, a busy timeout and foreign keys on every new connection."""
        from sqlalchemy import event

        on_file = self._path(engine.url) is not None

        @event.listens_for(engine, "connect")
        def _set_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            if on_file:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cursor.close()

    def connect_snapshot(self, url: DatabaseURL, timeout: int) -> sqlite3.Connection | None:
        """The file opened read-only, in one transaction; None for memory databases and files not made yet."""
        path = self.database_file(url)
        if path is None or not path.exists():
            return None  # there is something to create
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=15, isolation_level=None)
        connection.execute("BEGIN")  # one snapshot for every query that follows
        return connection

    # --- migrating ----------------------------------------------------------------------------

    @contextmanager
    def schema_lock(self, connection: Connection, *, namespace: str, wait_seconds: float) -> Iterator[None]:
        """A lock file beside the database (`<file>.migrate-lock`); the migration itself then holds BEGIN IMMEDIATE."""
        from filelock import FileLock
        from filelock import Timeout as FileLockTimeout

        path = self._path(connection.engine.url)
        if path is None:  # an in-memory database has one connection and nothing to race with
            yield
            return
        lock = FileLock(str(path) + ".migrate-lock")
        try:
            lock.acquire(timeout=wait_seconds, poll_interval=0.05)
        except FileLockTimeout:
            where = parse_url(connection.engine.url).describe()
            raise LockTimeout(
                f"timed out after {wait_seconds:g}s waiting for the migration lock on {where} "
                f"({path}.migrate-lock is held by another process); raise MIGRATION_LOCK_WAIT or find the stuck migrator"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def foreign_key_violations(self, connection: Connection) -> list[tuple]:
        """`PRAGMA foreign_key_check`: foreign keys are off while migrating (see create_migration_engine)."""
        return list(connection.exec_driver_sql("PRAGMA foreign_key_check").all())

    def refresh_statistics(self, connection: Connection, tables: Iterable[str]) -> None:
        """`PRAGMA optimize`: SQLite decides which tables need ANALYZE."""
        connection.exec_driver_sql("PRAGMA optimize")
        connection.rollback()

    def backup_before_migrating(self, url: str | sa.URL, backup_dir: str | None, *, label: str) -> Path | None:
        """A consistent copy of the file, in `backup_dir` (default: `backups/` beside it); None for memory databases."""
        database = self._path(url)
        if database is None:
            return None
        return backup_file(database, Path(backup_dir) if backup_dir else database.parent / "backups", label=label)

    def schema_snapshot(self, url: str | sa.URL) -> list[tuple] | None:
        """Every object's DDL as sqlite_master holds it, read through a connection of its own."""
        database = self._path(url)
        if database is None:
            return None
        connection = sqlite3.connect(str(database), timeout=30)
        try:
            return connection.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        finally:
            connection.close()

    def restore_backup(self, backup: Path, url: str | sa.URL) -> None:
        """Write the copy back over the file through the backup API (atomic for readers)."""
        database = self._path(url)
        if database is None:
            raise ValueError("a memory database has no file to restore")
        restore_file(backup, database)

    # --- comparing ------------------------------------------------------------------------------

    def types_differ(self, live_type: Any, model_type: Any) -> bool | None:
        """Different only when SQLite's type affinities differ (FLOAT vs DOUBLE: both REAL)."""
        live, model = self._declared(live_type), self._declared(model_type)
        if live is None or model is None:
            return None
        return sqlite_affinity(live) != sqlite_affinity(model)

    def _declared(self, column_type: Any) -> str | None:
        import sqlalchemy as sa

        if isinstance(column_type, sa.types.NullType):
            return ""  # no declared type: BLOB affinity
        try:
            return column_type.compile(dialect=self.dialect)
        except sa.exc.CompileError:
            return None

    def index_names(self, connection: Connection, table: str) -> set[str]:
        """Read from sqlite_master: SQLAlchemy's reflection skips expression indexes such as lower(name)."""
        rows = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)
        )
        return {name for (name,) in rows if name}

    def normalize_default(self, text: str | None) -> str | None:
        """As the base; SQLite also accepts TRUE/FALSE, which store 1 and 0."""
        normalized = super().normalize_default(text)
        return {"true": "1", "false": "0"}.get(normalized or "", normalized)

    # --- the catalog fingerprint ----------------------------------------------------------------

    def catalog_object(self, row: Sequence[Any]) -> str:
        """sqlite_master's name column."""
        return str(row[1])

    def catalog_mentions(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """Type, name and the table an index or trigger belongs to."""
        return tuple(row[:3])

    # --- the destructive gate's catalog lookups ----------------------------------------------

    def has_rows(self, query: Query, table: str) -> bool:
        """One row is enough."""
        return bool(query(f"SELECT 1 FROM {self.quote(table)} LIMIT 1", ()))

    def table_exists(self, query: Query, table: str) -> bool:
        """A table row in sqlite_master."""
        return bool(query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))

    def column_catalog(self, query: Query, table: str) -> dict[str, tuple[str, bool, Any]]:
        """`PRAGMA table_info`: name, declared type, NOT NULL and default of each column."""
        quoted = table.replace('"', '""')
        rows = query(f'PRAGMA table_info("{quoted}")', ())
        return {row[1]: (row[2] or "", bool(row[3]), row[4]) for row in rows}

    def lossless_type_change(self, old: str, new: str) -> bool:
        """The same affinity, or one that keeps every value: TEXT and BLOB keep anything, numbers widen."""
        if same_type(old, new):
            return True
        before, after = sqlite_affinity(old), sqlite_affinity(new)
        return before == after or after in {"TEXT", "BLOB"} or (before, after) in {
            ("INTEGER", "REAL"), ("INTEGER", "NUMERIC"), ("REAL", "NUMERIC"),
        }


def sqlite_affinity(declared: str) -> str:
    """SQLite's column affinity for a declared type (https://sqlite.org/datatype3.html, section 3.1)."""
    upper = declared.upper()
    if "INT" in upper:
        return "INTEGER"
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in upper or not upper.strip():
        return "BLOB"
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def backup_file(database: Path, backup_dir: Path, *, label: str = "backup") -> Path:
    """Copy a live SQLite database consistently (WAL included) to a timestamped file in `backup_dir`."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"{database.stem}-{label}-{stamp}.db"
    source = sqlite3.connect(str(database))
    try:
        destination = sqlite3.connect(str(target))
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return target


def restore_file(backup: Path, database: Path) -> None:
    """Write a backup back over a live database through the backup API (atomic for readers)."""
    source = sqlite3.connect(str(backup))
    try:
        destination = sqlite3.connect(str(database), timeout=30)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
