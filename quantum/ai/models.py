"""Tables of the AI service: strategy templates, price bars, AI requests and their policies."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from quantum.auth.models import Tier
from quantum.core.columns import MONEY, UTCDateTime, created_at_column, enum_type
from quantum.core.time import utcnow

# Compute units carry four decimals: a risk computation over a few snapshots costs fractions of a unit.
COMPUTE_UNITS = sa.Numeric(14, 4)


class RiskLevel(enum.StrEnum):
    """How much a strategy template can lose in a bad market."""

    low = "low"
    medium = "medium"
    high = "high"


class RequestStatus(enum.StrEnum):
    """The life of a governed AI request."""

    pending = "pending"  # waiting for an administrator's approval (cost above the approval threshold)
    validating = "validating"  # recorded, being checked against the policy
    approved = "approved"  # passed the policy (or an administrator approved it), not yet run
    rejected = "rejected"  # refused by a policy rule or invalid input; `reason` says which
    executing = "executing"
    executed = "executed"
    failed = "failed"  # ran and raised; `reason` says why
    cancelled = "cancelled"  # withdrawn by its owner while pending


class StrategyTemplate(SQLModel, table=True):
    """A backtestable strategy with its parameters' types, defaults and bounds (seeded by migration 0004)."""

    __tablename__ = "strategy_templates"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    name: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    description: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    category: str = Field(sa_column=sa.Column(sa.String(32), nullable=False, index=True))
    risk_level: RiskLevel = Field(sa_column=sa.Column(enum_type(RiskLevel, "risklevel"), nullable=False))
    min_tier: Tier = Field(
        default=Tier.free, sa_column=sa.Column(enum_type(Tier, "usertier"), nullable=False, default=Tier.free)
    )
    # [{"name", "type": "int"|"float"|"symbol", "default", "min", "max", "description"}]
    parameters: list = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())


class PriceBar(SQLModel, table=True):
    """One OHLCV bar of one symbol at one timestamp (the bar's open time, UTC)."""

    __tablename__ = "price_bars"
    __table_args__ = (
        # One bar per symbol and timestamp; the index also serves "bars of SYMBOL between start and end".
        sa.UniqueConstraint("symbol", "ts", name="uq_price_bars_symbol_ts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    symbol: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    ts: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    open: Decimal = Field(sa_column=sa.Column(MONEY, nullable=False))
    high: Decimal = Field(sa_column=sa.Column(MONEY, nullable=False))
    low: Decimal = Field(sa_column=sa.Column(MONEY, nullable=False))
    close: Decimal = Field(sa_column=sa.Column(MONEY, nullable=False))
    volume: Decimal = Field(sa_column=sa.Column(MONEY, nullable=False))


def new_request_id() -> str:
    """A public, unguessable request id."""
    return str(uuid.uuid4())


class AIRequest(SQLModel, table=True):
    """One governed AI request (a risk computation or a backtest): who, what, the policy's verdict, the cost."""

    __tablename__ = "requests"
    __table_args__ = (
        # Serves "my requests, newest first" and the per-day counts of the rate limit.
        sa.Index("ix_requests_user_id_created_at", "user_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: str = Field(
        default_factory=new_request_id, sa_column=sa.Column(sa.String(36), nullable=False, unique=True)
    )
    user_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    endpoint: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    # The model (e.g. "risk-metrics/historical-v1") or the template's slug for backtests.
    model: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    template_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("strategy_templates.id", ondelete="SET NULL"), nullable=True
        ),
    )
    parameters: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    status: RequestStatus = Field(
        default=RequestStatus.validating,
        sa_column=sa.Column(
            enum_type(RequestStatus, "requeststatus"), nullable=False, default=RequestStatus.validating
        ),
    )
    # Why the request was rejected or failed, naming the rule (e.g. "rate_limit: 5 backtests per day").
    reason: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    estimated_cost: Decimal = Field(sa_column=sa.Column(COMPUTE_UNITS, nullable=False))
    actual_cost: Decimal | None = Field(default=None, sa_column=sa.Column(COMPUTE_UNITS, nullable=True))
    # The computation's output (metrics, or a backtest's summary), kept so an approved request can be read later.
    result: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_column=sa.Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    )


class Policy(SQLModel, table=True):
    """The governance rules for one tier or one user; a user's non-null fields override their tier's."""

    __tablename__ = "policies"
    __table_args__ = (
        # A policy belongs to exactly one subject: a tier or a user.
        sa.CheckConstraint("(tier IS NULL) <> (user_id IS NULL)", name="one_subject"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tier: Tier | None = Field(
        default=None, sa_column=sa.Column(enum_type(Tier, "usertier"), nullable=True, unique=True)
    )
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True, unique=True
        ),
    )
    # Template slugs this subject may run; null means every template its tier reaches (min_tier).
    allowed_templates: list | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    # {"backtests": 5, "risk-metrics": 1000}: requests per UTC day per endpoint; a missing endpoint is unlimited.
    daily_limits: dict | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    # Estimated cost (compute units) above which a request waits for an administrator's approval (202).
    approval_cost: Decimal | None = Field(default=None, sa_column=sa.Column(COMPUTE_UNITS, nullable=True))
    # Estimated cost above which a request is rejected outright (403).
    max_cost: Decimal | None = Field(default=None, sa_column=sa.Column(COMPUTE_UNITS, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_column=sa.Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    )
