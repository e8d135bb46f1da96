"""A user's snapshot history that reads through to the archive."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from quantum.portfolio.models import snapshots_archive


def newest_archived_snapshots(*, session: Session, user_id: int, limit: int) -> list[Any]:
    """The user's newest archived snapshots, newest first (rows with the live snapshot's columns).

    `latest` and risk metrics read through to the archive when the live table holds too few of a
    user's snapshots, so archival never changes what they answer (README, Archival).
    """
    archive = snapshots_archive
    query = (
        sa.select(archive.c.id, archive.c.user_id, archive.c.snapshot_data, archive.c.total_value, archive.c.created_at)
        .where(archive.c.user_id == user_id)
        .order_by(archive.c.created_at.desc(), archive.c.id.desc())
        .limit(limit)
    )
    return list(session.execute(query).all())
