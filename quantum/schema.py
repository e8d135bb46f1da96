"""The application's schema target and the ensure call that the CLI and the guard share."""

from __future__ import annotations

import logging

from sqlmodel import SQLModel

import quantum.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from quantum.config import Settings
from quantum.paths import MIGRATIONS_DIR, PROJECT_ROOT
from quantum.schema_engine import EnsureOptions, EnsureResult, SchemaTarget, ensure_schema

__all__ = ["MIGRATIONS_DIR", "app_schema_target", "ensure_app_schema"]
log = logging.getLogger("quantum.schema")


def app_schema_target() -> SchemaTarget:
    """Quantum's models and migrations."""
    return SchemaTarget(
        metadata=SQLModel.metadata, script_location=str(MIGRATIONS_DIR), namespace="quantum",
        code_root=str(PROJECT_ROOT),
    )


def ensure_app_schema(settings: Settings, **overrides: object) -> EnsureResult:
    """Run the schema lifecycle for the configured database (the migration URL when set)."""
    database = settings.database
    options = EnsureOptions(
        lock_wait_seconds=database.lock_wait_seconds,
        connect_retries=database.connect_retries,
        retry_base_delay=database.retry_base_delay,
        backup_dir=database.backup_dir,
        lock_timeout_ms=database.migration_lock_timeout_ms,
        statement_timeout_ms=database.migration_statement_timeout_ms,
    )
    options = EnsureOptions(**{**options.__dict__, **overrides})
    result = ensure_schema(database.url_for_migrations, app_schema_target(), options)
    log.info("db-ensure: %s in %.0f ms", result.message, result.duration_ms)
    return result
