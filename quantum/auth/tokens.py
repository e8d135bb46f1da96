"""JWTs: issuing access and refresh tokens, revoking them, and the flask-jwt-extended callbacks."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, g
from flask_jwt_extended import JWTManager, create_access_token, create_refresh_token
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quantum.auth.models import TokenBlocklist, User
from quantum.auth.scopes import scopes_for_user
from quantum.core.time import utcnow
from quantum.db.unit_of_work import unit_of_work

MAX_DB_ID = 2**31 - 1  # an INTEGER primary key; larger ids cannot exist
# Every token carries the id of its family: the login that started it and every rotation since.
FAMILY_CLAIM = "fam"
FAMILY_PREFIX = "family:"  # a revoked family is a blocklist entry whose jti is "family:<id>"
_USER_ID = re.compile(r"[1-9][0-9]{0,9}")


def _seconds(setting: str) -> int | None:
    value = current_app.config[setting]
    if value is False:
        return None
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return int(value)


def token_claims(user: User) -> dict[str, Any]:
    """The claims an access token carries: tier, role and the scopes they grant."""
    return {"tier": user.tier.value, "role": user.role.value, "scopes": scopes_for_user(user)}


def new_family() -> str:
    """A new token family id (a login starts one; rotations keep it)."""
    return uuid.uuid4().hex


def family_key(family: object) -> str | None:
    """The blocklist jti that revokes a whole family, or None for a token without a family."""
    return FAMILY_PREFIX + family if isinstance(family, str) and 0 < len(family) <= 48 else None


def issue_tokens(*, user: User, family: str | None = None) -> dict[str, Any]:
    """A fresh access and refresh token pair for `user` in `family` (default: a new family)."""
    identity = str(user.id)
    claims = token_claims(user)
    family = family or new_family()
    return {
        "access_token": create_access_token(identity=identity, additional_claims={**claims, FAMILY_CLAIM: family}),
        "refresh_token": create_refresh_token(identity=identity, additional_claims={FAMILY_CLAIM: family}),
        "token_type": "Bearer",
        "expires_in": _seconds("JWT_ACCESS_TOKEN_EXPIRES"),
        "refresh_expires_in": _seconds("JWT_REFRESH_TOKEN_EXPIRES"),
        "scopes": claims["scopes"],
    }


# The user named by a token and whether the token or its family is revoked, in one statement. Built once:
# composing a SELECT costs more than running this one (SQLAlchemy caches the compiled form by its structure).
_REVOKED = sa.exists().where(TokenBlocklist.jti.in_([sa.bindparam("jti"), sa.bindparam("family")]))
_USER_AND_REVOKED = sa.select(User, _REVOKED.label("revoked")).where(User.id == sa.bindparam("user_id"))


def load_user_and_revoked(
    *, session: Session, user_id: int, jti: str, family: str | None = None
) -> tuple[User, bool] | None:
    """The user with this id and whether `jti` (or its `family` key) is on the blocklist; None when no such user."""
    row = session.execute(_USER_AND_REVOKED, {"user_id": user_id, "jti": jti, "family": family}).first()
    return None if row is None else (row[0], bool(row[1]))


def is_token_revoked(*, session: Session, jti: str, family: str | None = None) -> bool:
    """Whether the token with this `jti`, or its whole family, is on the blocklist."""
    return bool(session.execute(sa.select(_REVOKED), {"jti": jti, "family": family}).scalar())


def _expiry_of(payload: dict[str, Any]) -> datetime:
    exp = payload.get("exp")
    # A token without `exp` never expires: keep its entry for a century.
    return datetime.fromtimestamp(exp, UTC) if exp else utcnow() + timedelta(days=36500)


def revoke_token(*, session: Session, payload: dict[str, Any]) -> bool:
    """Put a decoded token on the blocklist in the caller's transaction; False when it already was."""
    jti = payload["jti"]
    if is_token_revoked(session=session, jti=jti):
        return False
    session.add(TokenBlocklist(jti=jti, token_type=payload.get("type", "access"),
                               user_id=user_id_from_subject(payload.get("sub")), expires_at=_expiry_of(payload)))
    return True


def claim_refresh_token(*, session: Session, payload: dict[str, Any]) -> bool:
    """Rotate a refresh token: put it on the blocklist and commit; False when a concurrent call did first.

    The blocklist's unique `jti` makes this the one atomic step of a rotation: of N calls presenting
    the same token, exactly one INSERT commits (PostgreSQL makes the others wait for it and then fail
    the unique check; SQLite serializes the writers), so exactly one gets a new pair.
    """
    try:
        _block_refresh_token(session=session, payload=payload)
    except IntegrityError:
        return False
    return True


@unit_of_work
def _block_refresh_token(*, session: Session, payload: dict[str, Any]) -> None:
    """The rotation's one write: the presented refresh token on the blocklist."""
    session.add(TokenBlocklist(jti=payload["jti"], token_type="refresh",
                               user_id=user_id_from_subject(payload.get("sub")), expires_at=_expiry_of(payload)))


def revoke_family(*, session: Session, payload: dict[str, Any]) -> bool:
    """Revoke every token of the payload's family (in the caller's transaction); False when it has none.

    The entry lives as long as the longest-lived token of the family can: a refresh token issued now.
    """
    key = family_key(payload.get(FAMILY_CLAIM))
    if key is None:
        return False
    if is_token_revoked(session=session, jti=key):
        return True
    lifetime = _seconds("JWT_REFRESH_TOKEN_EXPIRES") or 36500 * 24 * 3600
    session.add(TokenBlocklist(jti=key, token_type="family", user_id=user_id_from_subject(payload.get("sub")),
                               expires_at=utcnow() + timedelta(seconds=lifetime)))
    return True


def purge_expired_tokens(*, session: Session) -> int:
    """Delete blocklist entries of tokens that have expired anyway (in the caller's transaction)."""
    result = session.execute(sa.delete(TokenBlocklist).where(TokenBlocklist.expires_at < utcnow()))
    return result.rowcount or 0


def user_id_from_subject(sub: object) -> int | None:
    """The user id in a token's `sub` (ASCII digits only), or None when it cannot be one."""
    # Not str.isdigit(): it accepts "\u0661" (Arabic-Indic one), which int() reads as 1.
    if not isinstance(sub, str) or not _USER_ID.fullmatch(sub):
        return None
    user_id = int(sub)
    return user_id if 0 < user_id <= MAX_DB_ID else None


def install_jwt_callbacks(jwt: JWTManager, session_factory: Any) -> None:
    """Load the user named by `sub` and consult the blocklist on every verified token.

    flask-jwt-extended asks the blocklist first, then for the user, with the same payload. The blocklist
    callback reads both in one query and hands the user to the lookup through `g`, tied to that payload
    object: nothing outlives the request, and a lookup for any other payload queries by itself.
    """

    @jwt.user_lookup_loader
    def _load_user(_header: dict, payload: dict) -> User | None:
        loaded = g.pop("_quantum_token_user", None)
        if loaded is not None and loaded[0] is payload:
            return loaded[1]
        user_id = user_id_from_subject(payload.get("sub"))
        return None if user_id is None else session_factory().get(User, user_id)

    @jwt.token_in_blocklist_loader
    def _is_revoked(_header: dict, payload: dict) -> bool:
        g.pop("_quantum_token_user", None)
        jti = payload.get("jti")
        if not isinstance(jti, str):
            return True
        user_id = user_id_from_subject(payload.get("sub"))
        family = family_key(payload.get(FAMILY_CLAIM))
        found = None if user_id is None else load_user_and_revoked(
            session=session_factory(), user_id=user_id, jti=jti, family=family
        )
        if found is None:  # no such user: the lookup will say so, but a revoked token is reported first
            return is_token_revoked(session=session_factory(), jti=jti, family=family)
        user, revoked = found
        if not revoked:
            g._quantum_token_user = (payload, user)
        return revoked
