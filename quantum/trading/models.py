"""Orders, fills, positions, risk budgets, the per-user metric aggregates, and the archive twins of orders and fills."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from quantum.core.archive import archive_table
from quantum.core.columns import UTCDateTime, created_at_column, enum_type
from quantum.core.money import ZERO, Money, quantize
from quantum.core.time import utcnow


class OrderSide(enum.StrEnum):
    """Buy or sell."""

    buy = "buy"
    sell = "sell"


class OrderStatus(enum.StrEnum):
    """Paper orders fill at once or are rejected; nothing rests on a book."""

    filled = "filled"
    rejected = "rejected"


def _user_fk() -> sa.Column:
    return sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)


def _money(nullable: bool = False) -> sa.Column:
    return sa.Column(Money(), nullable=nullable)


class Order(SQLModel, table=True):
    """One order as submitted, and its outcome (filled at the limit price, or rejected and why)."""

    __tablename__ = "orders"
    __table_args__ = (
        # Own orders, newest first, with the keyset cursor.
        sa.Index("ix_orders_user_id_created_at", "user_id", "created_at"),
        # Idempotency: one order per client_order_id per user (NULLs are distinct, so it is optional).
        sa.UniqueConstraint("user_id", "client_order_id", name="uq_orders_user_id_client_order_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    client_order_id: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
    # SHA-256 of the normalized request that created the order: a client_order_id sent again with a
    # different request is refused instead of answered with this order.
    request_hash: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True))
    symbol: str = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    side: OrderSide = Field(sa_column=sa.Column(enum_type(OrderSide, "orderside"), nullable=False))
    quantity: Decimal = Field(sa_column=_money())
    price: Decimal = Field(sa_column=_money())
    notional: Decimal = Field(sa_column=_money())
    status: OrderStatus = Field(sa_column=sa.Column(enum_type(OrderStatus, "orderstatus"), nullable=False))
    filled_quantity: Decimal = Field(default=ZERO, sa_column=_money())
    realized_pnl: Decimal = Field(default=ZERO, sa_column=_money())
    reject_reason: str | None = Field(default=None, sa_column=sa.Column(sa.String(40), nullable=True))
    reject_details: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
    filled_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))


class Fill(SQLModel, table=True):
    """One execution of an order (paper orders have exactly one when filled)."""

    __tablename__ = "fills"
    __table_args__ = (
        sa.Index("ix_fills_order_id", "order_id"),
        sa.Index("ix_fills_user_id_created_at", "user_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False)
    )
    user_id: int = Field(sa_column=_user_fk())
    symbol: str = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    quantity: Decimal = Field(sa_column=_money())
    price: Decimal = Field(sa_column=_money())
    notional: Decimal = Field(sa_column=_money())
    realized_pnl: Decimal = Field(default=ZERO, sa_column=_money())
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())


class Position(SQLModel, table=True):
    """Holdings of one symbol: quantity, cost basis (exact money paid for what is held), realized P&L."""

    __tablename__ = "positions"
    __table_args__ = (sa.UniqueConstraint("user_id", "symbol", name="uq_positions_user_id_symbol"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    symbol: str = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    quantity: Decimal = Field(default=ZERO, sa_column=_money())
    # The cost basis is stored rather than the average cost so that cash + cost basis - realized
    # P&L is conserved exactly; the average cost is derived from it.
    cost_basis: Decimal = Field(default=ZERO, sa_column=_money())
    realized_pnl: Decimal = Field(default=ZERO, sa_column=_money())
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
    )

    @property
    def average_cost(self) -> Decimal:
        """Cost basis per unit held (zero when flat)."""
        return average_cost(self.cost_basis, self.quantity)


def average_cost(cost_basis: Decimal, quantity: Decimal) -> Decimal:
    """Cost basis per unit held (zero when flat), for a position read as plain columns too."""
    return quantize(cost_basis / quantity) if quantity else ZERO


class Budget(SQLModel, table=True):
    """Risk limits of one user and the notional spent in the current day and month (UTC)."""

    __tablename__ = "budgets"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    # NULL means "no limit".
    per_order_limit: Decimal | None = Field(default=None, sa_column=_money(nullable=True))
    daily_limit: Decimal | None = Field(default=None, sa_column=_money(nullable=True))
    monthly_limit: Decimal | None = Field(default=None, sa_column=_money(nullable=True))
    daily_spent: Decimal = Field(default=ZERO, sa_column=_money())
    monthly_spent: Decimal = Field(default=ZERO, sa_column=_money())
    daily_period_start: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    daily_period_end: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    monthly_period_start: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    monthly_period_end: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
    )


class _MetricCounters(SQLModel):
    """Counters kept by the order transaction; metrics are sums of these, never scans of orders."""

    # sa_type rather than sa_column: a mixin's Column objects cannot be shared by two tables.
    orders_total: int = Field(default=0, sa_type=sa.Integer, nullable=False)
    orders_filled: int = Field(default=0, sa_type=sa.Integer, nullable=False)
    orders_rejected: int = Field(default=0, sa_type=sa.Integer, nullable=False)
    buy_volume: Decimal = Field(default=ZERO, sa_type=Money, nullable=False)
    sell_volume: Decimal = Field(default=ZERO, sa_type=Money, nullable=False)
    realized_pnl: Decimal = Field(default=ZERO, sa_type=Money, nullable=False)
    closing_trades: int = Field(default=0, sa_type=sa.Integer, nullable=False)  # sell fills, which realize P&L
    winning_trades: int = Field(default=0, sa_type=sa.Integer, nullable=False)  # sell fills with P&L > 0


class DailyMetric(_MetricCounters, table=True):
    """One user's figures for one symbol on one UTC day: serves date ranges, per day and per symbol."""

    __tablename__ = "trading_daily_metrics"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "day", "symbol", name="uq_trading_daily_metrics_user_id_day_symbol"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    day: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    symbol: str = Field(sa_column=sa.Column(sa.String(12), nullable=False))


class SymbolMetric(_MetricCounters, table=True):
    """One user's all-time figures for one symbol, and its last fill price (for valuing positions)."""

    __tablename__ = "trading_symbol_metrics"
    __table_args__ = (sa.UniqueConstraint("user_id", "symbol", name="uq_trading_symbol_metrics_user_id_symbol"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    symbol: str = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    last_price: Decimal | None = Field(default=None, sa_column=_money(nullable=True))
    last_fill_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))


orders_archive = archive_table(Order.__table__, SQLModel.metadata, ("user_id", "created_at"))
fills_archive = archive_table(Fill.__table__, SQLModel.metadata, ("order_id",))
