"""What every backend answers for the schema engine: the base class of one class per backend.

The engine never asks "is this PostgreSQL?". It asks the backend (`backend_for(...)` in
`quantum.schema_engine.ddl`) how to connect, lock, time out, back up, fingerprint the catalog,
compare types and defaults, and read the catalog for the destructive gate, much as Alembic asks
its `alembic.ddl` implementations. `Backend` states the questions and answers them for a backend
the engine has no class for: exact type comparison, no lock, no backup, no timeouts, nothing for
the gate or the fingerprint to read.

Standard library only at import time, here and in every backend module: the fast path
(`quantum.schema_engine.quick`) asks its backend how to connect and what to hash before SQLAlchemy
is loaded. The methods that work on SQLAlchemy objects import it themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection, Dialect, Engine

    from quantum.schema_engine.url import DatabaseURL

# The gate's catalog lookups run SQL with parameters on the migration connection's own DBAPI cursor.
Query = Callable[[str, tuple], list[tuple]]

# A single-quoted SQL literal ('' escapes a quote inside it).
_LITERAL = re.compile(r"'((?:[^']|'')*)'")
# Spellings of "the current timestamp" that store the same thing.
_NOW = {"now()", "current_timestamp", "transaction_timestamp()", "localtimestamp"}


class Backend:
    """The questions the engine asks a backend, answered for a backend it has no class for."""

    name: ClassVar[str] = "generic"
    # The port a URL without one connects to (None: the URL names no server).
    default_port: ClassVar[int | None] = None
    # Alembic's render_as_batch: ALTER TABLE by copying the table, for a backend whose ALTER cannot do it all.
    batch_migrations: ClassVar[bool] = False
    # Queries whose rows describe the schema, each in a stable order, for the catalog fingerprint.
    catalog_queries: ClassVar[tuple[str, ...]] = ()

    def __init__(self, dialect: Dialect | None = None) -> None:
        self._dialect = dialect

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    @property
    def dialect(self) -> Dialect:
        """The SQLAlchemy dialect: the connection's, or this backend's default one when looked up by name."""
        if self._dialect is None:
            from sqlalchemy.dialects import registry

            self._dialect = registry.load(self.name)()
        return self._dialect

    def quote(self, identifier: str) -> str:
        """An identifier quoted for this backend's SQL (only when it needs quoting)."""
        return self.dialect.identifier_preparer.quote(identifier)

    # --- URLs (standard library only) ---------------------------------------------------------

    def describe(self, url: DatabaseURL) -> str:
        """A short, password-free name of the database: host:port/db."""
        port = url.port or self.default_port
        return f"{url.host or 'localhost'}{f':{port}' if port else ''}/{url.database}"

    def database_file(self, url: DatabaseURL) -> Path | None:
        """The file that holds the database, or None when a server holds it."""
        return None

    # --- connecting ---------------------------------------------------------------------------

    def create_migration_engine(self, url: sa.URL) -> Engine:
        """An unpooled engine for migrating: one connection, held under the lock, closed at the end."""
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool

        return sa.create_engine(url, poolclass=NullPool)

    def install_pragmas(self, engine: Engine, *, foreign_keys: bool = True) -> None:
        """Per-connection settings every new connection of `engine` needs (none here)."""

    def connect_snapshot(self, url: DatabaseURL, timeout: int) -> Any | None:
        """A read-only DBAPI connection that sees one snapshot, without SQLAlchemy; None when there is none to have.

        The fast path reads the fingerprint and the catalog through it; None makes it take the full path.
        """
        return None

    # --- migrating ----------------------------------------------------------------------------

    @contextmanager
    def schema_lock(self, connection: Connection, *, namespace: str, wait_seconds: float) -> Iterator[None]:
        """Hold the cross-process migration lock for the block; LockTimeout after `wait_seconds`.

        A backend the engine does not know gets no lock: run one migrator at a time yourself.
        """
        yield

    def set_migration_timeouts(self, connection: Connection, *, lock_timeout_ms: int, statement_timeout_ms: int) -> None:
        """Bound the waits of the migration transaction just begun on `connection` (nothing here)."""

    def foreign_key_violations(self, connection: Connection) -> list[tuple]:
        """Rows whose foreign keys a migration broke while the backend did not enforce them (none here)."""
        return []

    def refresh_statistics(self, connection: Connection, tables: Iterable[str]) -> None:
        """Refresh the planner's statistics after a migration rewrote `tables` (nothing here)."""

    def backup_before_migrating(self, url: str | sa.URL, backup_dir: str | None, *, label: str) -> Path | None:
        """Copy the database before pending revisions run, when the backend can; the copy's path, or None."""
        return None

    def schema_snapshot(self, url: str | sa.URL) -> list[tuple] | None:
        """The database's DDL as stored, to tell whether a rollback was complete (None: cannot tell)."""
        return None

    def restore_backup(self, backup: Path, url: str | sa.URL) -> None:
        """Write a copy taken by `backup_before_migrating` back over the database."""
        raise NotImplementedError(f"{self.name} databases are not backed up before migrating")

    # --- comparing the live schema with the models ---------------------------------------------

    def types_differ(self, live_type: Any, model_type: Any) -> bool | None:
        """True/False when the backend decides; None leaves it to Alembic's exact comparison."""
        return None

    def stores_enum_natively(self, enum_type: sa.Enum) -> bool:
        """Whether the backend keeps this enum as a type of its own (else: a string plus a CHECK)."""
        return False

    def model_default(self, column: sa.Column) -> str | None:
        """The SQL text of the server default the models declare, compiled for this backend."""
        import sqlalchemy as sa

        default = column.server_default
        if not isinstance(default, sa.DefaultClause):
            return None  # Computed, Identity, FetchedValue: the database owns them
        compiler = self.dialect.ddl_compiler(self.dialect, None)
        return compiler.get_column_default_string(column)

    def index_names(self, connection: Connection, table: str) -> set[str]:
        """The names of the indexes a live table has, expression indexes included."""
        import sqlalchemy as sa

        return {index["name"] for index in sa.inspect(connection).get_indexes(table) if index["name"]}

    def normalize_default(self, text: str | None) -> str | None:
        """A server default reduced to what it stores: outer parentheses, quoting and case ironed out."""
        if text is None:
            return None
        text = text.strip()
        while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
            text = text[1:-1].strip()
        literal = _LITERAL.fullmatch(text)
        if literal:
            value = literal.group(1).replace("''", "'")
            number = _number(value)
            return number if number is not None else "'" + value + "'"
        number = _number(text)
        if number is not None:
            return number
        lowered = _lower_outside_literals(text)
        return "now()" if lowered in _NOW else lowered

    # --- the catalog fingerprint (standard library only) -------------------------------------

    def catalog_object(self, row: Sequence[Any]) -> str:
        """The name of the object a row of `catalog_queries` describes (a table's name for a table)."""
        return str(row[0])

    def catalog_mentions(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """The names a row of `catalog_queries` belongs to: a row mentioning the fingerprint table is left out."""
        return tuple(row[:2])

    # --- the destructive gate's catalog lookups ----------------------------------------------
    # Each takes `query(sql, params)`, which runs on the migration connection inside its transaction.
    # A backend the engine does not know is not read: the gate judges its statements by kind alone.

    def has_rows(self, query: Query, table: str) -> bool:
        """Whether the table holds at least one row."""
        return False

    def table_exists(self, query: Query, table: str) -> bool:
        """Whether a table of that name exists."""
        return False

    def type_exists(self, query: Query, name: str) -> bool:
        """Whether a named type (an enum, a domain) of that name exists."""
        return False

    def is_enum_type(self, query: Query, name: str) -> bool:
        """Whether `name` is a native enum type."""
        return False

    def column_catalog(self, query: Query, table: str) -> dict[str, tuple[str, bool, Any]]:
        """Column name -> (declared type, NOT NULL, default or None) as the catalog has them now."""
        return {}

    def lossless_type_change(self, old: str, new: str) -> bool:
        """Whether every value of declared type `old` survives conversion to `new`: here, only the same type."""
        return same_type(old, new)


def parse_url(url: str | sa.URL) -> DatabaseURL:
    """A URL string or SQLAlchemy URL, parsed by `quantum.schema_engine.url` (which needs no SQLAlchemy)."""
    from quantum.schema_engine.url import parse_database_url  # imported here: url.py asks the backends too

    return parse_database_url(url if isinstance(url, str) else url.render_as_string(hide_password=False))


def same_type(old: str, new: str) -> bool:
    """Whether two declared types are spelled the same, case and outer spaces aside."""
    return old.strip().lower() == new.strip().lower()


def enum_impl(column_type: Any) -> sa.Enum | None:
    """The Enum behind a column type (through TypeDecorators), or None."""
    import sqlalchemy as sa

    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl
    return column_type if isinstance(column_type, sa.Enum) else None


def check_labels(sqltext: str, column: str) -> set[str] | None:
    """The string labels a CHECK allows for `column` (`column IN (...)`), or None when it is no such CHECK.

    Reads what the database holds, however it spells it: SQLite keeps the text as written
    (`size IN ('s', 'm')`), PostgreSQL rewrites it (`(size)::text = ANY (ARRAY['s'::character varying, ...])`).
    Other CHECKs that merely mention the column (`status <> 'x' OR closed_at IS NULL`) are not enum CHECKs.
    """
    masked = _LITERAL.sub(lambda m: "'" + "_" * (len(m.group(0)) - 2) + "'", sqltext)  # same length, no tricks inside
    pattern = (
        rf'(?<![\w.])["`\[]?{re.escape(column)}["`\]]?\)?(?:::[a-z ]+?)?'  # the column, maybe cast
        r"\s*(?:IN|=\s*ANY)\s*\("
    )
    match = re.search(pattern, masked, flags=re.I)
    if match is None:
        # PostgreSQL stores a one-label IN list as `(col)::text = 'x'::text`; only the whole
        # expression counts, so a business rule (`col = 'x' OR ...`) is not mistaken for one.
        single = re.fullmatch(
            rf'\(*["`\[]?{re.escape(column)}["`\]]?\)?(?:::[a-z ]+?)?\s*=\s*\(*({_LITERAL.pattern})(?:::[a-z ]+?)?\)*',
            sqltext.strip(),
            flags=re.I,
        )
        return {single.group(2).replace("''", "'")} if single else None
    depth, end = 1, match.end()
    while end < len(masked) and depth:
        depth += {"(": 1, ")": -1}.get(masked[end], 0)
        end += 1
    labels = {literal.replace("''", "'") for literal in _LITERAL.findall(sqltext[match.end() : end])}
    return labels or None


def _balanced(text: str) -> bool:
    depth = 0
    for char in _LITERAL.sub("''", text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _number(text: str) -> str | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return format(value.normalize(), "f") if value != 0 else "0"


def _lower_outside_literals(text: str) -> str:
    parts = _LITERAL.split(text)
    # split() with one group alternates: outside, literal, outside, ...
    return "".join(part.lower() if i % 2 == 0 else "'" + part + "'" for i, part in enumerate(parts))
