"""What each backend stores: type identity, server-default text and enum storage, one class per backend.

Drift is a difference in what the database *stores and enforces*, not in how a type or a
default happens to be spelled. SQLite keeps a column's declared type only as a hint (its
"affinity"), so `FLOAT` and `DOUBLE` are the same column there; PostgreSQL keeps exact types.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

# A single-quoted SQL literal ('' escapes a quote inside it).
_LITERAL = re.compile(r"'((?:[^']|'')*)'")
# PostgreSQL's reflected defaults carry casts: 'user'::userrole, '0'::numeric, now()::timestamp with time zone.
_PG_CAST = re.compile(
    r"::\s*(?:\"[^\"]+\"|[a-z_][\w.]*)"  # the type name
    r"(?:\s+(?:varying|precision|with(?:out)?\s+time\s+zone))*"  # its multi-word forms
    r"(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])?",  # length or precision, array
    re.I,
)
# Spellings of "the current timestamp" that store the same thing.
_NOW = {"now()", "current_timestamp", "transaction_timestamp()", "localtimestamp"}


def enum_impl(column_type: Any) -> sa.Enum | None:
    """The Enum behind a column type (through TypeDecorators), or None."""
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


class BackendRules:
    """How one backend stores types, defaults and enums; the base compares exactly."""

    name = "generic"

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def types_differ(self, live_type: Any, model_type: Any) -> bool | None:
        """True/False when the backend decides; None leaves it to Alembic's exact comparison."""
        return None

    def stores_enum_natively(self, enum_type: sa.Enum) -> bool:
        """Whether the backend keeps this enum as a type of its own (else: a string plus a CHECK)."""
        return False

    def model_default(self, column: sa.Column) -> str | None:
        """The SQL text of the server default the models declare, compiled for this backend."""
        default = column.server_default
        if not isinstance(default, sa.DefaultClause):
            return None  # Computed, Identity, FetchedValue: the database owns them
        compiler = self.dialect.ddl_compiler(self.dialect, None)
        return compiler.get_column_default_string(column)

    def index_names(self, connection: sa.Connection, table: str) -> set[str]:
        """The names of the indexes a live table has, expression indexes included."""
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


class SQLiteRules(BackendRules):
    """SQLite: a declared type is an affinity; defaults are kept as written; enums are CHECKs."""

    name = "sqlite"

    def types_differ(self, live_type: Any, model_type: Any) -> bool | None:
        """Different only when SQLite's type affinities differ (FLOAT vs DOUBLE: both REAL)."""
        live, model = self._declared(live_type), self._declared(model_type)
        if live is None or model is None:
            return None
        return sqlite_affinity(live) != sqlite_affinity(model)

    def _declared(self, column_type: Any) -> str | None:
        if isinstance(column_type, sa.types.NullType):
            return ""  # no declared type: BLOB affinity
        try:
            return column_type.compile(dialect=self.dialect)
        except sa.exc.CompileError:
            return None

    def index_names(self, connection: sa.Connection, table: str) -> set[str]:
        """Read from sqlite_master: SQLAlchemy's reflection skips expression indexes such as lower(name)."""
        rows = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)
        )
        return {name for (name,) in rows if name}

    def normalize_default(self, text: str | None) -> str | None:
        """As the base; SQLite also accepts TRUE/FALSE, which store 1 and 0."""
        normalized = super().normalize_default(text)
        return {"true": "1", "false": "0"}.get(normalized or "", normalized)


class PostgreSQLRules(BackendRules):
    """PostgreSQL: exact types (Alembic's comparison), native enum types, casts in reflected defaults."""

    name = "postgresql"

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


def rules_for(dialect: Dialect) -> BackendRules:
    """The rules for a connection's dialect (exact comparison for backends not listed)."""
    return {"sqlite": SQLiteRules, "postgresql": PostgreSQLRules}.get(dialect.name, BackendRules)(dialect)


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
