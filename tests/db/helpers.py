"""Helpers for schema-engine tests: script copies with extra revisions, schema inspection."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import quantum.tables  # noqa: F401
from quantum.schema import MIGRATIONS_DIR, app_schema_target
from quantum.schema_engine import EnsureOptions, SchemaTarget, ensure_schema
from quantum.schema_engine.revisions import alembic_config

FAST = EnsureOptions(connect_retries=1, retry_base_delay=0.01, lock_wait_seconds=30)


def real_head() -> str:
    """The head revision of the project's migrations."""
    return ScriptDirectory.from_config(alembic_config(str(MIGRATIONS_DIR))).get_current_head()


def scripts_with(tmp_path: Path, *revisions: tuple[str, str, str]) -> SchemaTarget:
    """A copy of the project's migrations plus extra revisions (id, down_revision or None for head, body)."""
    target_dir = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, target_dir, ignore=shutil.ignore_patterns("__pycache__"))
    head = real_head()
    for revision, down, body in revisions:
        (target_dir / "versions" / f"{revision}_extra.py").write_text(
            "from alembic import op\nimport sqlalchemy as sa\n\n"
            f"revision = {revision!r}\ndown_revision = {(down or head)!r}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            + textwrap.dedent(body).strip()
            + "\n"
        )
    return SchemaTarget(metadata=SQLModel.metadata, script_location=str(target_dir), namespace="quantum")


def ensure(url: str, target: SchemaTarget | None = None, **options) -> object:
    """Run the engine with fast retries."""
    return ensure_schema(url, target or app_schema_target(), EnsureOptions(**{**FAST.__dict__, **options}))


def table_names(url: str) -> set[str]:
    """The tables in a database."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def columns(url: str, table: str) -> set[str]:
    """The column names of a table."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {c["name"] for c in sa.inspect(connection).get_columns(table)}
    finally:
        engine.dispose()


def scalar(url: str, sql: str, **params) -> object:
    """One value from a query."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(sql), params).scalar()
    finally:
        engine.dispose()


def execute(url: str, *statements: str) -> None:
    """Run statements in one transaction (foreign keys off on SQLite, as an operator's console would)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def sqlite_retype_column(url: str, table: str, old: str, new: str) -> None:
    """Rebuild a SQLite table with one column's declared type text replaced (SQLite has no ALTER TYPE)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            ddl = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (table,)
            ).scalar()
            assert old in ddl, ddl
            indexes = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL", (table,)
            ).scalars().all()
            new_ddl = ddl.replace(old, new).replace(f"CREATE TABLE {table}", f"CREATE TABLE {table}_new", 1)
            connection.exec_driver_sql(new_ddl)
            connection.exec_driver_sql(f"INSERT INTO {table}_new SELECT * FROM {table}")
            connection.exec_driver_sql(f"DROP TABLE {table}")
            connection.exec_driver_sql(f"ALTER TABLE {table}_new RENAME TO {table}")
            for index in indexes:
                connection.exec_driver_sql(index)
    finally:
        engine.dispose()
