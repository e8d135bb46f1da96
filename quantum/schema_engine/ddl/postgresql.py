"""PostgreSQL: a server, an advisory lock, SET LOCAL timeouts, exact types, native enum types, casts in defaults.

Standard library only at import time (see `ddl/base.py`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from quantum.schema_engine.ddl.base import Backend, Query, parse_url, same_type
from quantum.schema_engine.errors import LockTimeout

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection, Engine

    from quantum.schema_engine.url import DatabaseURL

log = logging.getLogger(__name__)

# PostgreSQL's reflected defaults carry casts: 'user'::userrole, '0'::numeric, now()::timestamp with time zone.
_PG_CAST = re.compile(
    r"::\s*(?:\"[^\"]+\"|[a-z_][\w.]*)"  # the type name
    r"(?:\s+(?:varying|precision|with(?:out)?\s+time\s+zone))*"  # its multi-word forms
    r"(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?",  # length or precision, array
    re.I,
)
_PG_INTEGERS = ["smallint", "integer", "bigint"]


def advisory_lock_key(namespace: str, database: str) -> int:
    """A stable signed 64-bit key from the application namespace and database name."""
    digest = hashlib.sha256(f"{namespace}:{database}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgreSQLBackend(Backend):
    """PostgreSQL: exact types (Alembic's comparison), native enum types, casts in reflected defaults."""

    name = "postgresql"
    default_port = 5432
    # Each row starts with the table it belongs to (Backend.catalog_object and catalog_mentions read it).
    catalog_queries = (
        # Tables, views and their columns: name, type with length/precision, NOT NULL, default.
        """SELECT c.relname, c.relkind, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
              COALESCE(pg_get_expr(d.adbin, d.adrelid), '')
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
       ORDER BY c.relname, a.attnum""",
        # Indexes, with their full definition (columns, uniqueness, predicate).
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "ORDER BY tablename, indexname",
        # Primary keys, foreign keys, unique and check constraints.
        """SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid)
       FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
       JOIN pg_namespace n ON n.oid = co.connamespace
       WHERE n.nspname = current_schema() ORDER BY cl.relname, co.conname""",
        # Enum types and their labels in order.
        """SELECT t.typname, e.enumsortorder, e.enumlabel
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = current_schema() ORDER BY t.typname, e.enumsortorder""",
    )

    # --- connecting ---------------------------------------------------------------------------

    def create_migration_engine(self, url: sa.URL) -> Engine:
        """An unpooled engine that gives up connecting after 5 s and names itself in pg_stat_activity."""
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool

        return sa.create_engine(
            url,
            poolclass=NullPool,
            connect_args={"connect_timeout": 5, "application_name": "quantum-migrate"},
        )

    def connect_snapshot(self, url: DatabaseURL, timeout: int) -> Any | None:
        """psycopg2, read-only REPEATABLE READ (one snapshot); None for another driver, which only SQLAlchemy knows."""
        if url.driver not in (None, "psycopg2"):
            return None
        import psycopg2

        params = {"host": url.host, "port": url.port, "user": url.username, "password": url.password,
                  "dbname": url.database}
        connection = psycopg2.connect(
            **{k: v for k, v in params.items() if v is not None},
            connect_timeout=timeout, application_name="quantum-migrate",
        )
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        return connection

    # --- migrating ----------------------------------------------------------------------------

    @contextmanager
    def schema_lock(self, connection: Connection, *, namespace: str, wait_seconds: float) -> Iterator[None]:
        """A session-level advisory lock on this one connection, keyed by namespace and database.

        It survives the migration's commit or rollback and is released explicitly (or when the
        connection dies).
        """
        import sqlalchemy as sa

        key = advisory_lock_key(namespace, connection.engine.url.database or "")
        where = parse_url(connection.engine.url).describe()
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
                    f"{where} (advisory lock {key}); raise MIGRATION_LOCK_WAIT "
                    "or look for a stuck migrator in pg_locks"
                )
            if not announced:
                log.info("another process is migrating %s; waiting for it", where)
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

    def set_migration_timeouts(self, connection: Connection, *, lock_timeout_ms: int, statement_timeout_ms: int) -> None:
        """SET LOCAL lock_timeout and statement_timeout: fail fast behind a long query instead of queueing
        every request behind our lock; both end with the transaction."""
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}")
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}")

    def refresh_statistics(self, connection: Connection, tables: Iterable[str]) -> None:
        """ANALYZE each of `tables` that exists."""
        import sqlalchemy as sa

        live = set(sa.inspect(connection).get_table_names())
        for table in sorted(set(tables) & live):
            connection.exec_driver_sql(f'ANALYZE "{table}"')
        connection.commit()

    # --- comparing ------------------------------------------------------------------------------

    def stores_enum_natively(self, enum_type: sa.Enum) -> bool:
        """A named Enum is a type of its own unless the model says native_enum=False."""
        return bool(enum_type.native_enum)

    def normalize_default(self, text: str | None) -> str | None:
        """As the base, after removing the casts PostgreSQL adds when it stores a default."""
        if text is None:
            return None
        previous = None
        while previous != text:
            previous, text = text, _PG_CAST.sub("", text)
        return super().normalize_default(text)

    # --- the destructive gate's catalog lookups ----------------------------------------------

    def has_rows(self, query: Query, table: str) -> bool:
        """One row is enough. The parameters are (), not None: the dialect quotes a % in a name as %%, which
        psycopg2 turns back into % only when it formats the statement with parameters."""
        return bool(query(f"SELECT 1 FROM {self.quote(table)} LIMIT 1", ()))

    def table_exists(self, query: Query, table: str) -> bool:
        """A plain or partitioned table visible on the search path."""
        return bool(query(
            "SELECT 1 FROM pg_class WHERE relname = %s AND relkind IN ('r', 'p') AND pg_table_is_visible(oid)",
            (table,),
        ))

    def type_exists(self, query: Query, name: str) -> bool:
        """A type visible on the search path."""
        return bool(query("SELECT 1 FROM pg_type WHERE typname = %s AND pg_type_is_visible(oid)", (name,)))

    def is_enum_type(self, query: Query, name: str) -> bool:
        """pg_type says typtype 'e'."""
        return bool(query("SELECT 1 FROM pg_type WHERE typname = %s AND typtype = 'e'", (name,)))

    def column_catalog(self, query: Query, table: str) -> dict[str, tuple[str, bool, Any]]:
        """pg_attribute with format_type (length and precision included); True for "has a default"."""
        rows = query(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, d.adbin IS NOT NULL "
            "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped",
            (self.quote(table),),
        )
        return {row[0]: (row[1], bool(row[2]), True if row[3] else None) for row in rows}

    def lossless_type_change(self, old: str, new: str) -> bool:
        """Whether ALTER COLUMN ... TYPE keeps every value: to text, longer strings, wider numbers, dates to timestamps."""
        if same_type(old, new):
            return True
        old_l, new_l = old.lower(), new.lower()
        old_base, new_base = old_l.split("(")[0].strip(), new_l.split("(")[0].strip()
        if new_base == "text":
            return True
        strings = {"character varying", "character", "text"}
        if old_base in strings and new_base == "character varying":
            return not _length(new_l) or (bool(_length(old_l)) and _length(new_l)[0] >= _length(old_l)[0])
        if old_base in _PG_INTEGERS and new_base in _PG_INTEGERS:
            return _PG_INTEGERS.index(new_base) >= _PG_INTEGERS.index(old_base)
        if old_base in _PG_INTEGERS and new_base == "numeric":
            digits = {"smallint": 5, "integer": 10, "bigint": 19}[old_base]
            size = _length(new_l)
            return not size or size[0] - (size[1] if len(size) > 1 else 0) >= digits
        if old_base == "numeric" and new_base == "numeric":
            before, after = _length(old_l), _length(new_l)
            if not after:
                return True
            if not before:
                return False
            old_scale, new_scale = (before + [0])[1], (after + [0])[1]
            return new_scale >= old_scale and after[0] - new_scale >= before[0] - old_scale
        return (old_base, new_base) in {
            ("real", "double precision"), ("smallint", "double precision"), ("integer", "double precision"),
            ("date", "timestamp without time zone"), ("date", "timestamp with time zone"),
            ("timestamp without time zone", "timestamp with time zone"), ("json", "jsonb"),
        }


def _length(type_text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", type_text)]
