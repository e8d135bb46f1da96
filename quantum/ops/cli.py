"""Database maintenance commands: backup, restore, check, stats, optimize."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from quantum.config import current_settings
from quantum.extensions import db
from quantum.ops.maintenance import (
    EXACT_COUNT_MAX_BYTES,
    MaintenanceError,
    backup,
    index_stats,
    integrity_check,
    maintenance_for,
    optimize,
    restore,
    slowest_statements,
    table_stats,
)
from quantum.schema_engine.connect import describe_url
from quantum.schema_engine.locking import schema_lock


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(MaintenanceError.exit_code)


@click.command("db-backup")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None, help="Where to write the backup.")
@click.option("--keep", type=int, default=None, help="How many backups to keep (default BACKUP_KEEP).")
def db_backup(directory: str | None, keep: int | None) -> None:
    """Back up the database (SQLite online backup, PostgreSQL pg_dump) and prune old backups."""
    database = current_settings().database
    try:
        path = backup(database.url, Path(directory or database.backup_dir), keep=keep or database.backup_keep)
    except MaintenanceError as exc:
        _fail(str(exc))
    click.echo(f"backup written: {path}")


@click.command("db-restore")
@click.argument("backup_file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Really replace every row of the database with the backup.")
def db_restore(backup_file: str, yes: bool) -> None:
    """Replace the database with a backup, after checking the file."""
    database = current_settings().database
    if not yes:
        _fail(f"restoring replaces every row of {describe_url(database.url)}; rerun with --yes")
    try:
        with db.engine.connect() as connection:
            # Hold the migration lock so no starter migrates half-way through the restore.
            with schema_lock(connection, namespace="quantum", wait_seconds=database.lock_wait_seconds):
                db.engine.dispose()
                restore(database.url, Path(backup_file))
    except MaintenanceError as exc:
        _fail(str(exc))
    click.echo(f"restored {backup_file} into {describe_url(database.url)}; now run `flask db-ensure`")


@click.command("db-check")
def db_check() -> None:
    """Run the integrity checks and say what to do when they fail."""
    result = integrity_check(current_settings().database.url)
    if result.ok:
        click.echo("integrity: ok")
        return
    for problem in result.problems:
        click.echo(f"integrity: {problem}", err=True)
    click.echo(f"what to do: {result.advice}", err=True)
    sys.exit(MaintenanceError.exit_code)


@click.command("db-stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def db_stats(as_json: bool) -> None:
    """Table sizes and rows, index use, the slowest statements seen, and the last ANALYZE."""
    with db.engine.connect() as connection:
        report = {
            "backend": connection.dialect.name,
            "tables": table_stats(connection),
            "indexes": index_stats(connection),
            "slowest": slowest_statements(Path(current_settings().observability.slow_query_log)),
        }
    if as_json:
        click.echo(json.dumps(report, default=str))
        return
    for line in stats_lines(report):
        click.echo(line)


def columns(header: tuple[str, ...], rows: list[tuple], right: set[int]) -> list[str]:
    """`header` and `rows` as text lines, each column as wide as its widest cell (`right`: right-aligned columns)."""
    cells = [tuple(str(cell) for cell in row) for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return ["  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                      for i, cell in enumerate(row)).rstrip() for row in cells]


def stats_lines(report: dict) -> list[str]:
    """The human form of `flask db-stats`: tables, indexes and the slowest statements, in aligned columns."""
    estimated = any(not row["rows_exact"] for row in report["tables"])
    lines = columns(
        ("table", "rows", "bytes", "last analyze"),
        [(row["table"], ("" if row["rows_exact"] else "~") + str(row["rows"]),
          row["bytes"] if row["bytes"] is not None else "-", row["last_analyze"] or "never")
         for row in report["tables"]],
        right={1, 2},
    )
    if estimated:
        lines.append("~ an estimate from PostgreSQL's statistics (n_live_tup); tables up to "
                     f"{EXACT_COUNT_MAX_BYTES // (1024 * 1024)} MB are counted exactly")
    lines.append("")
    if maintenance_for(report["backend"]).counts_index_scans:
        lines += columns(("index", "table", "scans"),
                         [(row["index"], row["table"], row["scans"]) for row in report["indexes"]], right={2})
    else:
        lines += columns(("index", "table"), [(row["index"], row["table"]) for row in report["indexes"]], right=set())
        lines.append("(SQLite keeps no index scan counts)")
    lines.append("")
    if not report["slowest"]:
        lines.append("slowest statements: none recorded")
    else:
        lines.append("slowest statements:")
        lines += [f"  {float(row.get('duration_ms') or 0):>10.1f} ms  {str(row.get('statement', ''))[:110]}"
                  for row in report["slowest"]]
    return lines


@click.command("db-optimize")
def db_optimize() -> None:
    """Refresh planner statistics (ANALYZE / PRAGMA optimize)."""
    with db.engine.begin() as connection:
        what = optimize(connection)
    click.echo(f"optimized: {what}")


OPS_COMMANDS = [db_backup, db_restore, db_check, db_stats, db_optimize]
