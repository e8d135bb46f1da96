"""Archive twins: a cold-storage copy of a live table's columns, declared beside the live table."""

from __future__ import annotations

import sqlalchemy as sa


def archive_table(source: sa.Table, metadata: sa.MetaData, *indexes: tuple[str, ...]) -> sa.Table:
    """An archive twin of `source`: same columns and ids, enums as strings, plus `archived_at`."""
    columns = []
    for column in source.columns:
        column_type = column.type.impl if isinstance(column.type, sa.types.TypeDecorator) else column.type
        # Archives are cold storage: plain strings instead of enum types keep them free of enum migrations.
        archived_type = sa.String(32) if isinstance(column_type, sa.Enum) else column.type
        columns.append(
            sa.Column(column.name, archived_type, primary_key=column.primary_key, nullable=column.nullable,
                      autoincrement=False)
        )
    columns.append(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False))
    name = f"{source.name}_archive"
    table_indexes = [sa.Index(f"ix_{name}_{'_'.join(cols)}", *cols) for cols in indexes]
    return sa.Table(name, metadata, *columns, *table_indexes)
