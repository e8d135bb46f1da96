"""Archive plans for quantum's tables, retention from configuration, and the audit of every batch."""

from __future__ import annotations

import getpass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from quantum.auth.models import AuditLog
from quantum.ops.archive import ArchivePlan, ArchiveResult, ChildTable, archive_in_batches
from quantum.portfolio.models import PortfolioSnapshot, snapshots_archive
from quantum.trading.models import Fill, Order, OrderStatus, fills_archive, orders_archive

PLANS = {
    "portfolio_snapshots": ArchivePlan(PortfolioSnapshot.__table__, snapshots_archive),
    # Only filled orders move, each with its fills; rejected ones are small and stay for the idempotency check.
    "orders": ArchivePlan(
        Order.__table__,
        orders_archive,
        condition=lambda table: table.c.status == OrderStatus.filled,
        children=(ChildTable(Fill.__table__, fills_archive, "order_id"),),
    ),
}
def archive(
    *,
    engine: Engine,
    table: str,
    older_than: timedelta,
    batch_size: int = 1000,
    dry_run: bool = False,
    pause: float = 0.0,
    actor: str | None = None,
) -> ArchiveResult:
    """Archive one table's rows older than `older_than`; each batch writes its audit record in its own transaction."""
    plan = PLANS[table]
    cutoff = datetime.now(timezone.utc) - older_than
    who = actor or getpass.getuser()
    criteria = f"{plan.age_column} < {cutoff.isoformat()}" + (" and status = filled" if table == "orders" else "")

    def audit(connection: Connection, batch: ArchiveResult, _count: int) -> None:
        connection.execute(
            sa.insert(AuditLog.__table__).values(
                user_id=None,
                action=f"archive.{table}",
                details={"rows": batch.rows, "children": batch.children, "criteria": criteria, "actor": who},
                created_at=datetime.now(timezone.utc),
            )
        )

    return archive_in_batches(
        engine, plan, cutoff=cutoff, batch_size=batch_size, dry_run=dry_run, pause=pause, on_batch=audit
    )
