"""Portfolio snapshots: a user's holdings and their value at a moment, with the snapshots' archive twin."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from quantum.core.archive import archive_table
from quantum.core.columns import MONEY, created_at_column
from quantum.core.time import utcnow


class PortfolioSnapshot(SQLModel, table=True):
    """Holdings and cash of one user at one moment, valued on the server."""

    __tablename__ = "portfolio_snapshots"
    __table_args__ = (
        # Serves "newest first for one user" and the `before` cursor.
        sa.Index("ix_portfolio_snapshots_user_id_created_at", "user_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    snapshot_data: dict = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    total_value: Decimal = Field(sa_column=sa.Column(MONEY, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())


snapshots_archive = archive_table(PortfolioSnapshot.__table__, SQLModel.metadata, ("user_id", "created_at"))
