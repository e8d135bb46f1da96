"""Accounts: registration, login, logout, refresh and changes of status, tier and role.

Services take a session and plain data as keyword arguments, write one unit of work each
(`quantum.db.unit_of_work`), and know nothing of HTTP.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quantum.auth import audit
from quantum.auth.errors import AccountSuspendedError, AuthError, InsufficientRoleError, InvalidCredentialsError
from quantum.auth.locks import lock_active_admins
from quantum.auth.models import AccountStatus, Tier, User, UserRole
from quantum.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from quantum.auth.tokens import (
    FAMILY_CLAIM,
    MAX_DB_ID,
    claim_refresh_token,
    family_key,
    issue_tokens,
    purge_expired_tokens,
    revoke_family,
    revoke_token,
    user_id_from_subject,
)
from quantum.db.unit_of_work import RaiseAfterCommit, unit_of_work
from quantum.errors import Conflict, NotFound, ValidationFailed


def normalize_email(email: str) -> str:
    """Emails compare trimmed and lower-cased."""
    return email.strip().lower()


def get_user(*, session: Session, user_id: int) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id) if 0 < user_id <= MAX_DB_ID else None


def get_user_by_email(*, session: Session, email: str) -> User | None:
    """The user with this email (normalized), or None."""
    return session.execute(sa.select(User).where(User.email == normalize_email(email))).scalar_one_or_none()


def require_user_by_email(*, session: Session, email: str) -> User:
    """The user with this email; NotFound naming the email otherwise."""
    user = get_user_by_email(session=session, email=email)
    if user is None:
        raise NotFound(f"no user with email {normalize_email(email)!r}")
    return user


def _username_taken(session: Session, username: str) -> bool:
    # Usernames keep their case but must differ in more than case.
    query = sa.select(User.id).where(sa.func.lower(User.username) == username.lower()).limit(1)
    return session.execute(query).first() is not None


def _check_unique(session: Session, email: str, username: str | None) -> None:
    if get_user_by_email(session=session, email=email) is not None:
        raise Conflict("an account with this email already exists", error="email_taken", details={"email": [
            "already registered"]})
    if username and _username_taken(session, username):
        raise Conflict("this username is taken", error="username_taken", details={"username": ["already taken"]})


def create_user(*, session: Session, data: dict[str, Any], ip: str | None = None, actor_id: int | None = None) -> User:
    """Register an account from `email`, `password` and optional `username`, `tier`, `role`."""
    try:
        return _register(session=session, data=data, ip=ip, actor_id=actor_id)
    except IntegrityError:
        # Lost a race with a concurrent registration: say which field clashed.
        _check_unique(session, normalize_email(data["email"]), _username(data))
        raise


def _username(data: dict[str, Any]) -> str | None:
    """The requested username, trimmed; None when there is none."""
    return (data.get("username") or "").strip() or None


@unit_of_work
def _register(*, session: Session, data: dict[str, Any], ip: str | None, actor_id: int | None) -> User:
    """The registration's transaction: check, insert the account and its audit entry."""
    email = normalize_email(data["email"])
    username = _username(data)
    if problems := password_problems(data["password"], email=email):
        raise ValidationFailed("the password " + "; ".join(problems), details={"password": problems})
    _check_unique(session, email, username)
    user = User(
        email=email,
        username=username,
        password_hash=hash_password(data["password"]),
        tier=Tier(data.get("tier") or Tier.free),
        role=UserRole(data.get("role") or UserRole.user),
    )
    session.add(user)
    session.flush()
    details: dict[str, Any] = {"email": email}
    if actor_id is not None:
        details["actor_id"] = actor_id
    audit.record(session=session, action=audit.REGISTER, user_id=user.id, ip=ip, details=details)
    return user


@unit_of_work
def authenticate_user(*, session: Session, email: str, password: str, ip: str | None = None) -> User:
    """The user for these credentials; the same InvalidCredentialsError for an unknown email or a wrong password.

    A failed attempt is audited: the entry is committed, then the error raised.
    """
    email = normalize_email(email)
    user = get_user_by_email(session=session, email=email)
    # Unknown emails verify against a dummy hash, so both failures take the same time.
    valid = verify_password(user.password_hash if user else None, password)
    if not valid:
        audit.record(session=session, action=audit.LOGIN_FAILED, user_id=user.id if user else None, ip=ip,
                     details={"email": email[:254], "reason": "wrong_password" if user else "unknown_email"})
        raise RaiseAfterCommit(InvalidCredentialsError())
    assert user is not None
    if user.account_status != AccountStatus.active:
        audit.record(session=session, action=audit.LOGIN_FAILED, user_id=user.id, ip=ip,
                     details={"email": email, "reason": f"account_{user.account_status.value}"})
        raise RaiseAfterCommit(AccountSuspendedError(f"this account is {user.account_status.value}",
                                                     details={"account_status": user.account_status.value}))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session=session, action=audit.LOGIN, user_id=user.id, ip=ip)
    return user


def login(*, session: Session, email: str, password: str, ip: str | None = None) -> dict[str, Any]:
    """Check the credentials and return a token pair."""
    user = authenticate_user(session=session, email=email, password=password, ip=ip)
    return issue_tokens(user=user)


REFRESH_REUSE = "auth.refresh_reuse"


def refresh(*, session: Session, user: User, refresh_payload: dict[str, Any]) -> dict[str, Any]:
    """Rotate a refresh token: revoke the one presented and return a new pair of the same family.

    Atomic: of N concurrent calls with one token exactly one succeeds; the others were verified
    before the winner committed (a race, not a replay), so they get 401 and the family lives on.
    """
    if not claim_refresh_token(session=session, payload=refresh_payload):
        raise AuthError(
            "this refresh token was just used by a concurrent request: use the tokens that request received",
            error="token_revoked", details={"token_type": "refresh", "reason": "rotated_concurrently"},
        )
    family = refresh_payload.get(FAMILY_CLAIM)
    return issue_tokens(user=user, family=family if family_key(family) else None)


def report_refresh_reuse(*, session: Session, refresh_payload: dict[str, Any], ip: str | None = None) -> bool:
    """A revoked refresh token came back: revoke its whole family, access tokens included; audited.

    OAuth 2.0 security BCP for refresh-token rotation: a rotated (or logged-out) refresh token that
    is presented again was copied, so neither its holder nor whoever rotated it can be trusted.
    Returns whether a family was revoked (tokens issued before families existed have none).
    """
    try:
        return _revoke_reused_family(session=session, refresh_payload=refresh_payload, ip=ip)
    except IntegrityError:
        return True  # a concurrent reuse revoked the family first


@unit_of_work
def _revoke_reused_family(*, session: Session, refresh_payload: dict[str, Any], ip: str | None) -> bool:
    """The reuse report's transaction: the family's blocklist entry and its audit entry."""
    user_id = user_id_from_subject(refresh_payload.get("sub"))
    revoked = revoke_family(session=session, payload=refresh_payload)
    if revoked and user_id is not None and session.get(User, user_id) is not None:
        audit.record(session=session, action=REFRESH_REUSE, user_id=user_id, ip=ip,
                     details={"jti": str(refresh_payload.get("jti"))[:64], "family_revoked": True})
    return revoked


@unit_of_work
def logout(
    *,
    session: Session,
    user: User,
    access_payload: dict[str, Any],
    refresh_payload: dict[str, Any] | None = None,
    ip: str | None = None,
) -> dict[str, Any]:
    """Revoke the access token (and a refresh token of the same user), purging expired entries."""
    revoke_token(session=session, payload=access_payload)
    refresh_revoked = refresh_payload is not None and revoke_token(session=session, payload=refresh_payload)
    purged = purge_expired_tokens(session=session)
    audit.record(session=session, action=audit.LOGOUT, user_id=user.id, ip=ip,
                 details={"jti": access_payload["jti"], "refresh_revoked": bool(refresh_revoked)})
    return {"revoked": ["access", "refresh"] if refresh_revoked else ["access"], "purged": purged}


_CHANGES = {
    "account_status": (AccountStatus, audit.STATUS_CHANGE),
    "tier": (Tier, audit.TIER_CHANGE),
    "role": (UserRole, audit.ROLE_CHANGE),
}


def _apply_change(
    session: Session, user: User, field: str, value: Any, actor_id: int | None, ip: str | None, via: str
) -> None:
    kind, action = _CHANGES[field]
    before, after = getattr(user, field), kind(value)
    if before == after:
        return
    setattr(user, field, after)
    details: dict[str, Any] = {"from": before.value, "to": after.value, "via": via}
    if actor_id is not None:
        details["actor_id"] = actor_id
    audit.record(session=session, action=action, user_id=user.id, ip=ip, details=details)


def _may_remove_an_admin(changes: dict[str, Any]) -> bool:
    """Whether `changes` could take an account out of the active admins."""
    return ("role" in changes and UserRole(changes["role"]) != UserRole.admin) or (
        "account_status" in changes and AccountStatus(changes["account_status"]) != AccountStatus.active
    )


def _keep_an_admin(session: Session, user: User, changes: dict[str, Any], actor_id: int) -> None:
    """Under a lock on the active admins: refuse a change that would leave none, or an actor no longer admin.

    Two admins demoting each other at the same moment queue on the lock; the second sees the first's
    change committed, is no longer an admin itself, and is refused.
    """
    admins = lock_active_admins(session=session)
    session.refresh(user)  # decide on the latest committed state, read under the lock
    if user.id in admins and len(admins) == 1:
        raise Conflict(
            "this is the last active admin: promote another account to admin first",
            error="last_admin", details={"user_id": user.id, "changes": sorted(changes)},
        )
    if actor_id not in admins:
        raise InsufficientRoleError("you are no longer an active admin", details={"required_role": "admin"})


@unit_of_work
def update_user(
    *,
    session: Session,
    user: User,
    changes: dict[str, Any],
    actor_id: int | None = None,
    ip: str | None = None,
    via: str = "api",
) -> User:
    """Change any of account_status, tier and role in one audited transaction; applies at once."""
    if unknown := set(changes) - set(_CHANGES):
        raise ValidationFailed("unknown fields", details={name: ["cannot be changed here"] for name in unknown})
    if actor_id is not None and actor_id == user.id and ({"account_status", "role"} & set(changes)):
        raise Conflict("an admin cannot change their own status or role", error="cannot_modify_self")
    # Admins acting through the API must leave one active admin; the operator's CLI (no actor), which
    # is also how admins are made, is not held to it.
    if actor_id is not None and _may_remove_an_admin(changes):
        _keep_an_admin(session, user, changes, actor_id)
    for field, value in changes.items():
        _apply_change(session, user, field, value, actor_id, ip, via)
    return user


def set_account_status(*, session: Session, user: User, status: AccountStatus | str, via: str = "api") -> User:
    """Set the account status (effective at once for existing tokens and keys); audited."""
    return update_user(session=session, user=user, changes={"account_status": status}, via=via)


def set_tier(*, session: Session, user: User, tier: Tier | str, via: str = "api") -> User:
    """Set the tier (scopes follow at once); audited."""
    return update_user(session=session, user=user, changes={"tier": tier}, via=via)


def set_role(*, session: Session, user: User, role: UserRole | str, via: str = "api") -> User:
    """Set the role (admin routes follow at once); audited."""
    return update_user(session=session, user=user, changes={"role": role}, via=via)


def list_users(*, session: Session, limit: int = 50, offset: int = 0, email: str | None = None) -> list[User]:
    """Users by id; `email` filters by a case-insensitive substring."""
    query = sa.select(User).order_by(User.id).limit(limit).offset(offset)
    if email:
        pattern = "%" + email.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(User.email.like(pattern, escape="\\"))
    return list(session.execute(query).scalars())
