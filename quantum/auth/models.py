"""Auth tables: users, revoked tokens, API keys and the audit log."""

from __future__ import annotations

import enum
import warnings
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from quantum.core.columns import UTCDateTime, created_at_column, enum_type
from quantum.core.time import utcnow


class AccountStatus(enum.StrEnum):
    """Whether an account may use the API."""

    active = "active"
    suspended = "suspended"
    inactive = "inactive"


class Tier(enum.StrEnum):
    """The subscription tier, which decides scopes and limits."""

    free = "free"
    pro = "pro"
    enterprise = "enterprise"


class UserRole(enum.StrEnum):
    """What an account may administer: `admin` gates the admin routes."""

    user = "user"
    admin = "admin"


class UserBase(SQLModel):
    """Fields a client may see and set."""

    email: str = Field(sa_column=sa.Column(sa.String(254), nullable=False, unique=True))
    username: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True, unique=True))


USERNAME_KEY_INDEX = "ux_users_username_lower"
# SQLite cannot reflect expression indexes: SQLAlchemy and Alembic warn each time they skip this one, and
# the drift check can compare it on PostgreSQL only. tests/auth/test_uniqueness.py checks it exists on both.
for _message in (f"Skipped unsupported reflection of expression-based index {USERNAME_KEY_INDEX}",
                 f"autogenerate skipping metadata-specified expression-based index '{USERNAME_KEY_INDEX}'"):
    warnings.filterwarnings("ignore", message=_message)


class User(UserBase, table=True):
    """A registered account."""

    __tablename__ = "users"
    __table_args__ = (
        # Usernames keep their case but must differ in more than case: the database enforces it, so two
        # registrations racing with "Ada" and "ada" cannot both land (usernames are ASCII, so lower()
        # folds them the same way on SQLite and PostgreSQL).
        sa.Index(USERNAME_KEY_INDEX, sa.func.lower(sa.column("username")), unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    account_status: AccountStatus = Field(
        default=AccountStatus.active,
        sa_column=sa.Column(
            enum_type(AccountStatus, "accountstatus"), nullable=False, default=AccountStatus.active
        ),
    )
    tier: Tier = Field(
        default=Tier.free,
        sa_column=sa.Column(enum_type(Tier, "usertier"), nullable=False, default=Tier.free),
    )
    role: UserRole = Field(
        default=UserRole.user,
        sa_column=sa.Column(
            enum_type(UserRole, "userrole"), nullable=False, default=UserRole.user, server_default=UserRole.user.value
        ),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=created_at_column())
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_column=sa.Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    )


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
