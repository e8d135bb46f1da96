"""Read a live schema back as plain data: dumps to compare, leftovers to find, models to check against."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def enum_types(connection: Connection) -> dict[str, list[str]]:
    """PostgreSQL enum types in the current schema with their labels in order ({} elsewhere)."""
    if connection.dialect.name != "postgresql":
        return {}
    rows = connection.execute(
        sa.text(
            "SELECT t.typname, e.enumlabel FROM pg_type t "
            "JOIN pg_namespace n ON n.oid = t.typnamespace "
            "LEFT JOIN pg_enum e ON e.enumtypid = t.oid "
            "WHERE n.nspname = current_schema() AND t.typtype = 'e' ORDER BY t.typname, e.enumsortorder"
        )
    ).all()
    types: dict[str, list[str]] = {}
    for name, label in rows:
        types.setdefault(name, []).append(label)
    return types


def _normalize_sql(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _column(column: dict[str, Any], dialect: sa.Dialect) -> tuple:
    try:
        type_name = column["type"].compile(dialect=dialect)
    except sa.exc.CompileError:
        type_name = repr(column["type"])
    return (column["name"], type_name, bool(column["nullable"]), _normalize_sql(str(column.get("default") or "")))


def table_dump(connection: Connection, table: str) -> dict[str, Any]:
    """One table as comparable data: columns, primary key, foreign keys, uniques, indexes, checks."""
    inspector = sa.inspect(connection)
    dialect = connection.dialect
    pk = inspector.get_pk_constraint(table)
    return {
        "columns": [_column(c, dialect) for c in inspector.get_columns(table)],
        "primary_key": (pk.get("name"), tuple(pk.get("constrained_columns") or ())),
        "foreign_keys": sorted(
            (
                fk.get("name") or "",
                tuple(fk["constrained_columns"]),
                fk["referred_table"],
                tuple(fk["referred_columns"]),
                ((fk.get("options") or {}).get("ondelete") or "NO ACTION").upper(),
            )
            for fk in inspector.get_foreign_keys(table)
        ),
        "unique": sorted(
            (u.get("name") or "", tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)
        ),
        "indexes": sorted(
            (i.get("name") or "", tuple(str(c) for c in i["column_names"]), bool(i["unique"]))
            for i in inspector.get_indexes(table)
            if not i.get("duplicates_constraint")
        ),
        "checks": sorted(
            (c.get("name") or "", _normalize_sql(c.get("sqltext"))) for c in inspector.get_check_constraints(table)
        ),
    }


def schema_dump(connection: Connection, *, exclude: set[str] = frozenset()) -> dict[str, Any]:
    """The whole live schema as comparable data: every table (minus `exclude`) and every enum type."""
    inspector = sa.inspect(connection)
    tables = {name: table_dump(connection, name) for name in sorted(inspector.get_table_names()) if name not in exclude}
    dump = {"tables": tables, "enums": enum_types(connection)}
    if connection.in_transaction():
        connection.rollback()
    return dump


def dump_differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Human-readable differences between two schema dumps, naming each table, object and enum."""
    lines: list[str] = []
    for name in sorted(set(after["tables"]) - set(before["tables"])):
        lines.append(f"table {name} exists now but did not before")
    for name in sorted(set(before["tables"]) - set(after["tables"])):
        lines.append(f"table {name} existed before but is gone")
    for name in sorted(set(before["tables"]) & set(after["tables"])):
        for part, old in before["tables"][name].items():
            new = after["tables"][name][part]
            if old != new:
                lines.append(f"table {name}: {part} were {old}, are {new}")
    for enum in sorted(set(after["enums"]) - set(before["enums"])):
        lines.append(f"enum type {enum} {after['enums'][enum]} exists now but did not before")
    for enum in sorted(set(before["enums"]) - set(after["enums"])):
        lines.append(f"enum type {enum} existed before but is gone")
    for enum in sorted(set(before["enums"]) & set(after["enums"])):
        if before["enums"][enum] != after["enums"][enum]:
            lines.append(f"enum type {enum} had {before['enums'][enum]}, has {after['enums'][enum]}")
    return lines


def leftover_objects(connection: Connection, keep: set[str]) -> list[str]:
    """Every schema object not belonging to the tables in `keep`: tables, indexes, sequences, views, types."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(
            sa.text("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
        ).all()
        found = [f"{kind} {name}" for kind, name, owner in rows if owner not in keep]
    elif connection.dialect.name == "postgresql":
        kinds = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "S": "sequence",
                 "f": "foreign table", "c": "type", "i": "index"}
        rows = connection.execute(
            sa.text(
                "SELECT c.relname, c.relkind, COALESCE(t.relname, c.relname) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r','p','v','m','S','f','c','i') "
                "ORDER BY c.relkind, c.relname"
            )
        ).all()
        found = [f"{kinds[kind]} {name}" for name, kind, owner in rows if owner not in keep]
        types = connection.execute(
            sa.text(
                "SELECT t.typname, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                "WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd') ORDER BY t.typname"
            )
        ).all()
        found += [f"{'enum' if kind == 'e' else 'domain'} type {name}" for name, kind in types]
    else:  # pragma: no cover - only the two backends under test
        raise NotImplementedError(connection.dialect.name)
    if connection.in_transaction():
        connection.rollback()
    return found


def model_enums(metadata: sa.MetaData) -> dict[str, tuple[list[str], list[str]]]:
    """Enum name -> (labels, tables using it), from the models."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    for table in metadata.sorted_tables:
        for column in table.columns:
            column_type = column.type.impl if isinstance(column.type, sa.types.TypeDecorator) else column.type
            if isinstance(column_type, sa.Enum) and column_type.name:
                labels, tables = found.setdefault(column_type.name, (list(column_type.enums), []))
                if table.name not in tables:
                    tables.append(table.name)
    return found


def missing_from_database(connection: Connection, metadata: sa.MetaData) -> list[str]:
    """What the models declare that the live schema lacks, each named; [] when everything is there."""
    dump = schema_dump(connection)
    missing: list[str] = []
    for table in metadata.sorted_tables:
        live = dump["tables"].get(table.name)
        if live is None:
            missing.append(f"table {table.name}")
            continue
        columns = {c[0]: c for c in live["columns"]}
        for column in table.columns:
            if column.name not in columns:
                missing.append(f"column {table.name}.{column.name}")
            elif columns[column.name][2] != column.nullable:
                missing.append(f"nullability of {table.name}.{column.name} (models say nullable={column.nullable})")
        if live["primary_key"][1] != tuple(c.name for c in table.primary_key.columns):
            missing.append(f"primary key of {table.name} {[c.name for c in table.primary_key.columns]}")
        live_fks = {(fk[0], fk[1], fk[2], fk[3], fk[4]) for fk in live["foreign_keys"]}
        for fk in table.foreign_key_constraints:
            wanted = (
                fk.name,
                tuple(c.name for c in fk.columns),
                fk.referred_table.name,
                tuple(e.column.name for e in fk.elements),
                (fk.ondelete or "NO ACTION").upper(),
            )
            if wanted not in live_fks:
                missing.append(f"foreign key {fk.name} {wanted[1]} -> {wanted[2]}{wanted[3]} on delete {wanted[4]}")
        live_uniques = set(live["unique"])
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint):
                wanted_unique = (constraint.name, tuple(c.name for c in constraint.columns))
                if wanted_unique not in live_uniques:
                    missing.append(f"unique constraint {constraint.name} {wanted_unique[1]}")
        live_indexes = set(live["indexes"])
        for index in table.indexes:
            wanted_index = (index.name, tuple(c.name for c in index.columns), bool(index.unique))
            if wanted_index not in live_indexes:
                missing.append(f"index {index.name} {wanted_index[1]}")
    for name, (labels, tables) in model_enums(metadata).items():
        if connection.dialect.name == "postgresql":
            if dump["enums"].get(name) != labels:
                missing.append(f"enum type {name} {labels} (database has {dump['enums'].get(name)})")
            continue
        for table_name in tables:
            checks = dict(dump["tables"].get(table_name, {}).get("checks", []))
            check = checks.get(f"ck_{table_name}_{name}")
            if check is None or not all(f"'{label}'" in check for label in labels):
                missing.append(f"CHECK constraint ck_{table_name}_{name} for enum {name} {labels} (found {check!r})")
    return missing
