"""The words and numbers a run of the engine reports: what it did, how it validated, why it refused, its exit code.

Each is a StrEnum or IntEnum, whose members are their values: the JSON report and the text output
read exactly as the plain strings and numbers did (`"created"`, `0`), and a misspelt outcome is an
AttributeError instead of a report nobody can match. Standard library only: the fast path
(`quantum.schema_engine.quick`) reports with them before SQLAlchemy is loaded.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Action(StrEnum):
    """What a run did: the report's `action`."""

    CREATED = "created"  # the database was empty: every revision ran
    UPGRADED = "upgraded"  # pending revisions ran
    ADOPTED = "adopted"  # tables without a migration history: completed and stamped
    NOOP = "noop"  # already at head: validated only
    FAILED = "failed"  # refused: the report's `error` says why (the `flask db-ensure` report)


class Validation(StrEnum):
    """How the schema was found valid: the report's `validation`."""

    FULL = "full"  # compared with the models
    FINGERPRINT = "fingerprint"  # nothing changed since the last full validation (quick.py)


class Severity(StrEnum):
    """How much a difference between the database and the models matters."""

    ERROR = "error"  # the code trips over it: a migration must fix it
    WARNING = "warning"  # the code does not notice it (an extra index, an edited revision)


class Reason(StrEnum):
    """Why a run refused: each `SchemaError` subclass's `reason`, the report's `error`."""

    SCHEMA_ERROR = "schema_error"
    DATABASE_UNREACHABLE = "database_unreachable"
    DATABASE_AHEAD = "database_ahead"
    MULTIPLE_HEADS = "multiple_heads"
    SCHEMA_DRIFT = "schema_drift"
    MIGRATION_FAILED = "migration_failed"
    DESTRUCTIVE_MIGRATION = "destructive_migration"
    LOCK_TIMEOUT = "lock_timeout"


class Recorded(StrEnum):
    """How the revision ledger says a revision came to be applied (its `how` column)."""

    UPGRADED = "upgraded"  # its upgrade() ran
    ADOPTED = "adopted"  # stamped when a create_all database was adopted
    BACKFILLED = "backfilled"  # applied before the ledger existed


class ExitCode(IntEnum):
    """The exit codes of a run that returns; a refusal exits with its SchemaError subclass's `exit_code`."""

    READY = 0
    WOULD_CHANGE = 1  # `check=True` only: a real run would change something
