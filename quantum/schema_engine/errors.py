"""Schema lifecycle failures, each with the exit code `flask db-ensure` returns and the reason it reports.

The numbers live here and nowhere else: code reads `exc.exit_code` (or `SchemaDrift.exit_code`), and
tests/db/test_exit_codes.py checks the tables in README.md and docs/schema-engine.md against these classes.
"""

from __future__ import annotations

from quantum.schema_engine.outcomes import Reason


class SchemaError(Exception):
    """A failure of the schema lifecycle; `exit_code` tells a deploy script what happened."""

    exit_code = 1
    reason = Reason.SCHEMA_ERROR

    def __init__(self, message: str, *, report: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.report = report or {}


class DatabaseUnreachable(SchemaError):
    """No connection after every retry."""

    exit_code = 3
    reason = Reason.DATABASE_UNREACHABLE


class DatabaseAhead(SchemaError):
    """The database carries a revision these migration scripts do not know."""

    exit_code = 4
    reason = Reason.DATABASE_AHEAD


class MultipleHeads(SchemaError):
    """The migration scripts branch: Alembic cannot tell which head is current."""

    exit_code = 5
    reason = Reason.MULTIPLE_HEADS


class SchemaDrift(SchemaError):
    """The live schema differs from the models in a way only a new migration can fix."""

    exit_code = 6
    reason = Reason.SCHEMA_DRIFT


class MigrationFailed(SchemaError):
    """A migration raised; its transaction was rolled back."""

    exit_code = 7
    reason = Reason.MIGRATION_FAILED


class DestructiveMigration(SchemaError):
    """A pending revision would destroy data and was not allowed explicitly."""

    exit_code = 8
    reason = Reason.DESTRUCTIVE_MIGRATION


class LockTimeout(SchemaError):
    """Another process held the migration lock for longer than the configured wait."""

    exit_code = 9
    reason = Reason.LOCK_TIMEOUT

