"""API keys: made with a subset of the owner's scopes, shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from quantum.auth import audit
from quantum.auth.errors import ApiKeyRevokedError, InvalidApiKeyError
from quantum.auth.locks import lock_user
from quantum.auth.models import ApiKey, ApiKeyStatus, User
from quantum.auth.scopes import ordered, unknown_scopes
from quantum.auth.tokens import MAX_DB_ID
from quantum.core.time import utcnow
from quantum.db.unit_of_work import unit_of_work
from quantum.errors import APIError, NotFound, ValidationFailed

KEY_PREFIX = "ql"
_ALPHABET = string.ascii_letters + string.digits
_SECRET_LENGTH = 40  # about 238 bits
MAX_KEY_LENGTH = 128


def generate_key() -> tuple[str, str]:
    """A new key `ql_<prefix>_<secret>` and its display prefix `ql_<prefix>`."""
    prefix = f"{KEY_PREFIX}_{secrets.token_hex(4)}"
    secret = "".join(secrets.choice(_ALPHABET) for _ in range(_SECRET_LENGTH))
    return f"{prefix}_{secret}", prefix


def hash_key(raw: str) -> str:
    """The SHA-256 hex digest stored for a key (the key has enough entropy for a fast hash)."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@unit_of_work
def create_api_key(
    *,
    session: Session,
    user: User,
    name: str,
    scopes: Sequence[str] | None,
    granted: Sequence[str],
    max_keys: int,
    ip: str | None = None,
) -> tuple[ApiKey, str]:
    """Make a key for `user` with `scopes` (default: all of `granted`); return it and the clear key."""
    requested = list(granted) if scopes is None else list(scopes)
    if unknown := unknown_scopes(requested):
        raise ValidationFailed(
            f"unknown scopes: {', '.join(unknown)}", details={"scopes": [f"unknown: {s}" for s in unknown]}
        )
    not_granted = ordered(set(requested) - set(granted))
    if not_granted:
        raise ValidationFailed(
            f"you cannot give a key scopes you do not have: {', '.join(not_granted)}",
            details={"scopes": [f"not granted to you: {s}" for s in not_granted]},
        )
    raw, prefix = generate_key()
    # Counted under the owner's row lock: parallel creations queue here, so the cap holds.
    lock_user(session=session, user_id=user.id)
    active = session.execute(
        sa.select(sa.func.count(ApiKey.id)).where(ApiKey.user_id == user.id, ApiKey.status == ApiKeyStatus.active)
    ).scalar_one()
    if active >= max_keys:
        raise APIError(
            f"you already have {active} active API keys (the limit is {max_keys}); revoke one first",
            status=409, error="too_many_api_keys", details={"limit": max_keys},
        )
    key = ApiKey(user_id=user.id, name=name, prefix=prefix, key_hash=hash_key(raw), scopes=ordered(requested))
    session.add(key)
    session.flush()
    audit.record(session=session, action=audit.API_KEY_CREATE, user_id=user.id, ip=ip,
                 details={"api_key_id": key.id, "prefix": prefix, "name": name, "scopes": key.scopes})
    return key, raw


def list_api_keys(*, session: Session, user_id: int) -> Sequence[ApiKey]:
    """The user's keys, newest first (revoked ones included)."""
    query = sa.select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.id.desc())
    return session.execute(query).scalars().all()


@unit_of_work
def revoke_api_key(*, session: Session, user_id: int, key_id: int, ip: str | None = None) -> ApiKey:
    """Revoke one of the user's keys at once; another user's key id is 404. Idempotent."""
    key = session.get(ApiKey, key_id) if 0 < key_id <= MAX_DB_ID else None
    if key is None or key.user_id != user_id:
        raise NotFound(f"API key {key_id} not found", details={"id": key_id})
    if key.status == ApiKeyStatus.revoked:
        return key
    key.status = ApiKeyStatus.revoked
    key.revoked_at = utcnow()
    audit.record(session=session, action=audit.API_KEY_REVOKE, user_id=user_id, ip=ip,
                 details={"api_key_id": key.id, "prefix": key.prefix})
    return key


def authenticate_api_key(*, session: Session, raw: str) -> tuple[ApiKey, User]:
    """The active key and its owner for a clear key; InvalidApiKeyError or ApiKeyRevokedError otherwise."""
    raw = raw.strip()
    if not raw.startswith(KEY_PREFIX + "_") or len(raw) > MAX_KEY_LENGTH:
        raise InvalidApiKeyError("the API key is not valid")
    key = session.execute(sa.select(ApiKey).where(ApiKey.key_hash == hash_key(raw))).scalar_one_or_none()
    if key is None:
        raise InvalidApiKeyError("the API key is not valid")
    if key.status != ApiKeyStatus.active:
        raise ApiKeyRevokedError("the API key has been revoked", details={"prefix": key.prefix})
    user = session.get(User, key.user_id)
    if user is None:  # cascade makes this unreachable, but never trust a dangling row
        raise InvalidApiKeyError("the API key is not valid")
    return key, user


@unit_of_work
def record_api_key_use(*, session: Session, key: ApiKey) -> None:
    """Count one use and stamp last_used_at, atomically in SQL, committed at once."""
    now = utcnow()
    used = key.usage_count or 0  # read first: after a retry's rollback this reloads the committed count
    session.execute(
        sa.update(ApiKey)
        .where(ApiKey.id == key.id)
        .values(usage_count=ApiKey.usage_count + 1, last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    # Reflect the new values without marking the row dirty (a later flush must not write them back).
    set_committed_value(key, "usage_count", used + 1)
    set_committed_value(key, "last_used_at", now)
