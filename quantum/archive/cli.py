"""`flask db-archive`: move old snapshots and filled orders to the archive tables."""

from __future__ import annotations

import sys

import click

from quantum.archive.service import PLANS, archive
from quantum.config import current_settings, parse_age
from quantum.extensions import db
from quantum.ops.archive import ArchiveResult
from quantum.ops.maintenance import optimize
from quantum.wording import plural


def archive_summary(result: ArchiveResult, age_text: str) -> str:
    """One line per table: "archived 3 rows older than 365d in 1 batch, with 4 fills" (or what a dry run would)."""
    if not result.rows:
        return f"nothing older than {age_text} to archive"
    rows = f"{plural(result.rows, 'row')} older than {age_text}"
    if result.dry_run:
        return f"would archive {rows}"
    children = ", ".join(plural(count, name.removesuffix("s")) for name, count in result.children.items() if count)
    return f"archived {rows} in {plural(result.batches, 'batch')}" + (f", with {children}" if children else "")


@click.command("db-archive")
@click.option("--older-than", default=None, help="Age such as 365d; default: each table's retention setting.")
@click.option("--table", "tables", multiple=True, type=click.Choice(sorted(PLANS)), help="Only these tables.")
@click.option("--batch-size", type=click.IntRange(1, 100000), default=1000, show_default=True)
@click.option("--pause", type=float, default=0.0, help="Seconds to sleep between batches (eases load).")
@click.option("--dry-run", is_flag=True, help="Count what would move; move nothing.")
@click.option("--actor", default=None, help="Who runs it, for the audit log (default: the OS user).")
def db_archive(older_than: str | None, tables: tuple[str, ...], batch_size: int, pause: float, dry_run: bool,
               actor: str | None) -> None:
    """Move old snapshots and filled orders (with their fills) to archive tables, batch by batch."""
    total = 0
    for table in tables or sorted(PLANS):
        # The retention settings were validated at start-up; only --older-than can still be malformed.
        age_text = older_than or current_settings().archive.retention(table)
        try:
            age = parse_age(age_text)
        except ValueError as exc:
            click.echo(f"error: --older-than: {exc}", err=True)
            sys.exit(click.UsageError.exit_code)  # a bad option value: the code click gives its own usage errors
        result = archive(engine=db.engine, table=table, older_than=age, batch_size=batch_size, dry_run=dry_run,
                         pause=pause, actor=actor)
        click.echo(f"{table}: {archive_summary(result, age_text)}")
        total += result.rows
    if total and not dry_run:
        with db.engine.begin() as connection:
            optimize(connection)
