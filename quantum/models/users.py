"""The users table: identity, status, tier and role."""

from __future__ import annotations

import enum
import warnings
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from quantum.models.base import UTCDateTime, created_at_column, enum_type, utcnow


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
