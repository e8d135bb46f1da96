"""Connecting for the engine: URL descriptions, per-connection settings, and a dedicated engine for migrating."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from quantum.schema_engine.ddl import backend_for
from quantum.schema_engine.url import parse_database_url


def describe_url(url: str | sa.URL) -> str:
    """A short, password-free name for a database: host:port/db or the SQLite path."""
    return parse_database_url(_as_text(url)).describe()


def sqlite_path(url: str | sa.URL) -> Path | None:
    """The file behind a SQLite URL, or None for memory databases and other backends."""
    return parse_database_url(_as_text(url)).sqlite_file()


def _as_text(url: str | sa.URL) -> str:
    return url if isinstance(url, str) else url.render_as_string(hide_password=False)


def install_sqlite_pragmas(engine: Engine, *, foreign_keys: bool = True) -> None:
    """The backend's per-connection settings on every new connection: on SQLite WAL, a busy timeout, foreign keys."""
    backend_for(engine).install_pragmas(engine, foreign_keys=foreign_keys)


def create_migration_engine(url: str | sa.URL) -> Engine:
    """An unpooled engine for migrating, with transactional DDL on SQLite too (see the backend's method)."""
    parsed = make_url(url)
    return backend_for(parsed).create_migration_engine(parsed)
