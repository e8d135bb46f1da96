"""Keyset pages, newest first, that span a live table and its archive twin with one cursor."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from quantum.errors import NotFound


def _as_model(model: type, row: Any) -> Any:
    """An archived row as a detached instance of the live model (enum strings back to enums)."""
    values = {}
    for column in model.__table__.columns:
        value = row._mapping[column.name]
        column_type = column.type.impl if isinstance(column.type, sa.types.TypeDecorator) else column.type
        if isinstance(column_type, sa.Enum) and column_type.enum_class is not None and value is not None:
            value = column_type.enum_class(value)
        values[column.name] = value
    return model(**values)


def page_with_archive(
    *, session: Session, model: type, archive: sa.Table, user_id: int, limit: int, before: int | None
) -> tuple[list[Any], int | None]:
    """The user's rows from the live table and the archive, newest first by (created_at, id)."""
    live = model.__table__
    anchor = None
    if before is not None:
        for table in (live, archive):
            anchor = session.execute(
                sa.select(table.c.created_at, table.c.id).where(table.c.id == before, table.c.user_id == user_id)
            ).first()
            if anchor is not None:
                break
        if anchor is None:
            raise NotFound("no such item to page from", details={"before": before})
    rows: list[tuple[Any, Any]] = []
    for table in (live, archive):
        query = sa.select(table).where(table.c.user_id == user_id)
        if anchor is not None:
            query = query.where(
                sa.or_(table.c.created_at < anchor.created_at,
                       sa.and_(table.c.created_at == anchor.created_at, table.c.id < anchor.id))
            )
        query = query.order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit + 1)
        rows.extend((row.created_at, row) for row in session.execute(query))
    rows.sort(key=lambda pair: (pair[0], pair[1].id), reverse=True)
    items = [_as_model(model, row) for _, row in rows[:limit]]
    return items, (items[-1].id if len(rows) > limit else None)
