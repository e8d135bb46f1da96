"""The audit log: who did what, when, from which address."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from quantum.auth.models import AuditLog

# The actions written today; `action` is free text so new ones need no migration.
LOGIN = "auth.login"
LOGIN_FAILED = "auth.login_failed"
LOGOUT = "auth.logout"
REGISTER = "user.register"
STATUS_CHANGE = "user.status_change"
TIER_CHANGE = "user.tier_change"
ROLE_CHANGE = "user.role_change"
API_KEY_CREATE = "api_key.create"
API_KEY_REVOKE = "api_key.revoke"


def record(
    *, session: Session, action: str, user_id: int | None, ip: str | None = None, details: dict[str, Any] | None = None
) -> AuditLog:
    """Add an audit entry to the caller's transaction (the caller commits)."""
    entry = AuditLog(user_id=user_id, action=action, details=details or {}, ip_address=(ip or None) and ip[:45])
    session.add(entry)
    return entry


def list_entries(
    *,
    session: Session,
    user_id: int | None = None,
    action: str | None = None,
    limit: int = 50,
    before_id: int | None = None,
) -> Sequence[AuditLog]:
    """Audit entries newest first, optionally for one account or action, paged by id."""
    query = sa.select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if user_id is not None:
        query = query.where(AuditLog.user_id == user_id)
    if action is not None:
        query = query.where(AuditLog.action == action)
    if before_id is not None:
        query = query.where(AuditLog.id < before_id)
    return session.execute(query).scalars().all()
