"""JWTs: issuing access and refresh tokens, revoking them, and the flask-jwt-extended callbacks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, g
from flask_jwt_extended import JWTManager, create_access_token, create_refresh_token
from sqlalchemy.orm import Session

from quantum.auth.models import TokenBlocklist
from quantum.auth.scopes import scopes_for_user
from quantum.models.base import utcnow
from quantum.models.users import User

MAX_DB_ID = 2**31 - 1  # an INTEGER primary key; larger ids cannot exist
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


def issue_tokens(user: User) -> dict[str, Any]:
    """A fresh access and refresh token pair for `user` (`sub` is the user id as a string)."""
    identity = str(user.id)
    claims = token_claims(user)
    return {
        "access_token": create_access_token(identity=identity, additional_claims=claims),
        "refresh_token": create_refresh_token(identity=identity),
        "token_type": "Bearer",
        "expires_in": _seconds("JWT_ACCESS_TOKEN_EXPIRES"),
        "refresh_expires_in": _seconds("JWT_REFRESH_TOKEN_EXPIRES"),
        "scopes": claims["scopes"],
    }


# The user named by a token and whether the token is revoked, in one statement. Built once: composing a
# SELECT costs more than running this one (SQLAlchemy caches the compiled form by its structure).
_USER_AND_REVOKED = (
    sa.select(User, sa.exists().where(TokenBlocklist.jti == sa.bindparam("jti")).label("revoked"))
    .where(User.id == sa.bindparam("user_id"))
)


def load_user_and_revoked(*, session: Session, user_id: int, jti: str) -> tuple[User, bool] | None:
    """The user with this id and whether `jti` is on the blocklist, in one query; None when no such user."""
    row = session.execute(_USER_AND_REVOKED, {"user_id": user_id, "jti": jti}).first()
    return None if row is None else (row[0], bool(row[1]))


def is_token_revoked(*, session: Session, jti: str) -> bool:
    """Whether the token with this `jti` is on the blocklist."""
    query = sa.select(TokenBlocklist.id).where(TokenBlocklist.jti == jti).limit(1)
    return session.execute(query).first() is not None


def revoke_token(*, session: Session, payload: dict[str, Any]) -> bool:
    """Put a decoded token on the blocklist in the caller's transaction; False when it already was."""
    jti = payload["jti"]
    if is_token_revoked(session=session, jti=jti):
        return False
    exp = payload.get("exp")
    # A token without `exp` never expires: keep its entry for a century.
    expires_at = datetime.fromtimestamp(exp, UTC) if exp else utcnow() + timedelta(days=36500)
    user_id = user_id_from_subject(payload.get("sub"))
    session.add(TokenBlocklist(jti=jti, token_type=payload.get("type", "access"), user_id=user_id,
                               expires_at=expires_at))
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
        found = None if user_id is None else load_user_and_revoked(session=session_factory(), user_id=user_id, jti=jti)
        if found is None:  # no such user: the lookup will say so, but a revoked token is reported first
            return is_token_revoked(session=session_factory(), jti=jti)
        user, revoked = found
        if not revoked:
            g._quantum_token_user = (payload, user)
        return revoked
