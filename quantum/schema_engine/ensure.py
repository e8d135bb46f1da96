"""Bring any database to the models' schema: create, upgrade, adopt, or refuse with a reason."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from quantum.schema_engine import ledger
from quantum.schema_engine.connect import create_migration_engine, describe_url
from quantum.schema_engine.ddl import Backend, backend_for
from quantum.schema_engine.drift import DriftItem, compare_schema
from quantum.schema_engine.errors import (
    DatabaseAhead,
    MigrationFailed,
    SchemaDrift,
    SchemaError,
)
from quantum.schema_engine.fingerprint import (
    FINGERPRINT_TABLE,
    catalog_fingerprint,
    code_fingerprint,
    create_table_sql,
    project_files,
)
from quantum.schema_engine.gate import StatementGate
from quantum.schema_engine.locking import schema_lock
from quantum.schema_engine.outcomes import Action, ExitCode, Recorded, Severity, Validation
from quantum.schema_engine.retry import connect_with_retry, first_line
from quantum.schema_engine.revisions import (
    LintFinding,
    adds_enum_label,
    alembic_config,
    data_steps,
    lint_revision,
    needs_autocommit,
    pending_revisions,
    revisions_up_to,
    single_head,
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
    # fingerprints of that code and of the database, for `quantum.schema_engine.quick` to check later.
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

    action: Action
    revision_before: str | None
    revision_after: str | None
    backend: str
    drift: list[DriftItem] = field(default_factory=list)
    duration_ms: float = 0.0
    applied: list[str] = field(default_factory=list)
    backup: str | None = None
    check: bool = False
    exit_code: int = ExitCode.READY
    message: str = ""
    validation: Validation = Validation.FULL
    # How the pending revisions ran: [{"revisions": [...], "atomic": bool, "committed": bool}, ...]
    segments: list[dict] = field(default_factory=list)
    # Adoption: the revisions recorded by stamping, each flagged when its upgrade() touches rows.
    stamped: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

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
            "segments": self.segments,
            "stamped": self.stamped,
            "notes": self.notes,
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
                if options.record_fingerprints and result.exit_code == ExitCode.READY and not result.check and not result.drift:
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
    """The database's current Alembic revision (None when unstamped; the lowest one when branched)."""
    heads = read_heads(connection, version_table)
    return min(heads) if heads else None


def read_heads(connection: Connection, version_table: str) -> frozenset[str]:
    """Every row of the version table: Alembic keeps one per branch head, in no particular order."""
    context = MigrationContext.configure(connection, opts={"version_table": version_table})
    heads = frozenset(context.get_current_heads())
    if connection.in_transaction():
        connection.rollback()
    return heads


def _heads_label(heads: frozenset[str]) -> str | None:
    return "+".join(sorted(heads)) if heads else None


def _ensure_locked(
    connection: Connection,
    url: str,
    target: SchemaTarget,
    options: EnsureOptions,
    script: ScriptDirectory,
    head: str | None,
) -> EnsureResult:
    backend = connection.dialect.name
    heads = read_heads(connection, target.version_table)
    current = _heads_label(heads)
    tables = set(sa.inspect(connection).get_table_names()) - target.bookkeeping_tables
    connection.rollback()
    result = EnsureResult(Action.NOOP, current, current, backend, check=options.check)

    known = {s.revision for s in script.walk_revisions()}
    unknown = sorted(heads - known)
    if unknown:
        raise DatabaseAhead(
            f"{describe_url(url)} is at revision {', '.join(unknown)}, which these migrations do not know "
            f"(head is {head}): the database is ahead of the code; deploy the newer release or "
            "downgrade the database with it",
            report={"revision_before": current, "backend": backend},
        )
    _refuse_overlapping_heads(script, heads)

    if not heads and not tables:
        state = Action.CREATED
    elif not heads:
        state = Action.ADOPTED
    elif heads != {head}:
        state = Action.UPGRADED
    else:
        state = Action.NOOP

    if options.check and state == Action.NOOP:
        return _check_noop(connection, target, script, result)
    if state in {Action.CREATED, Action.UPGRADED}:
        _upgrade(connection, url, target, options, script, heads, head, result)
    elif state == Action.ADOPTED:
        _adopt(connection, target, script, head, result, rehearse=options.check)
    else:
        _validate_at_head(connection, target, script, head, result)
    result.action = state
    result.revision_after = head if state != Action.NOOP else current
    result.message = _summary(result, url)
    if options.check:
        # The real path ran in a transaction that was rolled back: what it did is what a real run would do.
        result.exit_code = ExitCode.WOULD_CHANGE
        verb = {Action.CREATED: "would create the schema", Action.UPGRADED: "would upgrade",
                Action.ADOPTED: "would adopt"}[state]
        result.message = f"check: {verb} ({current or 'empty'} -> {head}); " + " ".join(
            result.notes or ["rehearsed in full and rolled back"]
        )
    return result


def _refuse_overlapping_heads(script: ScriptDirectory, heads: frozenset[str]) -> None:
    """Alembic refuses a version table where one row is an ancestor of another; so do we, up front."""
    for member in heads:
        ancestors = {rev.revision for rev in revisions_up_to(script, member)} - {member}
        overlap = sorted(ancestors & heads)
        if overlap:
            raise MigrationFailed(
                f"the version table lists {member} and its ancestor {', '.join(overlap)}; Alembic cannot "
                f"upgrade from overlapping revisions. Delete the row of {', '.join(overlap)} from the version "
                "table (it is implied by its descendant) and rerun",
                report={"revision_before": _heads_label(heads)},
            )


def _check_noop(
    connection: Connection, target: SchemaTarget, script: ScriptDirectory, result: EnsureResult
) -> EnsureResult:
    result.drift = compare_schema(connection, target.metadata, ignore_tables=target.bookkeeping_tables)
    result.drift += _ledger_findings(connection, target, script, result.revision_before)
    connection.rollback()
    errors = [d for d in result.drift if d.severity == Severity.ERROR]
    result.exit_code = SchemaDrift.exit_code if errors else ExitCode.READY
    result.message = f"check: schema drift ({len(errors)} differences)" if errors else "check: the schema is up to date"
    return result


def _ledger_findings(
    connection: Connection, target: SchemaTarget, script: ScriptDirectory, revision: str | None
) -> list[DriftItem]:
    if target.ledger_table not in sa.inspect(connection).get_table_names():
        return []
    return ledger.verify(connection, ledger.ledger_table(target.ledger_table), revisions_up_to(script, revision))


def _lint_warnings(pending: list) -> list[LintFinding]:
    """The static lint, now an early warning: the gate (quantum.schema_engine.gate) decides on what really runs."""
    findings = [finding for rev in pending for finding in lint_revision(rev)]
    for finding in findings:
        log.warning("db-ensure: pending revision may destroy data: %s", finding.describe())
    return findings


@dataclass
class Segment:
    """Consecutive pending revisions run together: atomic (one transaction) or one autocommit revision."""

    revisions: list
    atomic: bool
    committed: bool = False

    def to_dict(self) -> dict:
        """The report's view: revision ids, atomicity, and whether it was committed."""
        return {"revisions": [r.revision for r in self.revisions], "atomic": self.atomic, "committed": self.committed}


def plan_segments(pending: list) -> list[Segment]:
    """Split pending revisions where one needs autocommit_block() (its own segment) or adds an enum label
    (the segment commits after it); every other run of revisions stays one transaction."""
    segments: list[Segment] = []
    closed = True
    for revision in pending:
        if needs_autocommit(revision):
            segments.append(Segment([revision], atomic=False))
            closed = True
            continue
        if closed:
            segments.append(Segment([revision], atomic=True))
        else:
            segments[-1].revisions.append(revision)
        # PostgreSQL cannot use an enum label in the transaction that added it: commit after such a revision.
        closed = adds_enum_label(revision)
    return segments


def _upgrade(
    connection: Connection,
    url: str,
    target: SchemaTarget,
    options: EnsureOptions,
    script: ScriptDirectory,
    heads: frozenset[str],
    head: str | None,
    result: EnsureResult,
) -> None:
    current = _heads_label(heads)
    pending = pending_revisions(script, heads, head)
    if heads:
        _lint_warnings(pending)
    segments = plan_segments(pending)
    result.segments = [segment.to_dict() for segment in segments]
    gate = StatementGate(connection, protected=target.bookkeeping_tables, allow_destructive=options.allow_destructive)
    if options.check:
        with gate.watching(pending):
            _rehearse(connection, target, options, script, heads, head, segments, gate, result)
        return

    backend = backend_for(connection)
    if heads:  # an empty database has nothing to lose
        backup = backend.backup_before_migrating(url, options.backup_dir, label=f"pre-{head}")
        result.backup = str(backup) if backup is not None else None
    reached = current
    with gate.watching(pending):
        for index, segment in enumerate(segments):
            last = index == len(segments) - 1
            before = backend.schema_snapshot(url) if result.backup else None
            try:
                if segment.atomic:
                    _run_atomic(connection, target, options, script, heads if index == 0 else frozenset(),
                                segment, result, validate=last, upto=head if len(segments) == 1 else None)
                else:
                    _run_autocommit(connection, target, script, segment)
            except BaseException as exc:
                if connection.in_transaction():
                    connection.rollback()
                connection.info["write"] = False
                if _restore_if_changed(backend, url, result.backup, before):
                    reached = current
                    for earlier in segments:
                        earlier.committed = False
                result.segments = [s.to_dict() for s in segments]
                raise _failure(exc, gate, segment, reached, head, result) from exc
            segment.committed = True
            reached = segment.revisions[-1].revision
            result.segments = [s.to_dict() for s in segments]
        if segments and not segments[-1].atomic:
            _require_no_drift(connection, target, result, f"after upgrading to {head} (the revisions are committed)")
            connection.rollback()
    result.applied = [rev.revision for rev in pending]
    _analyze(connection, gate.touched - target.bookkeeping_tables)


def _failure(
    exc: BaseException, gate: StatementGate, segment: Segment, reached: str | None, head: str | None,
    result: EnsureResult,
) -> BaseException:
    """The error to raise for a failed segment: SchemaErrors as they are, anything else as exit 7."""
    atomic_note = "" if segment.atomic else (
        f" Revision {segment.revisions[0].revision} ran outside a transaction (autocommit_block), so what it "
        "did before failing stays; fix it and rerun"
    )
    if isinstance(exc, SchemaError):
        exc.report.setdefault("revision_before", result.revision_before)
        exc.report["segments"] = result.segments
        if reached != result.revision_before:
            exc.message += f" (committed segments stay: the database is at {reached})"
            exc.args = (exc.message,)
        return exc
    if not isinstance(exc, Exception):
        return exc
    failing = gate.running or "to " + str(head)
    detail = first_line(exc)
    if isinstance(exc, AssertionError):
        # Alembic asserts when autocommit_block() is reached inside our transaction (the scan missed it).
        detail = (f"{detail or 'AssertionError'}; if this revision uses autocommit_block() through another "
                  "module, call it directly in the revision's upgrade() so that db-ensure runs it in its own segment")
    return MigrationFailed(
        f"migration {failing} failed and was rolled back "
        f"(the database is at {reached or 'an empty schema'}): {detail}.{atomic_note}",
        report={"revision_before": result.revision_before, "revision": gate.running, "segments": result.segments},
    )


def _alembic_upgrade(
    connection: Connection, target: SchemaTarget, script: ScriptDirectory, destination: str, *, per_migration: bool
) -> None:
    """`alembic upgrade destination` on our connection, with our ScriptDirectory (whose upgrade()s the gate wraps)."""
    config = alembic_config(target.script_location)
    config.attributes.update(
        connection=connection,
        target_metadata=target.metadata,
        version_table=target.version_table,
        ignore_tables=target.bookkeeping_tables,
        transaction_per_migration=per_migration,
    )

    def upgrade(rev: Any, context: Any) -> Any:
        return script._upgrade_revs(destination, rev)

    with EnvironmentContext(config, script, fn=upgrade, destination_rev=destination):
        script.run_env()


def _set_timeouts(connection: Connection, options: EnsureOptions) -> None:
    backend_for(connection).set_migration_timeouts(
        connection, lock_timeout_ms=options.lock_timeout_ms, statement_timeout_ms=options.statement_timeout_ms
    )


def _run_atomic(
    connection: Connection,
    target: SchemaTarget,
    options: EnsureOptions,
    script: ScriptDirectory,
    backfill_from: frozenset[str],
    segment: Segment,
    result: EnsureResult,
    *,
    validate: bool,
    upto: str | None,
) -> None:
    """One transaction: the segment's revisions, ledger rows, checks, then commit."""
    connection.info["write"] = True
    transaction = connection.begin()
    _set_timeouts(connection, options)
    ledger_table = ledger.ledger_table(target.ledger_table)
    ledger_table.create(connection, checkfirst=True)
    _alembic_upgrade(connection, target, script, upto or segment.revisions[-1].revision, per_migration=False)
    _foreign_key_check(connection)
    for member in sorted(backfill_from):
        ledger.record(connection, ledger_table, revisions_up_to(script, member), Recorded.BACKFILLED)
    ledger.record(connection, ledger_table, segment.revisions, Recorded.UPGRADED)
    if validate:
        _require_no_drift(connection, target, result, "after upgrading to " + str(segment.revisions[-1].revision))
    transaction.commit()
    connection.info["write"] = False


def _run_autocommit(connection: Connection, target: SchemaTarget, script: ScriptDirectory, segment: Segment) -> None:
    """One revision that uses autocommit_block(): Alembic commits around the block; then the ledger row."""
    revision = segment.revisions[0]
    connection.info["write"] = True
    _alembic_upgrade(connection, target, script, revision.revision, per_migration=True)
    with connection.begin():
        ledger_table = ledger.ledger_table(target.ledger_table)
        ledger_table.create(connection, checkfirst=True)
        ledger.record(connection, ledger_table, [revision], Recorded.UPGRADED)
    connection.info["write"] = False


def _foreign_key_check(connection: Connection) -> None:
    violations = backend_for(connection).foreign_key_violations(connection)
    if violations:
        raise MigrationFailed(f"the migration left {len(violations)} rows with broken foreign keys: {violations[:3]}")


def _rehearse(
    connection: Connection,
    target: SchemaTarget,
    options: EnsureOptions,
    script: ScriptDirectory,
    heads: frozenset[str],
    head: str | None,
    segments: list[Segment],
    gate: StatementGate,
    result: EnsureResult,
) -> None:
    """--check: run the atomic revisions for real in one transaction that is always rolled back.

    A revision that needs autocommit_block() cannot run inside a transaction, and a label added to an
    enum cannot be used before a commit, so the rehearsal stops there; the report's notes name what was
    not rehearsed. No backup is taken.
    """
    runnable: list = []
    reason = "a revision uses autocommit_block(), which cannot run inside the rolled-back transaction"
    for segment in segments:
        if not segment.atomic:
            break
        runnable += segment.revisions
        if adds_enum_label(segment.revisions[-1]) and segment is not segments[-1]:
            reason = (f"{segment.revisions[-1].revision} adds an enum label, which PostgreSQL lets later revisions "
                      "use only after a commit")
            break
    skipped = [rev.revision for segment in segments for rev in segment.revisions][len(runnable):]
    if runnable:
        whole = Segment(runnable, atomic=True)
        connection.info["write"] = True
        try:
            _run_rehearsal(connection, target, options, script, heads, whole, result, validate=not skipped,
                           upto=head if not skipped else None)
        except SchemaError as exc:
            exc.report["check"] = True
            raise
        except Exception as exc:
            raise _failure(exc, gate, whole, result.revision_before, head, result) from exc
        finally:
            if connection.in_transaction():
                connection.rollback()
            connection.info["write"] = False
    if skipped:
        result.notes.append(
            f"rehearsed {len(runnable)} of {len(runnable) + len(skipped)} revisions and rolled back; "
            f"not rehearsed: {', '.join(skipped)} ({reason})"
        )
    result.applied = [rev.revision for segment in segments for rev in segment.revisions]


def _run_rehearsal(
    connection: Connection,
    target: SchemaTarget,
    options: EnsureOptions,
    script: ScriptDirectory,
    heads: frozenset[str],
    segment: Segment,
    result: EnsureResult,
    *,
    validate: bool,
    upto: str | None,
) -> None:
    connection.begin()
    _set_timeouts(connection, options)
    ledger_table = ledger.ledger_table(target.ledger_table)
    ledger_table.create(connection, checkfirst=True)
    _alembic_upgrade(connection, target, script, upto or segment.revisions[-1].revision, per_migration=False)
    _foreign_key_check(connection)
    for member in sorted(heads):
        ledger.record(connection, ledger_table, revisions_up_to(script, member), Recorded.BACKFILLED)
    ledger.record(connection, ledger_table, segment.revisions, Recorded.UPGRADED)
    if validate:
        _require_no_drift(connection, target, result, "after upgrading to " + str(segment.revisions[-1].revision))
    connection.rollback()


def _restore_if_changed(backend: Backend, url: str, backup: str | None, before: list | None) -> bool:
    """Restore the pre-run backup when a rollback left the schema changed; True when it did."""
    if backup is None or before is None:
        return False
    if backend.schema_snapshot(url) != before:
        log.error("rollback left %s changed; restoring the backup %s", describe_url(url), backup)
        backend.restore_backup(Path(backup), url)
        return True
    return False


def _require_no_drift(connection: Connection, target: SchemaTarget, result: EnsureResult, when: str) -> None:
    result.drift = compare_schema(connection, target.metadata, ignore_tables=target.bookkeeping_tables)
    errors = [d for d in result.drift if d.severity == Severity.ERROR]
    if errors:
        raise SchemaDrift(
            f"the schema differs from the models {when}: "
            + "; ".join(d.detail for d in errors)
            + ". Write a migration for it (`flask db migrate`)",
            report={"drift": [d.to_dict() for d in result.drift]},
        )


def _adopt(
    connection: Connection,
    target: SchemaTarget,
    script: ScriptDirectory,
    head: str | None,
    result: EnsureResult,
    *,
    rehearse: bool = False,
) -> None:
    drift = compare_schema(connection, target.metadata, ignore_tables=target.bookkeeping_tables)
    connection.rollback()
    blocking = [d for d in drift if d.severity == Severity.ERROR and d.kind not in ADOPTABLE_KINDS]
    if blocking:
        result.drift = drift
        raise SchemaDrift(
            "the database has tables but no migration history, and they differ from the models in ways "
            "adoption cannot repair: " + "; ".join(d.detail for d in blocking),
            report={"drift": [d.to_dict() for d in drift], "check": rehearse},
        )
    stamped = revisions_up_to(script, head)
    result.stamped = stamped_report(stamped)
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
        for revision in stamped:
            seed = getattr(revision.module, "seed_data", None)
            if callable(seed):
                seed(connection)
        ledger.record(connection, ledger_table, stamped, Recorded.ADOPTED)
        _require_no_drift(connection, target, result, "after adopting the legacy database")
        if rehearse:
            transaction.rollback()
        else:
            transaction.commit()
    except BaseException as exc:
        transaction.rollback()
        if isinstance(exc, SchemaError):
            exc.report["check"] = rehearse
        raise
    finally:
        connection.info["write"] = False
    result.applied = [rev.revision for rev in stamped]
    data = [entry for entry in result.stamped if entry["data_migration"]]
    if data:
        result.notes.append(
            f"adoption stamped {len(stamped)} revisions without running them; {len(data)} of them change rows, "
            f"which this database never got: {', '.join(entry['revision'] for entry in data)}. Apply what they do "
            "by hand if the legacy data needs it"
        )
        for entry in data:
            log.warning("db-ensure: adopted without running the data migration %s (%s)", entry["revision"],
                        "; ".join(entry["steps"]))
    if not rehearse:
        _analyze(connection, set(target.metadata.tables))


def stamped_report(revisions: list) -> list[dict]:
    """What adoption records without running: each revision, and what its upgrade() does to rows."""
    report = []
    for revision in revisions:
        steps = data_steps(revision)
        seeded = callable(getattr(revision.module, "seed_data", None))
        report.append({"revision": revision.revision, "data_migration": bool(steps), "steps": steps,
                       "seed_data_run": seeded})
    return report


def _create_missing(connection: Connection, metadata: sa.MetaData) -> None:
    """Create missing tables, nullable columns and indexes; never touch existing rows."""
    inspector = sa.inspect(connection)
    existing = set(inspector.get_table_names())
    metadata.create_all(connection, tables=[t for n, t in metadata.tables.items() if n not in existing], checkfirst=True)
    operations = Operations(MigrationContext.configure(connection))
    rules = backend_for(connection)
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
        live_indexes = rules.index_names(connection, name)
        for index in table.indexes:
            if index.name not in live_indexes:
                _create_index(connection, index)


def _create_index(connection: Connection, index: sa.Index) -> None:
    """Create a missing index; rows that a missing unique index would refuse are drift, named, not a traceback."""
    try:
        index.create(connection)
    except sa.exc.IntegrityError:
        key = ", ".join(str(expression) for expression in index.expressions)
        raise SchemaDrift(
            f"unique index {index.name} on {index.table.name} ({key}) is missing and the existing rows repeat its "
            "key: adoption cannot create it; resolve the duplicates or write a migration that does"
        ) from None


def _validate_at_head(
    connection: Connection, target: SchemaTarget, script: ScriptDirectory, head: str | None, result: EnsureResult
) -> None:
    result.drift = compare_schema(connection, target.metadata, ignore_tables=target.bookkeeping_tables)
    result.drift += _ledger_findings(connection, target, script, head)
    connection.rollback()
    errors = [d for d in result.drift if d.severity == Severity.ERROR]
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
            lambda sql: connection.exec_driver_sql(sql).fetchall(), backend_for(connection),
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
        backend_for(connection).refresh_statistics(connection, tables)
    except sa.exc.DBAPIError as exc:  # statistics are an optimisation, never a reason to fail
        log.warning("ANALYZE after migrating failed: %s", first_line(exc))


def _summary(result: EnsureResult, url: str) -> str:
    warnings = [d for d in result.drift if d.severity == Severity.WARNING]
    text = {
        Action.CREATED: f"created the schema at {result.revision_after}",
        Action.UPGRADED: f"upgraded {result.revision_before} -> {result.revision_after} ({len(result.applied)} revisions)",
        Action.ADOPTED: f"adopted the legacy schema and stamped it at {result.revision_after} "
                   f"({len(result.stamped)} revisions recorded without running, "
                   f"{sum(1 for e in result.stamped if e['data_migration'])} of them data migrations)",
        Action.NOOP: f"already at {result.revision_after}; schema valid",
    }[result.action]
    if warnings:
        text += f"; {len(warnings)} warnings"
    if any(not segment["atomic"] for segment in result.segments):
        text += "; segments: " + ", ".join(
            f"[{' '.join(segment['revisions'])}] {'atomic' if segment['atomic'] else 'autocommit'}"
            for segment in result.segments
        )
    return f"{text} on {describe_url(url)}"
