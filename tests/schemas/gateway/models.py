"""An AI spending gateway's tables, on their own registry and MetaData (never SQLModel.metadata)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from quantum.core.columns import MONEY, NAMING_CONVENTION, UTCDateTime, enum_type
from quantum.core.time import utcnow

metadata = sa.MetaData(naming_convention=dict(NAMING_CONVENTION))


class GatewayModel(SQLModel, registry=registry(metadata=metadata)):
    """Base of every gateway table: registers on `metadata`, not on SQLModel.metadata."""


class AccountStatus(enum.StrEnum):
    """Whether an account may spend."""

    active = "active"
    suspended = "suspended"
    closed = "closed"


class UserTier(enum.StrEnum):
    """The plan, which decides limits."""

    free = "free"
    pro = "pro"
    enterprise = "enterprise"


class ApiKeyStatus(enum.StrEnum):
    """Whether an API key is usable."""

    active = "active"
    revoked = "revoked"
    expired = "expired"


class PaymentStatus(enum.StrEnum):
    """The state of a top-up payment."""

    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"
    refunded = "refunded"


class RequestStatus(enum.StrEnum):
    """The state of one proxied AI request."""

    pending = "pending"
    awaiting_approval = "awaiting_approval"
    completed = "completed"
    rejected = "rejected"
    failed = "failed"


def _money(*, nullable: bool = False, zero_default: bool = False) -> sa.Column:
    return sa.Column(MONEY, nullable=nullable, server_default="0" if zero_default else None)


def _created_at() -> sa.Column:
    return sa.Column(UTCDateTime(), nullable=False, default=utcnow)


def _user_fk(ondelete: str, *, index: bool) -> sa.Column:
    return sa.Column(sa.String(64), sa.ForeignKey("users.user_id", ondelete=ondelete), nullable=False, index=index)


class User(GatewayModel, table=True):
    """An account that spends through the gateway; `user_id` is the external id."""

    __tablename__ = "users"

    user_id: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    account_status: AccountStatus = Field(
        default=AccountStatus.active,
        sa_column=sa.Column(enum_type(AccountStatus, "accountstatus"), nullable=False, default=AccountStatus.active),
    )
    tier: UserTier = Field(
        default=UserTier.free,
        sa_column=sa.Column(enum_type(UserTier, "usertier"), nullable=False, default=UserTier.free),
    )
    total_spending: Decimal = Field(default=Decimal("0"), sa_column=_money(zero_default=True))
    available_balance: Decimal = Field(default=Decimal("0"), sa_column=_money(zero_default=True))
    total_requests: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, server_default="0"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created_at())
    last_request_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))


class ApiKey(GatewayModel, table=True):
    """A programmatic credential; only its hash is stored."""

    __tablename__ = "api_keys"
    __table_args__ = (
        sa.UniqueConstraint("key_hash"),
        sa.Index("idx_api_keys_key_hash", "key_hash"),
        sa.Index("idx_api_keys_user_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(sa_column=_user_fk("CASCADE", index=False))
    key_hash: str = Field(sa_column=sa.Column(sa.String(128), nullable=False))
    name: str = Field(max_length=128)
    status: ApiKeyStatus = Field(
        default=ApiKeyStatus.active,
        sa_column=sa.Column(enum_type(ApiKeyStatus, "apikeystatus"), nullable=False, default=ApiKeyStatus.active),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created_at())
    last_used_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))


class Budget(GatewayModel, table=True):
    """A spending cap for one user over one period."""

    __tablename__ = "budgets"
    __table_args__ = (sa.UniqueConstraint("user_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(sa_column=_user_fk("CASCADE", index=True))
    period: str = Field(max_length=16)
    limit_amount: Decimal = Field(sa_column=_money())
    spent_amount: Decimal = Field(default=Decimal("0"), sa_column=_money(zero_default=True))
    resets_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created_at())


class Policy(GatewayModel, table=True):
    """What a user may call: providers, models, rate limits, and when a human must approve."""

    __tablename__ = "policies"

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(sa_column=_user_fk("CASCADE", index=True))
    name: str = Field(max_length=128)
    allowed_providers: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    allowed_models: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    rate_limits: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    forbidden_operations: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    require_approval_above: Decimal | None = Field(default=None, sa_column=_money(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created_at())


class Payment(GatewayModel, table=True):
    """A top-up of a user's balance through a payment provider."""

    __tablename__ = "payments"

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(sa_column=_user_fk("RESTRICT", index=True))
    amount: Decimal = Field(sa_column=_money())
    currency: str = Field(default="USD", max_length=3)
    status: PaymentStatus = Field(
        default=PaymentStatus.pending,
        sa_column=sa.Column(enum_type(PaymentStatus, "paymentstatus"), nullable=False, default=PaymentStatus.pending),
    )
    provider: str = Field(max_length=32)
    provider_payment_id: str | None = Field(default=None, max_length=128, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created_at())
    completed_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))


class Request(GatewayModel, table=True):
    """One AI call made through the gateway, with its cost."""

    __tablename__ = "requests"
    __table_args__ = (sa.Index("idx_requests_user_id_created_at", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(sa_column=_user_fk("CASCADE", index=False))
    api_key_id: int | None = Field(default=None, foreign_key="api_keys.id", ondelete="SET NULL", index=True)
    provider: str = Field(max_length=32)
    model: str = Field(max_length=128)
    operation: str = Field(max_length=32)
    prompt_tokens: int = Field(default=0)
    completion_tokens: int = Field(default=0)
    cost: Decimal = Field(default=Decimal("0"), sa_column=_money(zero_default=True))
    status: RequestStatus = Field(
        default=RequestStatus.pending,
        sa_column=sa.Column(enum_type(RequestStatus, "requeststatus"), nullable=False, default=RequestStatus.pending),
    )
    latency_ms: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created_at())
