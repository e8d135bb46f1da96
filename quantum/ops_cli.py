"""Database maintenance commands: backup, restore, check, stats, optimize."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app

from quantum.db.engine import describe_url
from quantum.db.locking import schema_lock
from quantum.db.maintenance import (
    MaintenanceError,
    backup,
    index_stats,
    integrity_check,
    optimize,
    restore,
    slowest_statements,
    table_stats,
)
from quantum.extensions import db


def _settings():  # noqa: ANN202
    return current_app.config["QUANTUM_SETTINGS"]


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.command("db-backup")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None, help="Where to write the backup.")
@click.option("--keep", type=int, default=None, help="How many backups to keep (default BACKUP_KEEP).")
def db_backup(directory: str | None, keep: int | None) -> None:
    """Back up the database (SQLite online backup, PostgreSQL pg_dump) and prune old backups."""
    settings = _settings()
    try:
        path = backup(settings.database_url, Path(directory or settings.backup_dir), keep=keep or settings.backup_keep)
    except MaintenanceError as exc:
        _fail(str(exc))
    click.echo(f"backup written: {path}")


@click.command("db-restore")
@click.argument("backup_file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Really replace every row of the database with the backup.")
def db_restore(backup_file: str, yes: bool) -> None:
    """Replace the database with a backup, after checking the file."""
    settings = _settings()
    if not yes:
        _fail(f"restoring replaces every row of {describe_url(settings.database_url)}; rerun with --yes")
    try:
        with db.engine.connect() as connection:
            # Hold the migration lock so no starter migrates half-way through the restore.
            with schema_lock(connection, namespace="quantum", wait_seconds=settings.lock_wait_seconds):
                db.engine.dispose()
                restore(settings.database_url, Path(backup_file))
    except MaintenanceError as exc:
        _fail(str(exc))
    click.echo(f"restored {backup_file} into {describe_url(settings.database_url)}; now run `flask db-ensure`")


@click.command("db-check")
def db_check() -> None:
    """Run the integrity checks and say what to do when they fail."""
    result = integrity_check(_settings().database_url)
    if result.ok:
        click.echo("integrity: ok")
        return
    for problem in result.problems:
        click.echo(f"integrity: {problem}", err=True)
    click.echo(f"what to do: {result.advice}", err=True)
    sys.exit(1)


@click.command("db-stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def db_stats(as_json: bool) -> None:
    """Table sizes and rows, index use, the slowest statements seen, and the last ANALYZE."""
    with db.engine.connect() as connection:
        report = {
            "backend": connection.dialect.name,
            "tables": table_stats(connection),
            "indexes": index_stats(connection),
            "slowest": slowest_statements(Path(_settings().slow_query_log)),
        }
    if as_json:
        click.echo(json.dumps(report, default=str))
        return
    click.echo(f"{'table':<28} {'rows':>12} {'bytes':>14}  last analyze")
    for row in report["tables"]:
        click.echo(f"{row['table']:<28} {row['rows']:>12} {row['bytes'] or '-':>14}  {row['last_analyze'] or 'never'}")
    click.echo(f"\n{'index':<52} {'table':<24} {'scans':>8}")
    for row in report["indexes"]:
        click.echo(f"{row['index']:<52} {row['table']:<24} {row['scans'] if row['scans'] is not None else '-':>8}")
    click.echo("\nslowest statements:")
    for row in report["slowest"] or [{"duration_ms": "-", "statement": "(none recorded)"}]:
        click.echo(f"  {row['duration_ms']} ms  {row['statement'][:110]}")


@click.command("db-optimize")
def db_optimize() -> None:
    """Refresh planner statistics (ANALYZE / PRAGMA optimize)."""
    with db.engine.begin() as connection:
        what = optimize(connection)
    click.echo(f"optimized: {what}")


def _archive_command():  # noqa: ANN202
    from quantum.archive.cli import db_archive

    return db_archive


OPS_COMMANDS = [db_backup, db_restore, db_check, db_stats, db_optimize, _archive_command()]
