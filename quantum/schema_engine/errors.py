"""Schema lifecycle failures, each with the exit code `flask db-ensure` returns."""

from __future__ import annotations


class SchemaError(Exception):
    """A failure of the schema lifecycle; `exit_code` tells a deploy script what happened."""

    exit_code = 1
    reason = "schema_error"

    def __init__(self, message: str, *, report: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.report = report or {}


class DatabaseUnreachable(SchemaError):
    """No connection after every retry."""

    exit_code = 3
    reason = "database_unreachable"


class DatabaseAhead(SchemaError):
    """The database carries a revision these migration scripts do not know."""

    exit_code = 4
    reason = "database_ahead"


class MultipleHeads(SchemaError):
    """The migration scripts branch: Alembic cannot tell which head is current."""

    exit_code = 5
    reason = "multiple_heads"


class SchemaDrift(SchemaError):
    """The live schema differs from the models in a way only a new migration can fix."""

    exit_code = 6
    reason = "schema_drift"


class MigrationFailed(SchemaError):
    """A migration raised; its transaction was rolled back."""

    exit_code = 7
    reason = "migration_failed"


class DestructiveMigration(SchemaError):
    """A pending revision would destroy data and was not allowed explicitly."""

    exit_code = 8
    reason = "destructive_migration"


class LockTimeout(SchemaError):
    """Another process held the migration lock for longer than the configured wait."""

    exit_code = 9
    reason = "lock_timeout"
