"""`@auth_required(*scopes)`: one decorator that authenticates, checks the account and the scopes.

Credentials are `Authorization: Bearer <access JWT>` or `X-API-Key: <key>`. On every request
the user is loaded from the database, so a suspension, a tier change or a role change applies
at once, to tokens and keys issued before it too. Effective scopes:

* access token: the scopes of the user's current tier and role (the `scopes` claim is a copy for clients);
* API key: the key's scopes that the user's current tier and role still grant.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, request
from flask_jwt_extended import get_current_user as jwt_current_user
from flask_jwt_extended import get_jwt

from quantum.auth.apikeys import authenticate_api_key, record_api_key_use
from quantum.auth.errors import AccountSuspendedError, AuthError, InsufficientRoleError, InsufficientScopeError
from quantum.auth.jwtverify import verify_jwt
from quantum.auth.models import AccountStatus, User, UserRole
from quantum.auth.scopes import ADMIN, ordered, scopes_for_user, unknown_scopes
from quantum.extensions import db

API_KEY_HEADER = "X-API-Key"
F = TypeVar("F", bound=Callable[..., Any])

SECURITY = [{"bearerAuth": []}, {"apiKeyAuth": []}]
AUTH_RESPONSES = {
    "401": {"description": "Missing, malformed, expired or revoked credentials (error: missing_credentials, "
                           "invalid_token, token_expired, token_revoked, wrong_token_type, user_not_found, "
                           "invalid_api_key, api_key_revoked)"},
    "403": {"description": "Account suspended (account_suspended) or a scope or role is missing "
                           "(insufficient_scope, insufficient_role)"},
}


@dataclass(frozen=True)
class Principal:
    """Who is calling, how they authenticated, and what they may do."""

    user: User
    scopes: tuple[str, ...]
    method: str  # "jwt" or "api_key"
    token: dict[str, Any] = field(default_factory=dict)


def ensure_active(user: User) -> None:
    """Refuse a suspended or inactive account with 403 account_suspended."""
    if user.account_status != AccountStatus.active:
        raise AccountSuspendedError(
            f"this account is {user.account_status.value}; contact support",
            details={"account_status": user.account_status.value},
        )


def _authenticate_api_key(raw_key: str) -> Principal:
    key, user = authenticate_api_key(session=db.session, raw=raw_key)
    ensure_active(user)
    record_api_key_use(session=db.session, key=key)
    scopes = tuple(ordered(set(key.scopes) & set(scopes_for_user(user))))
    return Principal(user=user, scopes=scopes, method="api_key")


def _authenticate_jwt(refresh: bool) -> Principal:
    # Raises flask-jwt-extended's errors (missing, invalid, expired, revoked, wrong type, unknown user).
    if verify_jwt(refresh=refresh) is None:  # only for methods flask-jwt-extended exempts
        raise AuthError("authentication required", error="missing_credentials")
    user = cast(User, jwt_current_user())
    ensure_active(user)
    return Principal(user=user, scopes=tuple(scopes_for_user(user)), method="jwt", token=dict(get_jwt()))


def authenticate(*, refresh: bool = False) -> Principal:
    """Authenticate the request by X-API-Key or bearer JWT (a refresh JWT when `refresh`); raise 401/403."""
    raw_key = request.headers.get(API_KEY_HEADER)
    if raw_key is None or refresh:
        return _authenticate_jwt(refresh)
    if request.headers.get("Authorization"):
        raise AuthError(
            f"send either an Authorization bearer token or an {API_KEY_HEADER} header, not both",
            status=400, error="ambiguous_credentials",
        )
    return _authenticate_api_key(raw_key)


def authorize(principal: Principal, scopes: tuple[str, ...], role: UserRole | None = None) -> None:
    """Raise 403 naming the missing role or scopes."""
    if role is not None and principal.user.role != role:
        raise InsufficientRoleError(f"this route needs the {role.value} role", details={"required_role": role.value})
    missing = [scope for scope in scopes if scope not in principal.scopes]
    if missing:
        names = ", ".join(f"'{scope}'" for scope in missing)
        raise InsufficientScopeError(
            f"this route needs the scope{'s' if len(missing) > 1 else ''} {names}, which this "
            f"{'API key' if principal.method == 'api_key' else 'account'} does not have",
            details={"missing": missing, "required": list(scopes), "granted": list(principal.scopes)},
        )


def auth_required(*scopes: str, role: UserRole | str | None = None) -> Callable[[F], F]:
    """Decorate a view: authenticate (JWT or API key), refuse suspended accounts, check scopes and role."""
    if scopes and callable(scopes[0]):
        raise TypeError("use @auth_required() with parentheses (and scopes, if any)")
    if unknown := unknown_scopes(scopes):
        raise ValueError(f"unknown scopes in @auth_required: {', '.join(unknown)}")
    required_role = UserRole(role) if role is not None else None

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = authenticate()
            authorize(principal, tuple(scopes), required_role)
            g.quantum_principal = principal
            return view(*args, **kwargs)

        # Document the security requirement for flask-smorest (as its @blp.doc does).
        apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
        manual = apidoc.setdefault("manual_doc", {})
        manual["security"] = SECURITY
        manual["x-required-scopes"] = list(scopes)
        if required_role is not None:
            manual["x-required-role"] = required_role.value
        manual.setdefault("responses", {}).update(deepcopy(AUTH_RESPONSES))
        wrapper._apidoc = apidoc  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorator


def admin_required(view: F | None = None) -> Any:
    """`@admin_required` (or `@admin_required()`): an admin account with the `admin` scope."""
    decorator = auth_required(ADMIN, role=UserRole.admin)
    return decorator(view) if view is not None else decorator


def current_principal() -> Principal:
    """Who is calling (inside an @auth_required view): `.user`, `.scopes`, `.method` and `.token`.

    The one way views reach the caller: `current_principal().user` is the User loaded this request.
    """
    principal = g.get("quantum_principal")
    if principal is None:
        raise RuntimeError("no authenticated principal: decorate the view with @auth_required()")
    return principal
