"""Compare the live schema with the models and name every difference."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

# Differences the running code does not trip over: extra objects in the database.
WARNING_KINDS = {"extra_table", "extra_index", "extra_unique", "extra_foreign_key", "extra_column", "edited_revision"}


@dataclass(frozen=True)
class DriftItem:
    """One difference between the database and the models."""

    table: str | None
    kind: str
    detail: str
    severity: str = "error"

    def to_dict(self) -> dict:
        """The JSON form used in reports."""
        return asdict(self)


def _item(table: str | None, kind: str, detail: str) -> DriftItem:
    return DriftItem(table, kind, detail, "warning" if kind in WARNING_KINDS else "error")


def compare_schema(
    connection: Connection, metadata: sa.MetaData, *, ignore_tables: Iterable[str] = ()
) -> list[DriftItem]:
    """Every difference between the live schema and `metadata`, models' point of view."""
    ignored = set(ignore_tables)

    def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        if type_ == "table":
            return name not in ignored
        return True

    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "include_name": include_name, "target_metadata": metadata},
    )
    items: list[DriftItem] = []
    for diff in compare_metadata(context, metadata):
        items.extend(_describe(diff))
    items.extend(_compare_enums(connection, metadata, ignored))
    return sorted(items, key=lambda d: (d.severity != "error", d.table or "", d.kind, d.detail))


def _describe(diff: Any) -> list[DriftItem]:
    if isinstance(diff, list):  # modify_* entries come grouped per column
        return [item for entry in diff for item in _describe(entry)]
    kind = diff[0]
    if kind == "add_table":
        return [_item(diff[1].name, "missing_table", f"table {diff[1].name} is missing")]
    if kind == "remove_table":
        return [_item(diff[1].name, "extra_table", f"table {diff[1].name} is not in the models")]
    if kind == "add_column":
        _, _, table, column = diff
        return [_item(table, "missing_column", f"column {table}.{column.name} ({column.type}) is missing")]
    if kind == "remove_column":
        _, _, table, column = diff
        item = _item(table, "extra_column", f"column {table}.{column.name} is not in the models")
        if not column.nullable and column.server_default is None:
            # The models' inserts would leave it empty and fail.
            item = DriftItem(table, "extra_column", item.detail + " and is NOT NULL without a default", "error")
        return [item]
    if kind in ("add_index", "remove_index"):
        index = diff[1]
        missing = kind == "add_index"
        columns = ", ".join(c.name if hasattr(c, "name") else str(c) for c in index.expressions)
        return [
            _item(
                index.table.name,
                "missing_index" if missing else "extra_index",
                f"index {index.name} on {index.table.name}({columns}) "
                + ("is missing" if missing else "is not in the models"),
            )
        ]
    if kind in ("add_constraint", "remove_constraint"):
        constraint = diff[1]
        missing = kind == "add_constraint"
        columns = ", ".join(c.name for c in constraint.columns)
        return [
            _item(
                constraint.table.name,
                "missing_unique" if missing else "extra_unique",
                f"unique constraint {constraint.name} on {constraint.table.name}({columns}) "
                + ("is missing" if missing else "is not in the models"),
            )
        ]
    if kind in ("add_fk", "remove_fk"):
        fk = diff[1]
        missing = kind == "add_fk"
        columns = ", ".join(c.name for c in fk.columns)
        target = fk.elements[0].target_fullname if fk.elements else "?"
        return [
            _item(
                fk.table.name,
                "missing_foreign_key" if missing else "extra_foreign_key",
                f"foreign key {fk.table.name}({columns}) -> {target} " + ("is missing" if missing else "is not in the models"),
            )
        ]
    if kind == "modify_type":
        _, _, table, column, _, live, model = diff
        return [
            _item(
                table,
                "type_mismatch",
                f"column {table}.{column} is {_type_name(live)} in the database, {_type_name(model)} in the models",
            )
        ]
    if kind == "modify_nullable":
        _, _, table, column, _, live, model = diff
        def word(nullable: bool) -> str:
            return "NULL" if nullable else "NOT NULL"
        return [
            _item(
                table,
                "nullability_mismatch",
                f"column {table}.{column} is {word(live)} in the database, {word(model)} in the models",
            )
        ]
    if kind in ("modify_default", "modify_comment", "add_table_comment", "remove_table_comment"):
        return []
    return [_item(None, kind, str(diff))]


def _type_name(column_type: Any) -> str:
    """A type as a person reads it: enums by name and labels (they compile to VARCHAR on SQLite)."""
    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl
    if isinstance(column_type, sa.Enum):
        return f"enum {column_type.name}({', '.join(column_type.enums)})"
    return str(column_type)


def model_enums(metadata: sa.MetaData, ignored: set[str] = frozenset()) -> dict[str, tuple[str, list[str]]]:
    """Enum type name -> (first table using it, its labels), for the models."""
    enums: dict[str, tuple[str, list[str]]] = {}
    for table in metadata.tables.values():
        if table.name in ignored:
            continue
        for column in table.columns:
            column_type = column.type
            if isinstance(column_type, sa.types.TypeDecorator):
                column_type = column_type.impl
            if isinstance(column_type, sa.Enum) and column_type.name:
                enums.setdefault(column_type.name, (table.name, list(column_type.enums)))
    return enums


def _compare_enums(connection: Connection, metadata: sa.MetaData, ignored: set[str]) -> list[DriftItem]:
    enums = model_enums(metadata, ignored)
    if not enums:
        return []
    existing_tables = set(sa.inspect(connection).get_table_names())
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            sa.text(
                "SELECT t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
                "JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = current_schema() ORDER BY t.typname, e.enumsortorder"
            )
        ).all()
        live: dict[str, list[str]] = {}
        for name, label in rows:
            live.setdefault(name, []).append(label)
        items = []
        for name, (table, labels) in sorted(enums.items()):
            if table not in existing_tables:
                continue  # reported as a missing table already
            if name not in live:
                items.append(_item(table, "missing_enum", f"enum type {name} is missing"))
            elif live[name] != labels:
                items.append(
                    _item(table, "enum_mismatch", f"enum type {name} has {live[name]} in the database, {labels} in the models")
                )
        return items
    if connection.dialect.name == "sqlite":
        items = []
        for name in sorted(enums):
            for table_name in _tables_using_enum(metadata, name, ignored):
                if table_name not in existing_tables:
                    continue
                sql = connection.execute(
                    sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": table_name}
                ).scalar() or ""
                if f"ck_{table_name}_{name}" not in sql:
                    items.append(
                        _item(table_name, "missing_enum", f"CHECK constraint ck_{table_name}_{name} for enum {name} is missing")
                    )
        return items
    return []


def _tables_using_enum(metadata: sa.MetaData, enum_name: str, ignored: set[str]) -> list[str]:
    names = []
    for table in metadata.tables.values():
        if table.name in ignored:
            continue
        for column in table.columns:
            column_type = column.type.impl if isinstance(column.type, sa.types.TypeDecorator) else column.type
            if isinstance(column_type, sa.Enum) and column_type.name == enum_name:
                names.append(table.name)
                break
    return names
