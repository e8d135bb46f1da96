"""Move old rows to archive tables in batches, each batch one transaction, so a crash never loses or duplicates a row."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from quantum.db.transient import is_transient
from quantum.schema_engine.retry import backoff_delay, first_line

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChildTable:
    """Rows of another table that travel with each archived parent row."""

    source: sa.Table
    archive: sa.Table
    foreign_key: str


@dataclass(frozen=True)
class ArchivePlan:
    """What to archive: a table, its twin, the age column, an extra filter, and child tables."""

    source: sa.Table
    archive: sa.Table
    age_column: str = "created_at"
    condition: Callable[[sa.Table], sa.ColumnElement[bool]] | None = None
    children: tuple[ChildTable, ...] = field(default_factory=tuple)

    def criteria(self, cutoff: datetime) -> sa.ColumnElement[bool]:
        """The rows this plan archives at `cutoff`."""
        clause = self.source.c[self.age_column] < cutoff
        if self.condition is not None:
            clause = sa.and_(clause, self.condition(self.source))
        return clause


@dataclass
class ArchiveResult:
    """How many rows moved (or would move, on a dry run), per table, and in how many batches."""

    table: str
    rows: int = 0
    children: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    dry_run: bool = False


def _copy(connection: Connection, source: sa.Table, archive: sa.Table, where: sa.ColumnElement[bool],
          now: datetime) -> int:
    names = [c.name for c in source.columns]
    select = sa.select(*[source.c[n] for n in names], sa.literal(now, sa.DateTime(timezone=True))).where(where)
    connection.execute(archive.insert().from_select([*names, "archived_at"], select))
    return connection.execute(source.delete().where(where)).rowcount


def archive_in_batches(
    engine: Engine,
    plan: ArchivePlan,
    *,
    cutoff: datetime,
    batch_size: int = 1000,
    dry_run: bool = False,
    pause: float = 0.0,
    on_batch: Callable[[Connection, ArchiveResult, int], None] | None = None,
) -> ArchiveResult:
    """Archive every row older than `cutoff`, `batch_size` at a time, each batch copy + delete in one transaction."""
    result = ArchiveResult(plan.source.name, dry_run=dry_run)
    if dry_run:
        with engine.connect() as connection:
            result.rows = connection.execute(
                sa.select(sa.func.count()).select_from(plan.source).where(plan.criteria(cutoff))
            ).scalar_one()
        return result
    while True:
        moved = _one_batch(engine, plan, cutoff, batch_size, result, on_batch)
        if moved == 0:
            return result
        if pause:
            time.sleep(pause)  # gives live traffic the database between batches


def _one_batch(engine: Engine, plan: ArchivePlan, cutoff: datetime, batch_size: int, result: ArchiveResult,
               on_batch: Callable[[Connection, ArchiveResult, int], None] | None) -> int:
    for attempt in range(1, 6):
        try:
            with engine.begin() as connection:
                ids = connection.execute(
                    sa.select(plan.source.c.id).where(plan.criteria(cutoff)).order_by(plan.source.c.id).limit(batch_size)
                ).scalars().all()
                if not ids:
                    return 0
                now = datetime.now(timezone.utc)
                children: dict[str, int] = {}
                for child in plan.children:
                    children[child.source.name] = _copy(
                        connection, child.source, child.archive, child.source.c[child.foreign_key].in_(ids), now
                    )
                moved = _copy(connection, plan.source, plan.archive, plan.source.c.id.in_(ids), now)
                if on_batch is not None:
                    on_batch(connection, ArchiveResult(plan.source.name, moved, children, 1), len(ids))
            result.rows += moved
            result.batches += 1
            for name, count in children.items():
                result.children[name] = result.children.get(name, 0) + count
            return moved
        except sa.exc.DBAPIError as exc:
            if not is_transient(exc) or attempt == 5:
                raise
            log.info("archive batch hit a transient error (%s); retrying", first_line(exc))
            time.sleep(backoff_delay(attempt, 0.05))
    return 0
