"""Archive twins of portfolio_snapshots, orders and fills (same ids, plus archived_at)."""

from __future__ import annotations

from sqlmodel import SQLModel

from quantum.db.archive import archive_table
from quantum.models.portfolio import PortfolioSnapshot
from quantum.trading.models import Fill, Order

snapshots_archive = archive_table(PortfolioSnapshot.__table__, SQLModel.metadata, ("user_id", "created_at"))
orders_archive = archive_table(Order.__table__, SQLModel.metadata, ("user_id", "created_at"))
fills_archive = archive_table(Fill.__table__, SQLModel.metadata, ("order_id",))
