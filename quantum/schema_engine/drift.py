"""Compare the live schema with the models and name every difference."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from quantum.schema_engine.ddl import Backend, backend_for
from quantum.schema_engine.ddl.base import check_labels, enum_impl
from quantum.schema_engine.outcomes import Severity

# Differences the running code does not trip over: extra objects in the database.
WARNING_KINDS = {"extra_table", "extra_index", "extra_unique", "extra_foreign_key", "extra_column", "edited_revision"}


@dataclass(frozen=True)
class DriftItem:
    """One difference between the database and the models."""

    table: str | None
    kind: str
    detail: str
    severity: Severity = Severity.ERROR

    def to_dict(self) -> dict:
        """The JSON form used in reports."""
        return asdict(self)


def _item(table: str | None, kind: str, detail: str) -> DriftItem:
    return DriftItem(table, kind, detail, Severity.WARNING if kind in WARNING_KINDS else Severity.ERROR)


def compare_schema(
    connection: Connection, metadata: sa.MetaData, *, ignore_tables: Iterable[str] = ()
) -> list[DriftItem]:
    """Every difference between the live schema and `metadata`, models' point of view."""
    ignored = set(ignore_tables)
    rules = backend_for(connection.dialect)

    def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        if type_ == "table":
            return name not in ignored
        return True

    def compare_type(context: Any, live_column: Any, model_column: Any, live_type: Any, model_type: Any) -> bool | None:
        return rules.types_differ(live_type, model_type)

    context = MigrationContext.configure(
        connection,
        opts={"compare_type": compare_type, "include_name": include_name, "target_metadata": metadata},
    )
    diffs = _pair_changes(list(_flatten(compare_metadata(context, metadata))))
    items: list[DriftItem] = [item for diff in diffs for item in _describe(diff)]
    live = _LiveSchema(connection, ignored)
    items.extend(_compare_enums(connection, metadata, live, rules))
    items.extend(_compare_primary_keys(metadata, live))
    items.extend(_compare_server_defaults(metadata, live, rules))
    return sorted(items, key=lambda d: (d.severity != Severity.ERROR, d.table or "", d.kind, d.detail))


class _LiveSchema:
    """The live tables the models describe, read once per comparison (inspector results are cached)."""

    def __init__(self, connection: Connection, ignored: set[str]) -> None:
        self.inspector = sa.inspect(connection)
        self.tables = set(self.inspector.get_table_names()) - ignored
        self._multi: dict[str, dict[str, Any]] = {}

    def _get(self, kind: str, table: str) -> Any:
        # One catalog query per kind for every table (PostgreSQL), instead of one per table.
        if kind not in self._multi:
            found = getattr(self.inspector, f"get_multi_{kind}")()
            self._multi[kind] = {name: value for (_, name), value in found.items()}
        return self._multi[kind].get(table)

    def columns(self, table: str) -> list[dict[str, Any]]:
        """The reflected columns of a table."""
        return self._get("columns", table) or []

    def primary_key(self, table: str) -> list[str]:
        """The columns of a table's primary key ([] when it has none)."""
        return list((self._get("pk_constraint", table) or {}).get("constrained_columns") or [])

    def checks(self, table: str) -> list[dict[str, Any]]:
        """The CHECK constraints of a table, named or not."""
        return self._get("check_constraints", table) or []

    def model_tables(self, metadata: sa.MetaData) -> list[sa.Table]:
        """The models' tables that exist in the database (missing ones are reported already)."""
        return [table for table in metadata.sorted_tables if table.name in self.tables]


def _flatten(diffs: Iterable[Any]) -> Iterator[Any]:
    for diff in diffs:
        if isinstance(diff, list):  # modify_* entries come grouped per column
            yield from diff
        else:
            yield diff


def _pair_changes(diffs: list[Any]) -> list[Any]:
    """Turn Alembic's "remove X" + "add X" for one object into one ("change_*", live, model) entry."""
    keys = {
        "index": lambda index: (index.table.name, index.name),
        "constraint": lambda constraint: (constraint.table.name, constraint.name),
        "fk": lambda fk: (fk.table.name, tuple(c.name for c in fk.columns), _fk_target(fk)),
    }
    paired: list[Any] = []
    removed: dict[tuple, int] = {}
    for diff in diffs:
        kind = diff[0] if isinstance(diff, tuple) else None
        family = kind.split("_", 1)[1] if kind and kind.startswith(("add_", "remove_")) else None
        if family in keys and kind.startswith("remove_"):
            removed[(family, keys[family](diff[1]))] = len(paired)
        paired.append(diff)
    for position, diff in enumerate(list(paired)):
        kind = diff[0] if isinstance(diff, tuple) else None
        if not (kind and kind.startswith("add_") and kind[4:] in keys):
            continue
        family = kind[4:]
        key = (family, keys[family](diff[1]))
        if key[1][1] is None or key not in removed:
            continue  # unnamed indexes and constraints cannot be matched up
        live_position = removed.pop(key)
        paired[live_position] = ("change_" + family, paired[live_position][1], diff[1])
        paired[position] = None
    return [diff for diff in paired if diff is not None]


def _fk_target(fk: sa.ForeignKeyConstraint) -> str:
    return fk.elements[0].target_fullname if fk.elements else "?"


def _describe(diff: Any) -> list[DriftItem]:
    kind = diff[0]
    if kind.startswith("change_"):
        return [_describe_change(kind, diff[1], diff[2])]
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
            item = DriftItem(table, "extra_column", item.detail + " and is NOT NULL without a default", Severity.ERROR)
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


def _describe_change(kind: str, live: Any, model: Any) -> DriftItem:
    """One "changed" item for an object both sides have under the same name (or the same columns)."""
    table = model.table.name
    if kind == "change_index":
        what = f"index {model.name} on {table}"
        differences = []
        if bool(live.unique) != bool(model.unique):
            differences.append(f"is {_unique_word(live.unique)} in the database, {_unique_word(model.unique)} in the models")
        live_columns, model_columns = _index_columns(live), _index_columns(model)
        if live_columns != model_columns:
            differences.append(f"covers ({live_columns}) in the database, ({model_columns}) in the models")
        return _item(table, "index_changed", f"{what} " + " and ".join(differences or ["differs"]))
    if kind == "change_constraint":
        live_columns = ", ".join(c.name for c in live.columns)
        model_columns = ", ".join(c.name for c in model.columns)
        return _item(
            table,
            "unique_changed",
            f"unique constraint {model.name} on {table} covers ({live_columns}) in the database, "
            f"({model_columns}) in the models",
        )
    columns = ", ".join(c.name for c in model.columns)
    differences = [
        f"ON {action.upper()} {_fk_action(live, action)} in the database, {_fk_action(model, action)} in the models"
        for action in ("delete", "update")
        if _fk_action(live, action) != _fk_action(model, action)
    ]
    return _item(
        table,
        "foreign_key_changed",
        f"foreign key {table}({columns}) -> {_fk_target(model)} is " + (" and ".join(differences) or "different"),
    )


def _unique_word(unique: Any) -> str:
    return "unique" if unique else "not unique"


def _index_columns(index: sa.Index) -> str:
    return ", ".join(c.name if hasattr(c, "name") else str(c) for c in index.expressions)


def _fk_action(fk: sa.ForeignKeyConstraint, action: str) -> str:
    return (getattr(fk, "on" + action) or "NO ACTION").upper()


def _type_name(column_type: Any) -> str:
    """A type as a person reads it: enums by name and labels (they compile to VARCHAR on SQLite)."""
    enum = enum_impl(column_type)
    if enum is not None:
        return f"enum {enum.name}({', '.join(enum.enums)})"
    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl
    return str(column_type)


def model_enums(metadata: sa.MetaData, ignored: set[str] = frozenset()) -> dict[str, tuple[str, list[str]]]:
    """Enum type name -> (first table using it, its labels), for the models."""
    enums: dict[str, tuple[str, list[str]]] = {}
    for table in metadata.tables.values():
        if table.name in ignored:
            continue
        for column in table.columns:
            enum = enum_impl(column.type)
            if enum is not None and enum.name:
                enums.setdefault(enum.name, (table.name, list(enum.enums)))
    return enums


def _compare_enums(
    connection: Connection, metadata: sa.MetaData, live: _LiveSchema, rules: Backend
) -> list[DriftItem]:
    """Native enum types by their labels; enums stored as strings by the CHECK the database holds."""
    items: list[DriftItem] = []
    native: dict[str, tuple[str, list[str]]] = {}
    for table in live.model_tables(metadata):
        for column in table.columns:
            enum = enum_impl(column.type)
            if enum is None:
                continue
            if rules.stores_enum_natively(enum) and enum.name:
                native.setdefault(enum.name, (table.name, list(enum.enums)))
            else:
                items.extend(_compare_enum_check(live, table.name, column.name, enum))
    if native:
        items.extend(_compare_native_enums(connection, native))
    return items


def _compare_enum_check(live: _LiveSchema, table: str, column: str, enum: sa.Enum) -> list[DriftItem]:
    """The CHECKs on a string-stored enum column, named or not, must allow exactly the model's labels.

    A model with `create_constraint=False` (SQLAlchemy 2's default) asks for no CHECK: none is
    fine, but one that refuses a model label is drift (the app's inserts would fail).
    """
    labels = list(enum.enums)
    found = [
        (check.get("name"), allowed)
        for check in live.checks(table)
        if (allowed := check_labels(check.get("sqltext") or "", column)) is not None
    ]
    name = enum.name or column
    if not found:
        if enum.create_constraint:
            return [_item(table, "missing_enum", f"CHECK constraint for enum {name} on {table}.{column} is missing")]
        return []
    allowed = set.intersection(*(labels for _, labels in found))
    missing = [label for label in labels if label not in allowed]
    extra = sorted(allowed - set(labels)) if enum.create_constraint else []
    if not missing and not extra:
        return []
    names = ", ".join(check_name or "(unnamed)" for check_name, _ in found)
    parts = ([f"lacks {missing}"] if missing else []) + ([f"also allows {extra}"] if extra else [])
    return [
        _item(
            table,
            "enum_mismatch",
            f"CHECK constraint {names} on {table}.{column} " + " and ".join(parts)
            + f": the models' enum {name} has {labels}",
        )
    ]


def _compare_native_enums(connection: Connection, enums: dict[str, tuple[str, list[str]]]) -> list[DriftItem]:
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
        if name not in live:
            items.append(_item(table, "missing_enum", f"enum type {name} is missing"))
        elif live[name] != labels:
            items.append(
                _item(table, "enum_mismatch", f"enum type {name} has {live[name]} in the database, {labels} in the models")
            )
    return items


def _compare_primary_keys(metadata: sa.MetaData, live: _LiveSchema) -> list[DriftItem]:
    """The primary key's columns (names differ by backend and convention, so they are not compared)."""
    items = []
    for table in live.model_tables(metadata):
        wanted = [c.name for c in table.primary_key.columns]
        if not wanted:
            continue
        found = live.primary_key(table.name)
        if not found:
            detail = f"primary key of {table.name} ({', '.join(wanted)}) is missing"
            items.append(_item(table.name, "missing_primary_key", detail))
        elif found != wanted:
            items.append(
                _item(
                    table.name,
                    "primary_key_changed",
                    f"primary key of {table.name} is ({', '.join(found)}) in the database, ({', '.join(wanted)}) in the models",
                )
            )
    return items


def _compare_server_defaults(metadata: sa.MetaData, live: _LiveSchema, rules: Backend) -> list[DriftItem]:
    """The server defaults the models declare, normalized per backend; a missing one on NOT NULL is an error."""
    items = []
    for table in live.model_tables(metadata):
        live_columns = {c["name"]: c for c in live.columns(table.name)}
        for column in table.columns:
            wanted = rules.model_default(column) if column.server_default is not None else None
            if wanted is None or column.name not in live_columns:
                continue
            found = live_columns[column.name].get("default")
            where = f"{table.name}.{column.name}"
            if found is None:
                item = _item(table.name, "missing_server_default", f"server default {wanted} of {where} is missing")
                if live_columns[column.name].get("nullable", True):
                    item = dataclasses.replace(item, detail=item.detail + " (the column takes NULL)", severity=Severity.WARNING)
                else:
                    item = dataclasses.replace(item, detail=item.detail + " and the column is NOT NULL")
                items.append(item)
            elif rules.normalize_default(found) != rules.normalize_default(wanted):
                items.append(
                    _item(
                        table.name,
                        "server_default_changed",
                        f"server default of {where} is {found} in the database, {wanted} in the models",
                    )
                )
    return items
