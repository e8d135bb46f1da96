"""Auth tables: revoked tokens, API keys and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from quantum.models.base import UTCDateTime, created_at_column, enum_type, utcnow


class ApiKeyStatus(enum.StrEnum):
    """Whether an API key still authenticates."""

    active = "active"
    revoked = "revoked"


class TokenBlocklist(SQLModel, table=True):
    """A revoked JWT, remembered by its `jti` until it would have expired anyway."""

    __tablename__ = "token_blocklist"

    id: int | None = Field(default=None, primary_key=True)
    jti: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True, index=True))
    token_type: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    expires_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False, index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())


class ApiKey(SQLModel, table=True):
    """A long-lived credential for programmatic clients; only its SHA-256 hash is stored."""

    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False))
    prefix: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    key_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True, index=True))
    scopes: list = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    status: ApiKeyStatus = Field(
        default=ApiKeyStatus.active,
        sa_column=sa.Column(enum_type(ApiKeyStatus, "apikeystatus"), nullable=False, default=ApiKeyStatus.active),
    )
    usage_count: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, default=0))
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
    last_used_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))


class AuditLog(SQLModel, table=True):
    """Who did what, when, from which address."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_user_id_created_at", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # The account the event concerns (the actor for self-service; null when unknown).
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    action: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, index=True))
    details: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    ip_address: str | None = Field(default=None, sa_column=sa.Column(sa.String(45), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
