"""A ledger of applied revisions with the checksum of each file, to report edited revisions."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic.script import Script
from sqlalchemy.engine import Connection

from quantum.schema_engine.drift import DriftItem
from quantum.schema_engine.outcomes import Recorded, Severity
from quantum.schema_engine.revisions import checksum


def ledger_table(name: str) -> sa.Table:
    """The ledger table definition, kept out of the application's metadata."""
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("revision", sa.String(64), primary_key=True),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("how", sa.String(16), nullable=False),
    )


def record(connection: Connection, table: sa.Table, revisions: list[Script], how: Recorded) -> None:
    """Record revisions as applied (`upgraded`, `adopted` or `backfilled`), once each."""
    if not revisions:
        return
    known = set(connection.execute(sa.select(table.c.revision)).scalars())
    now = datetime.now(timezone.utc)
    rows = [
        {
            "revision": rev.revision,
            "checksum": checksum(rev),
            "filename": rev.path.rsplit("/", 1)[-1],
            "applied_at": now,
            "how": str(how),  # the plain string: the column holds text
        }
        for rev in revisions
        if rev.revision not in known
    ]
    if rows:
        connection.execute(table.insert(), rows)


def verify(connection: Connection, table: sa.Table, revisions: list[Script]) -> list[DriftItem]:
    """Report every applied revision whose file changed since it was applied."""
    recorded = dict(connection.execute(sa.select(table.c.revision, table.c.checksum)).all())
    items = []
    for rev in revisions:
        expected = recorded.get(rev.revision)
        if expected is not None and expected != checksum(rev):
            items.append(
                DriftItem(
                    None,
                    "edited_revision",
                    f"revision {rev.revision} ({rev.path.rsplit('/', 1)[-1]}) was edited after it was applied; "
                    "put schema changes in a new revision",
                    Severity.WARNING,
                )
            )
    return items
