"""The no-op fast path of `flask db-ensure`: match the recorded fingerprints, with no SQLAlchemy.

A release whose models and migrations did not change, started against a database that nothing
changed since its last clean validation, has nothing to do. Telling that takes one read-only
transaction and hashing a few dozen files; the full check imports the models, SQLAlchemy and
Alembic first, which costs about a second on a small machine. On any doubt (no record, a
fingerprint differs, a URL option we do not interpret, any error at all) this returns None and
the caller runs the full check, which also reports every failure properly.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quantum.schema_engine.ddl import Backend, backend_for
from quantum.schema_engine.fingerprint import catalog_fingerprint, code_fingerprint, read_record
from quantum.schema_engine.outcomes import Action, ExitCode, Validation
from quantum.schema_engine.url import MalformedURL, parse_database_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuickTarget:
    """Where the code that defines a schema lives, and the engine's bookkeeping tables."""

    root: Path
    migrations_dir: Path
    namespace: str = "quantum"
    version_table: str = "alembic_version"
    ledger_table: str = "schema_ledger"


def quick_noop(url: str, target: QuickTarget, *, connect_timeout: int = 5) -> dict[str, Any] | None:
    """The `--json` report of a no-op run when nothing changed since the last clean validation, else None."""
    started = time.perf_counter()
    try:
        parsed = parse_database_url(url)
    except MalformedURL:
        return None
    if parsed.query:
        return None  # driver options only SQLAlchemy interprets: take the full path
    backend = backend_for(parsed)
    try:
        connection = backend.connect_snapshot(parsed, connect_timeout)
    except Exception as exc:  # noqa: BLE001 - the full path retries and explains connection failures
        log.debug("db-ensure fast path: cannot connect (%s)", exc)
        return None
    if connection is None:  # a memory database, a file not made yet, a driver only SQLAlchemy knows
        return None
    try:
        revision = _matching_revision(connection, backend, target)
    except Exception as exc:  # noqa: BLE001 - any doubt means: validate in full
        log.debug("db-ensure fast path: %s", exc)
        revision = None
    finally:
        connection.close()
    if revision is None:
        return None
    duration_ms = (time.perf_counter() - started) * 1000
    return {
        "action": Action.NOOP,
        "revision_before": revision,
        "revision_after": revision,
        "backend": parsed.backend,
        "drift": [],
        "duration_ms": round(duration_ms, 1),
        "applied": [],
        "backup": None,
        "check": False,
        "exit_code": ExitCode.READY,
        "message": f"already at {revision}; schema valid (unchanged since its last validation) on {parsed.describe()}",
        "validation": Validation.FINGERPRINT,
    }


def _matching_revision(connection: Any, backend: Backend, target: QuickTarget) -> str | None:
    cursor = connection.cursor()

    def execute(sql: str) -> list:
        cursor.execute(sql)
        return cursor.fetchall()

    record = read_record(execute, target.namespace)
    if record is None:
        return None
    files = json.loads(record["files"])
    if code_fingerprint(target.root, files, target.migrations_dir) != record["code"]:
        log.debug("db-ensure fast path: the code changed since the last validation")
        return None
    catalog = catalog_fingerprint(execute, backend, version_table=target.version_table,
                                  ledger_table=target.ledger_table)
    if catalog != record["catalog"]:
        log.debug("db-ensure fast path: the database changed since the last validation")
        return None
    return record["revision"]
