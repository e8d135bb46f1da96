"""The destructive gate: classify every statement pending revisions execute, while they execute.

Reading a revision's source misses SQL written in any other way than an Alembic op (a module
constant, `sa.text`, Core `table.delete()`, `exec_driver_sql`). The gate listens to the migration
connection's cursor instead, so it sees exactly what reaches the database, whatever wrote it, and
judges the net effect of each revision: SQLite batch mode's table rebuild (CREATE _alembic_tmp_x,
INSERT ... SELECT, DROP x, RENAME) is destructive only when a column disappears or a type narrows;
a constraint or type dropped and re-created under the same name in the same revision is not.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.script import Script
from sqlalchemy.engine import Connection

from quantum.schema_engine.ddl import backend_for
from quantum.schema_engine.errors import DestructiveMigration

_IDENT = r'(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[\w$]+)'
_NAME = rf"((?:{_IDENT}\.)?{_IDENT})"
BATCH_PREFIX = "_alembic_tmp_"

_CREATE_TABLE = re.compile(rf"^CREATE\s+(?:TEMP(?:ORARY)?\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}", re.I)
_CREATE_TYPE = re.compile(rf"^CREATE\s+TYPE\s+{_NAME}", re.I)
_DROP_TABLE = re.compile(rf"^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_NAME}(.*)$", re.I | re.S)
_DROP_TYPE = re.compile(rf"^DROP\s+TYPE\s+(?:IF\s+EXISTS\s+)?{_NAME}(.*)$", re.I | re.S)
_TRUNCATE = re.compile(rf"^TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?{_NAME}", re.I)
_DELETE = re.compile(rf"^DELETE\s+FROM\s+(?:ONLY\s+)?{_NAME}", re.I)
_UPDATE = re.compile(rf"^UPDATE\s+(?:ONLY\s+)?{_NAME}", re.I)
_INSERT_SELECT = re.compile(rf"^INSERT\s+INTO\s+{_NAME}\s*\((.*?)\)\s*SELECT\s+(.*)\s+FROM\s+{_NAME}\s*$", re.I | re.S)
_INSERT = re.compile(rf"^INSERT\s+INTO\s+{_NAME}", re.I)
_ALTER_TABLE = re.compile(rf"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_NAME}\s+(.*)$", re.I | re.S)
_DROP_COLUMN = re.compile(rf"^DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?{_NAME}", re.I)
_DROP_CONSTRAINT = re.compile(rf"^DROP\s+CONSTRAINT\s+(?:IF\s+EXISTS\s+)?{_NAME}", re.I)
_ADD_CONSTRAINT = re.compile(rf"^ADD\s+CONSTRAINT\s+{_NAME}", re.I)
_ALTER_TYPE = re.compile(rf"^ALTER\s+(?:COLUMN\s+)?{_NAME}\s+(?:SET\s+DATA\s+)?TYPE\s", re.I)
_SET_NOT_NULL = re.compile(rf"^ALTER\s+(?:COLUMN\s+)?{_NAME}\s+SET\s+NOT\s+NULL", re.I)
_ADD_COLUMN = re.compile(rf"^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}\s+(.*)$", re.I | re.S)
_RENAME_TO = re.compile(rf"^RENAME\s+TO\s+{_NAME}", re.I)
_TABLE_CONSTRAINT_WORDS = {"CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "EXCLUDE"}
_TYPE_RENAME = re.compile(rf"^ALTER\s+TYPE\s+{_NAME}\s+RENAME\s+TO\s+{_NAME}", re.I)


def unquote(name: str) -> str:
    """An identifier as the catalog spells it: quotes removed, schema prefix dropped."""
    parts = re.findall(_IDENT, name)
    last = parts[-1] if parts else name
    if last[:1] in {'"', "`", "["}:
        return last[1:-1].replace('""', '"')
    return last.lower()


@dataclass(frozen=True)
class Finding:
    """One destructive statement, with the revision that ran it."""

    revision: str | None
    detail: str
    statement: str

    def describe(self) -> str:
        """One line naming the revision, what it destroys, and the statement."""
        return f"{self.revision or 'a pending revision'}: {self.detail} (`{_short(self.statement)}`)"


@dataclass
class _RevisionState:
    dropped_constraints: dict[str, str] = field(default_factory=dict)  # name -> statement
    dropped_types: dict[str, str] = field(default_factory=dict)
    rebuilding: dict[str, str] = field(default_factory=dict)  # table -> DROP statement, until renamed back


class StatementGate:
    """Watches one migration connection; `running` names the revision whose upgrade() is executing."""

    def __init__(self, connection: Connection, *, protected: set[str], allow_destructive: bool) -> None:
        self.connection = connection
        self.backend = backend_for(connection)
        self.protected = {name.lower() for name in protected}
        self.allow_destructive = allow_destructive
        self.running: str | None = None
        self.findings: list[Finding] = []
        self.touched: set[str] = set()
        self.created: set[str] = set()
        self.created_types: set[str] = set()
        self._state = _RevisionState()
        self._copied: dict[str, str] = {}  # batch temp table -> the table it copies
        self._pending_delete: str | None = None
        self._type_check: tuple[str, str, str | None, str] | None = None
        self._busy = False

    # --- wiring -----------------------------------------------------------------------------

    @contextmanager
    def watching(self, revisions: list[Script]) -> Iterator[StatementGate]:
        """Listen to the connection and wrap each revision's upgrade() for the block."""
        sa.event.listen(self.connection, "before_cursor_execute", self._before)
        sa.event.listen(self.connection, "after_cursor_execute", self._after)
        originals: list[tuple[Any, Callable]] = []
        try:
            for revision in revisions:
                module = revision.module
                originals.append((module, module.upgrade))
                module.upgrade = self._tracked(revision.revision, module.upgrade)
            yield self
        finally:
            for module, upgrade in originals:
                module.upgrade = upgrade
            sa.event.remove(self.connection, "before_cursor_execute", self._before)
            sa.event.remove(self.connection, "after_cursor_execute", self._after)

    def _tracked(self, revision: str, upgrade: Callable) -> Callable:
        @functools.wraps(upgrade)
        def run(*args: Any, **kwargs: Any) -> Any:
            self.running = revision
            self._state = _RevisionState()
            outcome = upgrade(*args, **kwargs)
            self._end_revision()
            return outcome

        return run

    # --- decisions --------------------------------------------------------------------------

    def _end_revision(self) -> None:
        state = self._state
        for table, statement in state.rebuilding.items():
            self._found(f"drops table {table}", statement)
        for name, statement in state.dropped_constraints.items():
            self._found(f"drops constraint {name}", statement)
        for name, statement in state.dropped_types.items():
            if not self._type_exists(name):
                self._found(f"drops type {name}", statement)
        self._state = _RevisionState()
        mine = [f for f in self.findings if f.revision == self.running]
        if mine and not self.allow_destructive:
            raise self.refusal(mine)

    def refusal(self, findings: list[Finding]) -> DestructiveMigration:
        """The exit-8 error for these findings (rolled back by the caller before anything commits)."""
        return DestructiveMigration(
            "pending revisions would destroy data: " + "; ".join(f.describe() for f in findings)
            + ". Nothing was committed. Back up, then rerun with --allow-destructive",
            report={"findings": [f.describe() for f in findings], "revision": findings[0].revision},
        )

    def _found(self, detail: str, statement: str, *, now: bool = False) -> None:
        finding = Finding(self.running, detail, statement)
        self.findings.append(finding)
        if now and not self.allow_destructive:
            # The statement would fail on these rows anyway: refuse before it runs (exit 8, not 7).
            raise self.refusal([finding])

    def _before(self, conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if self._busy:
            return
        self._type_check = self._pending_delete = None  # left over when the previous statement raised
        self._busy = True
        try:
            self._classify(" ".join(statement.split()))
        finally:
            self._busy = False

    def _after(self, conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        table, self._pending_delete = self._pending_delete, None
        if table is not None and (cursor.rowcount or 0) > 0:
            self._found(f"deletes {cursor.rowcount} rows from {table}", statement)
        if self._type_check is not None:
            table, column, old, sql = self._type_check
            self._type_check = None
            new = self._column_type(table, column)
            if old is not None and new is not None and not self.backend.lossless_type_change(old, new) \
                    and not (self._is_enum(old) and self._is_enum(new)):
                # (enum to enum keeps every value or fails: PostgreSQL refuses a label the new type lacks)
                self._found(f"changes the type of {table}.{column} from {old} to {new}", sql)

    def _classify(self, sql: str) -> None:
        if self.running is None:
            return
        if match := _CREATE_TABLE.match(sql):
            name = unquote(match.group(1))
            self.created.add(name)
            self.touched.add(name)
        elif match := _CREATE_TYPE.match(sql):
            self.created_types.add(unquote(match.group(1)))
        elif match := _DROP_TABLE.match(sql):
            self._drop_table(unquote(match.group(1)), match.group(2), sql)
        elif match := _DROP_TYPE.match(sql):
            name = unquote(match.group(1))
            if "CASCADE" in match.group(2).upper():
                self._found(f"drops type {name} with CASCADE (and every column of that type)", sql)
            elif name not in self.created_types and self._type_exists(name):
                self._state.dropped_types[name] = sql
        elif match := _TYPE_RENAME.match(sql):
            old, new = unquote(match.group(1)), unquote(match.group(2))
            if old in self.created_types:
                self.created_types.add(new)
        elif match := _TRUNCATE.match(sql):
            table = unquote(match.group(1))
            if self._guarded(table) and self._has_rows(table):
                self._found(f"truncates {table}", sql)
        elif match := _DELETE.match(sql):
            table = unquote(match.group(1))
            if self._guarded(table):
                self._pending_delete = table
        elif match := _UPDATE.match(sql):
            self.touched.add(unquote(match.group(1)))
        elif match := _INSERT_SELECT.match(sql):
            self._insert_select(unquote(match.group(1)), match.group(2), match.group(3), unquote(match.group(4)), sql)
        elif match := _INSERT.match(sql):
            self.touched.add(unquote(match.group(1)))
        elif match := _ALTER_TABLE.match(sql):
            for action in _top_level_parts(match.group(2)):  # PostgreSQL takes several actions at once
                self._alter_table(unquote(match.group(1)), action, sql)

    def _guarded(self, table: str) -> bool:
        return table not in self.created and table.lower() not in self.protected

    def _drop_table(self, table: str, rest: str, sql: str) -> None:
        if not self._guarded(table) or table.startswith(BATCH_PREFIX):
            return
        if self._copied.get(_batch_name(table)) == table:
            self._state.rebuilding[table] = sql  # batch mode: judged when the copy is renamed back
        elif self._table_exists(table):
            self._found(f"drops table {table}", sql)

    def _alter_table(self, table: str, action: str, sql: str) -> None:
        self.touched.add(table)
        if match := _RENAME_TO.match(action):
            new = unquote(match.group(1))
            if self._copied.pop(table, None) == new:
                self._state.rebuilding.pop(new, None)
            if table in self.created:
                self.created.add(new)
            self.touched.discard(table)
            self.touched.add(new)
            return
        if not self._guarded(table):
            return
        if match := _DROP_CONSTRAINT.match(action):
            self._state.dropped_constraints[unquote(match.group(1))] = sql
        elif match := _ADD_CONSTRAINT.match(action):
            self._state.dropped_constraints.pop(unquote(match.group(1)), None)
        elif match := _DROP_COLUMN.match(action):
            column = unquote(match.group(1))
            if column.upper() not in _TABLE_CONSTRAINT_WORDS:
                self._found(f"drops column {table}.{column}", sql)
        elif match := _SET_NOT_NULL.match(action):
            column = unquote(match.group(1))
            entry = self._columns(table).get(column)
            if entry is not None and not entry[1] and entry[2] is None and self._has_rows(table):
                self._found(f"sets NOT NULL without a default on {table}.{column}, a table with rows", sql, now=True)
        elif match := _ALTER_TYPE.match(action):
            column = unquote(match.group(1))
            if self._has_rows(table):
                self._type_check = (table, column, self._column_type(table, column), sql)
        elif match := _ADD_COLUMN.match(action):
            column, definition = unquote(match.group(1)), match.group(2).upper()
            if column.upper() in _TABLE_CONSTRAINT_WORDS:  # ADD CHECK (...), ADD UNIQUE (...): no new column
                return
            if "NOT NULL" in definition and "DEFAULT" not in definition and self._has_rows(table):
                self._found(f"adds NOT NULL column {table}.{column} without a default to a table with rows", sql, now=True)

    def _insert_select(self, target: str, target_columns: str, select_list: str, source: str, sql: str) -> None:
        self.touched.add(target)
        if target != _batch_name(source) or not self._guarded(source):
            return
        # SQLite batch mode (or recreate="always"): judge the rebuild by what the copy keeps.
        self._copied[target] = source
        old = self._columns(source)
        new = self._columns(target)
        kept = _referenced_columns(source, select_list, old)
        for column in old:
            if column not in kept:
                self._found(f"drops column {source}.{column} (batch mode rebuilds {source} without it)", sql)
        has_rows = self._has_rows(source)
        copied = {unquote(c.strip()) for c in target_columns.split(",")}
        for column, (col_type, not_null, default) in new.items():
            if not has_rows:
                break
            if column in old and column in copied and old[column][0] and not _BATCH_COPY.lossless_type_change(
                old[column][0], col_type
            ):
                self._found(f"changes the type of {source}.{column} from {old[column][0]} to {col_type}", sql)
            was_nullable = column not in old or not old[column][1]
            if not_null and default is None and was_nullable:
                self._found(f"sets NOT NULL without a default on {source}.{column}, a table with rows", sql, now=True)

    # --- catalog lookups: the backend's queries, on a separate DBAPI cursor of the same connection ---

    def _query(self, sql: str, params: tuple) -> list[tuple]:
        cursor = self.connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []
        finally:
            cursor.close()

    def _has_rows(self, table: str) -> bool:
        try:
            return self.backend.has_rows(self._query, table)
        except Exception:  # noqa: BLE001 - a missing table holds no rows; the statement itself will say why
            return False

    def _table_exists(self, table: str) -> bool:
        return self.backend.table_exists(self._query, table)

    def _type_exists(self, name: str) -> bool:
        return self.backend.type_exists(self._query, name)

    def _is_enum(self, type_name: str) -> bool:
        return self.backend.is_enum_type(self._query, unquote(type_name))

    def _columns(self, table: str) -> dict[str, tuple[str, bool, Any]]:
        """Column name -> (declared type, NOT NULL, default) as the catalog has it now."""
        return self.backend.column_catalog(self._query, table)

    def _column_type(self, table: str, column: str) -> str | None:
        entry = self._columns(table).get(column)
        return entry[0] if entry else None


def _top_level_parts(text: str) -> list[str]:
    """Split on commas outside parentheses and quotes (`ADD COLUMN a numeric(10, 2), DROP COLUMN b`)."""
    parts, depth, quote, current = [], 0, "", []
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


# A batch-mode rebuild copies the table (SQLite's way to ALTER it): its type changes are judged by SQLite's
# affinity rules, which the copy's declared types follow.
_BATCH_COPY = backend_for("sqlite")


def _batch_name(table: str) -> str:
    # Alembic's temporary table name for a batch rebuild (truncated the way Alembic does).
    return f"{BATCH_PREFIX}{table}"[:50]


def _referenced_columns(source: str, select_list: str, old: dict) -> set[str]:
    """Columns of `source` the batch copy's SELECT reads (qualified `source.col` or bare names)."""
    found: set[str] = set()
    for ref in re.findall(rf"({_IDENT})\s*\.\s*({_IDENT})", select_list):
        if unquote(ref[0]) == source:
            found.add(unquote(ref[1]))
    if not found:  # unqualified select list
        tokens = {unquote(token) for token in re.findall(_IDENT, select_list)}
        found = {column for column in old if column in tokens}
    return found


def _short(statement: str, limit: int = 160) -> str:
    text = " ".join(statement.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
