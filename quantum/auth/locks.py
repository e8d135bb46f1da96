"""Row locks for the account rules the database alone cannot state: the API-key cap and the last admin.

PostgreSQL: `SELECT ... FOR UPDATE` on the rows the rule is about, in id order (no deadlocks between
two such transactions). SQLite has no row locks: a no-op UPDATE as the transaction's first write
takes the database write lock (waiting up to busy_timeout, as BEGIN IMMEDIATE would), and every read
after it sees the latest committed data. Either way the lock is held until the caller commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from quantum.auth.models import AccountStatus, User, UserRole

_ACTIVE_ADMIN = sa.and_(User.role == UserRole.admin, User.account_status == AccountStatus.active)


def _take_sqlite_write_lock(session: Session, where: sa.ColumnElement[bool]) -> None:
    # Core UPDATE without ORM onupdate hooks: updated_at must not change.
    session.execute(sa.update(User.__table__).where(where).values(id=User.__table__.c.id))


def lock_user(*, session: Session, user_id: int) -> None:
    """Lock one account's row until the transaction ends (serializes per-user caps such as API keys)."""
    if session.get_bind().dialect.name == "sqlite":
        _take_sqlite_write_lock(session, User.__table__.c.id == user_id)
        return
    session.execute(sa.select(User.id).where(User.id == user_id).with_for_update())


def lock_active_admins(*, session: Session) -> list[int]:
    """Lock the active admins' rows and return their ids (read after the lock: the latest committed state)."""
    if session.get_bind().dialect.name == "sqlite":
        _take_sqlite_write_lock(session, _ACTIVE_ADMIN)
        return list(session.scalars(sa.select(User.id).where(_ACTIVE_ADMIN).order_by(User.id)))
    return list(session.scalars(sa.select(User.id).where(_ACTIVE_ADMIN).order_by(User.id).with_for_update()))
