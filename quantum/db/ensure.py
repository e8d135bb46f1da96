"""Bring any database to the models' schema: create, upgrade, adopt, or refuse with a reason."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from quantum.db import ledger
from quantum.db.backup import backup_sqlite, restore_sqlite, schema_fingerprint
from quantum.db.drift import DriftItem, compare_schema
from quantum.db.engine import create_migration_engine, describe_url, sqlite_path
from quantum.db.errors import (
    DatabaseAhead,
    DestructiveMigration,
    MigrationFailed,
    SchemaDrift,
    SchemaError,
)
from quantum.db.fingerprint import (
    FINGERPRINT_TABLE,
    catalog_fingerprint,
    code_fingerprint,
    create_table_sql,
    project_files,
)
from quantum.db.locking import schema_lock
from quantum.db.retry import connect_with_retry, first_line
from quantum.db.revisions import (
    LintFinding,
    alembic_config,
    lint_revision,
    pending_revisions,
    revisions_up_to,
    single_head,
    touched_tables,
)

log = logging.getLogger(__name__)

# Drift that adopting a legacy database may repair by itself: purely additive.
ADOPTABLE_KINDS = {"missing_table", "missing_index", "missing_column", "missing_enum"}


@dataclass(frozen=True)
class SchemaTarget:
    """What to bring a database to: a metadata and the Alembic scripts that build it."""

    metadata: sa.MetaData
    script_location: str
    namespace: str = "quantum"
    version_table: str = "alembic_version"
    ledger_table: str = "schema_ledger"
    # The folder of the code that defines `metadata`. When set, a clean validation records
    # fingerprints of that code and of the database, for `quantum.db.quick` to check later.
    code_root: str | None = None

    @property
    def bookkeeping_tables(self) -> set[str]:
        """Tables the engine owns, which the models do not describe."""
        return {self.version_table, self.ledger_table, FINGERPRINT_TABLE}


@dataclass(frozen=True)
class EnsureOptions:
    """How `ensure_schema` behaves: checks, permissions, waits and retries."""

    check: bool = False
    allow_destructive: bool = False
    lock_wait_seconds: float = 300.0
    connect_retries: int = 5
    retry_base_delay: float = 0.5
    backup_dir: str | None = None
    lock_timeout_ms: int = 5000
    statement_timeout_ms: int = 600000
    record_fingerprints: bool = True  # see SchemaTarget.code_root; the web workers' guard passes False


@dataclass
class EnsureResult:
    """What ensure found and did; `to_dict()` is the `--json` report."""

    action: str
    revision_before: str | None
    revision_after: str | None
    backend: str
    drift: list[DriftItem] = field(default_factory=list)
    duration_ms: float = 0.0
    applied: list[str] = field(default_factory=list)
    backup: str | None = None
    check: bool = False
    exit_code: int = 0
    message: str = ""
    validation: str = "full"

    def to_dict(self) -> dict:
        """The JSON report: action, revisions, backend, drift, duration and extras."""
        return {
            "action": self.action,
            "revision_before": self.revision_before,
            "revision_after": self.revision_after,
            "backend": self.backend,
            "drift": [item.to_dict() for item in self.drift],
            "duration_ms": round(self.duration_ms, 1),
            "applied": self.applied,
            "backup": self.backup,
            "check": self.check,
            "exit_code": self.exit_code,
            "message": self.message,
            "validation": self.validation,
        }


def ensure_schema(url: str, target: SchemaTarget, options: EnsureOptions | None = None) -> EnsureResult:
    """Connect, lock, bring the database to head, validate it, and report; SchemaError on refusal."""
    options = options or EnsureOptions()
    started = time.perf_counter()
    script = ScriptDirectory.from_config(alembic_config(target.script_location))
    head = single_head(script)
    engine = create_migration_engine(url)
    try:
        connection = connect_with_retry(
            engine, retries=options.connect_retries, base_delay=options.retry_base_delay
        )
        try:
            with schema_lock(connection, namespace=target.namespace, wait_seconds=options.lock_wait_seconds):
                result = _ensure_locked(connection, url, target, options, script, head)
                if options.record_fingerprints and result.exit_code == 0 and not result.check and not result.drift:
                    _record_fingerprints(connection, target, result)
        finally:
            connection.close()
    except SchemaError as exc:
        exc.report.setdefault("duration_ms", round((time.perf_counter() - started) * 1000, 1))
        raise
    finally:
        engine.dispose()
    result.duration_ms = (time.perf_counter() - started) * 1000
    return result


def read_revision(connection: Connection, version_table: str) -> str | None:
    """The database's current Alembic revision (None when unstamped)."""
    context = MigrationContext.configure(connection, opts={"version_table": version_table})
    heads = context.get_current_heads()
    if connection.in_transaction():
        connection.rollback()
    return heads[0] if heads else None


def _ensure_locked(
    connection: Connection,
    url: str,
    target: SchemaTarget,
    options: EnsureOptions,
    script: ScriptDirectory,
    head: str | None,
) -> EnsureResult:
    backend = connection.dialect.name
    current = read_revision(connection, target.version_table)
    tables = set(sa.inspect(connection).get_table_names()) - target.bookkeeping_tables
    connection.rollback()
    result = EnsureResult("noop", current, current, backend, check=options.check)

    if current is not None and current not in {s.revision for s in script.walk_revisions()}:
        raise DatabaseAhead(
            f"{describe_url(url)} is at revision {current}, which these migrations do not know "
            f"(head is {head}): the database is ahead of the code; deploy the newer release or "
            "downgrade the database with it",
            report={"revision_before": current, "backend": backend},
        )

    if current is None and not tables:
        state = "created"
    elif current is None:
        state = "adopted"
    elif current != head:
        state = "upgraded"
    else:
        state = "noop"

    if options.check:
        return _check(connection, target, script, head, state, result)
    if state == "created":
        _upgrade(connection, url, target, options, script, current, head, result, lint=False)
    elif state == "upgraded":
        _upgrade(connection, url, target, options, script, current, head, result, lint=True)
    elif state == "adopted":
        _adopt(connection, target, script, head, result)
    else:
        _validate_at_head(connection, target, script, head, result)
    result.action = state
    result.revision_after = head if state != "noop" else current
    result.message = _summary(result, url)
    return result


def _check(
    connection: Connection,
    target: SchemaTarget,
    script: ScriptDirectory,
    head: str | None,
    state: str,
    result: EnsureResult,
) -> EnsureResult:
    result.action = state
    if state == "noop":
        result.drift = compare_schema(connection, target.metadata, ignore_tables=target.bookkeeping_tables)
        result.drift += _ledger_findings(connection, target, script, result.revision_before)
        connection.rollback()
        errors = [d for d in result.drift if d.severity == "error"]
        result.exit_code = 6 if errors else 0
        result.message = (
            f"check: schema drift ({len(errors)} differences)" if errors else "check: the schema is up to date"
        )
        return result
    if state == "adopted":
        result.drift = compare_schema(connection, target.metadata, ignore_tables=target.bookkeeping_tables)
        connection.rollback()
    pending = pending_revisions(script, result.revision_before, head) if state == "upgraded" else []
    result.applied = [rev.revision for rev in pending]
    result.revision_after = head
    result.exit_code = 1
    verb = {"created": "would create the schema", "upgraded": "would upgrade", "adopted": "would adopt"}[state]
    result.message = f"check: {verb} ({result.revision_before or 'empty'} -> {head})"
    return result


def _ledger_findings(
    connection: Connection, target: SchemaTarget, script: ScriptDirectory, revision: str | None
) -> list[DriftItem]:
    if target.ledger_table not in sa.inspect(connection).get_table_names():
        return []
    return ledger.verify(connection, ledger.ledger_table(target.ledger_table), revisions_up_to(script, revision))


def _lint(connection: Connection, pending: list, options: EnsureOptions) -> list[LintFinding]:
    findings = [finding for rev in pending for finding in lint_revision(rev)]
    existing = set(sa.inspect(connection).get_table_names())
    relevant = []
    for finding in findings:
        if finding.needs_rows:
            if finding.table not in existing:
                continue
            quoted = connection.dialect.identifier_preparer.quote(finding.table)
            if connection.execute(sa.text(f"SELECT 1 FROM {quoted} LIMIT 1")).first() is None:
                continue
        relevant.append(finding)
    connection.rollback()
    if relevant and not options.allow_destructive:
        raise DestructiveMigration(
            "pending revisions would destroy data: "
            + "; ".join(f.describe() for f in relevant)
            + ". Back up, then rerun with --allow-destructive",
            report={"findings": [f.describe() for f in relevant]},
        )
    return relevant


def _upgrade(
    connection: Connection,
    url: str,
    target: SchemaTarget,
    options: EnsureOptions,
    script: ScriptDirectory,
    current: str | None,
    head: str | None,
    result: EnsureResult,
    *,
    lint: bool,
) -> None:
    pending = pending_revisions(script, current, head)
    if lint:
        _lint(connection, pending, options)
    database_file = sqlite_path(url)
    before = None
    if database_file is not None and current is not None:
        backup_dir = Path(options.backup_dir) if options.backup_dir else database_file.parent / "backups"
        result.backup = str(backup_sqlite(database_file, backup_dir, label=f"pre-{head}"))
        before = schema_fingerprint(database_file)

    connection.info["write"] = True
    transaction = connection.begin()
    try:
        if connection.dialect.name == "postgresql":
            # Fail fast behind a long query instead of queueing every request behind our lock.
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(options.lock_timeout_ms)}")
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(options.statement_timeout_ms)}")
        ledger_table = ledger.ledger_table(target.ledger_table)
        ledger_table.create(connection, checkfirst=True)
        config = alembic_config(target.script_location)
        config.attributes.update(
            connection=connection,
            target_metadata=target.metadata,
            version_table=target.version_table,
            ignore_tables=target.bookkeeping_tables,
        )
        command.upgrade(config, "head")
        if connection.dialect.name == "sqlite":
            violations = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if violations:
                raise MigrationFailed(f"the migration left {len(violations)} rows with broken foreign keys: {violations[:3]}")
        ledger.record(connection, ledger_table, revisions_up_to(script, current), "backfilled")
        ledger.record(connection, ledger_table, pending, "upgraded")
        _require_no_drift(connection, target, result, "after upgrading to " + str(head))
        transaction.commit()
    except BaseException as exc:
        transaction.rollback()
        _restore_if_changed(database_file, result.backup, before)
        if isinstance(exc, SchemaError):
            raise
        if not isinstance(exc, Exception):
            raise
        failing = _failing_revision(exc)
        raise MigrationFailed(
            f"migration {failing or 'to ' + str(head)} failed and was rolled back "
            f"(the database is still at {current or 'an empty schema'}): {first_line(exc)}",
            report={"revision_before": current},
        ) from exc
    finally:
        connection.info["write"] = False
    result.applied = [rev.revision for rev in pending]
    _analyze(connection, {t for rev in pending for t in touched_tables(rev)})


def _failing_revision(exc: BaseException) -> str | None:
    # Alembic does not tag exceptions with the revision; the traceback's frames name the file.
    tb = exc.__traceback__
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if "/versions/" in filename:
            found = Path(filename).stem
        tb = tb.tb_next
    return found


def _restore_if_changed(database_file: Path | None, backup: str | None, before: list | None) -> None:
    if database_file is None or backup is None or before is None:
        return
    if schema_fingerprint(database_file) != before:
        log.error("rollback left %s changed; restoring the backup %s", database_file, backup)
        restore_sqlite(Path(backup), database_file)


def _require_no_drift(connection: Connection, target: SchemaTarget, result: EnsureResult, when: str) -> None:
    result.drift = compare_schema(connection, target.metadata, ignore_tables=target.bookkeeping_tables)
    errors = [d for d in result.drift if d.severity == "error"]
    if errors:
        raise SchemaDrift(
            f"the schema differs from the models {when}: "
            + "; ".join(d.detail for d in errors)
            + ". Write a migration for it (`flask db migrate`)",
            report={"drift": [d.to_dict() for d in result.drift]},
        )


def _adopt(
    connection: Connection, target: SchemaTarget, script: ScriptDirectory, head: str | None, result: EnsureResult
) -> None:
    drift = compare_schema(connection, target.metadata, ignore_tables=target.bookkeeping_tables)
    connection.rollback()
    blocking = [d for d in drift if d.severity == "error" and d.kind not in ADOPTABLE_KINDS]
    if blocking:
        result.drift = drift
        raise SchemaDrift(
            "the database has tables but no migration history, and they differ from the models in ways "
            "adoption cannot repair: " + "; ".join(d.detail for d in blocking),
            report={"drift": [d.to_dict() for d in drift]},
        )
    connection.info["write"] = True
    transaction = connection.begin()
    try:
        _create_missing(connection, target.metadata)
        ledger_table = ledger.ledger_table(target.ledger_table)
        ledger_table.create(connection, checkfirst=True)
        context = MigrationContext.configure(connection, opts={"version_table": target.version_table})
        context.stamp(script, "head")
        # Reference data that migrations insert is missing from a create_all database: revisions
        # that define `seed_data(connection)` (idempotent by contract) fill it in.
        for revision in revisions_up_to(script, head):
            seed = getattr(revision.module, "seed_data", None)
            if callable(seed):
                seed(connection)
        ledger.record(connection, ledger_table, revisions_up_to(script, head), "adopted")
        _require_no_drift(connection, target, result, "after adopting the legacy database")
        transaction.commit()
    except BaseException:
        transaction.rollback()
        raise
    finally:
        connection.info["write"] = False
    result.applied = [rev.revision for rev in revisions_up_to(script, head)]
    _analyze(connection, set(target.metadata.tables))


def _create_missing(connection: Connection, metadata: sa.MetaData) -> None:
    """Create missing tables, nullable columns and indexes; never touch existing rows."""
    inspector = sa.inspect(connection)
    existing = set(inspector.get_table_names())
    metadata.create_all(connection, tables=[t for n, t in metadata.tables.items() if n not in existing], checkfirst=True)
    operations = Operations(MigrationContext.configure(connection))
    for name in existing & set(metadata.tables):
        table = metadata.tables[name]
        live_columns = {c["name"] for c in inspector.get_columns(name)}
        for column in table.columns:
            if column.name not in live_columns:
                if not column.nullable and column.server_default is None:
                    raise SchemaDrift(
                        f"column {name}.{column.name} is missing and NOT NULL without a default: "
                        "adoption cannot add it to a table with rows; write a migration"
                    )
                operations.add_column(name, column._copy())
        live_indexes = {i["name"] for i in inspector.get_indexes(name)}
        for index in table.indexes:
            if index.name not in live_indexes:
                index.create(connection)


def _validate_at_head(
    connection: Connection, target: SchemaTarget, script: ScriptDirectory, head: str | None, result: EnsureResult
) -> None:
    result.drift = compare_schema(connection, target.metadata, ignore_tables=target.bookkeeping_tables)
    result.drift += _ledger_findings(connection, target, script, head)
    connection.rollback()
    errors = [d for d in result.drift if d.severity == "error"]
    if errors:
        raise SchemaDrift(
            "the schema differs from the models: " + "; ".join(d.detail for d in errors)
            + ". Write a migration that brings the database back (`flask db migrate`), or restore it",
            report={"drift": [d.to_dict() for d in result.drift], "revision_before": head},
        )


def _record_fingerprints(connection: Connection, target: SchemaTarget, result: EnsureResult) -> None:
    """Remember what was just validated, so that an unchanged release on an unchanged database is quick."""
    if target.code_root is None:
        return
    root = Path(target.code_root)
    files = project_files(root)
    try:
        code = code_fingerprint(root, files, Path(target.script_location))
        connection.exec_driver_sql(create_table_sql())
        catalog = catalog_fingerprint(
            lambda sql: connection.exec_driver_sql(sql).fetchall(), connection.dialect.name,
            version_table=target.version_table, ledger_table=target.ledger_table,
        )
        connection.execute(sa.text(f"DELETE FROM {FINGERPRINT_TABLE} WHERE namespace = :namespace"),
                           {"namespace": target.namespace})
        connection.execute(
            sa.text(f"INSERT INTO {FINGERPRINT_TABLE} (namespace, revision, code_fingerprint, catalog_fingerprint, "
                    "files, validated_at) VALUES (:namespace, :revision, :code, :catalog, :files, :at)"),
            {"namespace": target.namespace, "revision": result.revision_after, "code": code, "catalog": catalog,
             "files": json.dumps(files), "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        )
        connection.commit()
    except (sa.exc.DBAPIError, OSError) as exc:
        # A cache, never a reason to fail: a read-only role, say, just keeps validating in full.
        connection.rollback()
        log.warning("db-ensure: could not record the schema fingerprints: %s", first_line(exc))


def _analyze(connection: Connection, tables: set[str]) -> None:
    """Refresh planner statistics after a migration rewrote tables."""
    try:
        if connection.dialect.name == "postgresql":
            live = set(sa.inspect(connection).get_table_names())
            for table in sorted(tables & live):
                connection.exec_driver_sql(f'ANALYZE "{table}"')
            connection.commit()
        elif connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA optimize")
            connection.rollback()
    except sa.exc.DBAPIError as exc:  # statistics are an optimisation, never a reason to fail
        log.warning("ANALYZE after migrating failed: %s", first_line(exc))


def _summary(result: EnsureResult, url: str) -> str:
    warnings = [d for d in result.drift if d.severity == "warning"]
    text = {
        "created": f"created the schema at {result.revision_after}",
        "upgraded": f"upgraded {result.revision_before} -> {result.revision_after} ({len(result.applied)} revisions)",
        "adopted": f"adopted the legacy schema and stamped it at {result.revision_after}",
        "noop": f"already at {result.revision_after}; schema valid",
    }[result.action]
    if warnings:
        text += f"; {len(warnings)} warnings"
    return f"{text} on {describe_url(url)}"
