"""Cash: each user's balance rows (the per-user lock for every money movement) and deposits (payments)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from quantum.core.columns import UTCDateTime, created_at_column, enum_type
from quantum.core.money import ZERO, Money
from quantum.core.time import utcnow

CURRENCY = "USD"


class PaymentStatus(enum.StrEnum):
    """Where a deposit stands; only `completed` moves money."""

    pending = "pending"
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"


class Balance(SQLModel, table=True):
    """A user's available cash in one currency; its row is the per-user lock for money movements."""

    __tablename__ = "balances"
    __table_args__ = (sa.UniqueConstraint("user_id", "currency", name="uq_balances_user_id_currency"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    currency: str = Field(default=CURRENCY, sa_column=sa.Column(sa.String(3), nullable=False))
    available: Decimal = Field(default=ZERO, sa_column=sa.Column(Money(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
    )


class Payment(SQLModel, table=True):
    """A deposit; a completed one raised the balance in the same transaction that wrote it."""

    __tablename__ = "payments"
    __table_args__ = (sa.Index("ix_payments_user_id_created_at", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    amount: Decimal = Field(sa_column=sa.Column(Money(), nullable=False))
    currency: str = Field(default=CURRENCY, sa_column=sa.Column(sa.String(3), nullable=False))
    network: str | None = Field(default=None, sa_column=sa.Column(sa.String(32), nullable=True))
    # Unique when present: the same on-chain transaction can never be credited twice.
    tx_hash: str | None = Field(default=None, sa_column=sa.Column(sa.String(128), nullable=True, unique=True))
    block_number: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    status: PaymentStatus = Field(
        default=PaymentStatus.pending,
        sa_column=sa.Column(enum_type(PaymentStatus, "paymentstatus"), nullable=False),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
    completed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
