"""Running a test schema's script directory outside the engine: to a given revision, or changed by hand."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from quantum.schema_engine import EnsureOptions
from quantum.schema_engine.connect import create_migration_engine
from quantum.schema_engine.errors import SchemaError
from quantum.schema_engine.revisions import alembic_config

OPTIONS = EnsureOptions(connect_retries=1, retry_base_delay=0.05, lock_wait_seconds=30)
BOOKKEEPING = {"alembic_version", "schema_ledger"}


def upgrade_to(url: str, script_dir: Path, metadata: sa.MetaData, revision: str) -> None:
    """`alembic upgrade <revision>` wired as the engine wires it (an older release's deploy).

    Alembic opens the transaction itself, so a revision's `autocommit_block()` works as documented.
    """
    engine = create_migration_engine(url)
    try:
        with engine.connect() as connection:
            config = alembic_config(str(script_dir))
            config.attributes.update(
                connection=connection, target_metadata=metadata, version_table="alembic_version",
                ignore_tables=BOOKKEEPING,
            )
            command.upgrade(config, revision)
            if connection.in_transaction():
                connection.commit()
    finally:
        engine.dispose()


def on_connection(url: str, fn: Callable[[Connection], object], *, write: bool = False) -> object:
    """Run `fn` on a fresh migration connection to `url` (in one committed transaction when `write`)."""
    engine = create_migration_engine(url)
    try:
        with engine.connect() as connection:
            if not write:
                return fn(connection)
            with connection.begin():
                return fn(connection)
    finally:
        engine.dispose()


def change_by_hand(url: str, change: Callable[[Operations, Connection], None]) -> None:
    """Change the live schema behind the migrations' back, in one transaction."""
    on_connection(url, lambda c: change(Operations(MigrationContext.configure(c)), c), write=True)


def rebuild_sqlite_table(connection: Connection, table: str, edit: Callable[[str], str]) -> None:
    """Recreate a SQLite table from its own CREATE TABLE text after `edit` (SQLite's documented 12-step way)."""
    sql = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
    indexes = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
    ).scalars().all()
    edited = edit(sql)
    assert edited != sql, f"the edit changed nothing in: {sql}"
    temporary = f"{table}__rebuilt"
    renamed = re.sub(rf'^CREATE TABLE\s+["`]?{table}["`]?\s*\(', f"CREATE TABLE {temporary} (", edited, count=1)
    assert renamed != edited, edited
    connection.exec_driver_sql(renamed)
    connection.exec_driver_sql(f"INSERT INTO {temporary} SELECT * FROM {table}")
    connection.exec_driver_sql(f"DROP TABLE {table}")
    connection.exec_driver_sql(f"ALTER TABLE {temporary} RENAME TO {table}")
    for index in indexes:
        connection.exec_driver_sql(index)


def add_table_constraint(sql: str, constraint: str) -> str:
    """A CREATE TABLE text with one more table constraint before its closing parenthesis."""
    end = sql.rstrip().rfind(")")
    return sql[:end].rstrip() + f",\n\t{constraint}\n)"


def error_kinds(error_or_result: object) -> set[tuple[str | None, str]]:
    """(table, kind) of every error-severity drift item of a SchemaError or an EnsureResult."""
    if isinstance(error_or_result, SchemaError):
        return {(d["table"], d["kind"]) for d in error_or_result.report.get("drift", []) if d["severity"] == "error"}
    return {(d.table, d.kind) for d in error_or_result.drift if d.severity == "error"}
