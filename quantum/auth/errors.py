"""Auth errors, and the handlers that put flask-jwt-extended's and Flask-Limiter's errors in the one format."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app
from flask_jwt_extended import JWTManager
from flask_jwt_extended.exceptions import WrongTokenError
from flask_limiter import Limiter, RateLimitExceeded
from limits.errors import StorageError

from quantum.errors import APIError, error_response

# A stable code per `error` value, for clients that switch on codes.
ERROR_CODES = {
    "missing_credentials": "AUTH_001",
    "invalid_token": "AUTH_002",
    "token_expired": "AUTH_003",
    "token_revoked": "AUTH_004",
    "wrong_token_type": "AUTH_005",
    "user_not_found": "AUTH_006",
    "invalid_credentials": "AUTH_007",
    "invalid_api_key": "AUTH_008",
    "api_key_revoked": "AUTH_009",
    "fresh_token_required": "AUTH_010",
    "ambiguous_credentials": "AUTH_011",
    "account_suspended": "AUTH_101",
    "insufficient_scope": "AUTH_102",
    "insufficient_role": "AUTH_103",
    "rate_limited": "AUTH_429",
    "rate_limit_unavailable": "AUTH_503",
}


class AuthError(APIError):
    """A 401 or 403 from the auth layer; the error code follows the `error` value."""

    status = 401
    error = "unauthorized"

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.error_code = self.error_code or ERROR_CODES.get(self.error)


class InvalidCredentialsError(AuthError):
    """Unknown email or wrong password: the same answer for both."""

    error = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("the email or password is wrong")


class InvalidApiKeyError(AuthError):
    """An X-API-Key that matches no key."""

    error = "invalid_api_key"


class ApiKeyRevokedError(AuthError):
    """An X-API-Key that was revoked."""

    error = "api_key_revoked"


class AccountSuspendedError(AuthError):
    """The account is suspended or inactive: refused on every authenticated route."""

    status = 403
    error = "account_suspended"


class InsufficientScopeError(AuthError):
    """Valid credentials that lack a scope the route needs."""

    status = 403
    error = "insufficient_scope"


class InsufficientRoleError(AuthError):
    """Valid credentials of an account without the role the route needs."""

    status = 403
    error = "insufficient_role"


def auth_error_response(status: int, error: str, message: str, details: dict | None = None) -> Response:
    """The one error format, with the auth error code for `error`."""
    return error_response(status, error, message, details=details, error_code=ERROR_CODES.get(error))


def _expiry(payload: dict) -> str | None:
    exp = payload.get("exp")
    return datetime.fromtimestamp(exp, UTC).isoformat() if isinstance(exp, int | float) else None


def install_jwt_error_handlers(app: Flask, jwt: JWTManager) -> None:
    """Route every flask-jwt-extended error to a 401 in the one format, each with its own `error`."""

    @jwt.unauthorized_loader
    def _missing(reason: str) -> Response:
        return auth_error_response(
            401,
            "missing_credentials",
            "authentication required: send 'Authorization: Bearer <access token>' or 'X-API-Key: <key>'",
            {"reason": reason},
        )

    @jwt.invalid_token_loader
    def _invalid(reason: str) -> Response:
        return auth_error_response(401, "invalid_token", "the token is malformed or its signature is invalid",
                                   {"reason": reason})

    @jwt.expired_token_loader
    def _expired(_header: dict, payload: dict) -> Response:
        return auth_error_response(
            401, "token_expired", f"the {payload.get('type', 'access')} token has expired; refresh it or log in again",
            {"token_type": payload.get("type"), "expired_at": _expiry(payload)},
        )

    @jwt.revoked_token_loader
    def _revoked(_header: dict, payload: dict) -> Response:
        return auth_error_response(401, "token_revoked", "the token has been revoked; log in again",
                                   {"token_type": payload.get("type")})

    @jwt.needs_fresh_token_loader
    def _not_fresh(_header: dict, _payload: dict) -> Response:
        return auth_error_response(401, "fresh_token_required", "this route needs a fresh token: log in again")

    @jwt.user_lookup_error_loader
    def _no_user(_header: dict, _payload: dict) -> Response:
        return auth_error_response(401, "user_not_found", "the account this token was issued to no longer exists")

    @jwt.token_verification_failed_loader
    def _claims_failed(_header: dict, _payload: dict) -> Response:
        return auth_error_response(401, "invalid_token", "the token's claims did not verify")

    # flask-jwt-extended sends WrongTokenError to the invalid-token callback; give it its own `error`.
    @app.errorhandler(WrongTokenError)
    def _wrong_type(exc: WrongTokenError) -> Response:
        return auth_error_response(
            401, "wrong_token_type", f"wrong token type: {exc}", {"reason": str(exc)}
        )


STORAGE_ALERT = "rate_limit_storage"
STORAGE_RETRY_AFTER = 5


def install_rate_limit_handler(app: Flask, limiter: Limiter) -> None:
    """Answer a breached limit with 429 and `retry_after`; a limit that cannot be counted with a JSON 503.

    Fail closed: while the rate limit storage (RATELIMIT_STORAGE_URI) cannot be reached, the limited
    routes (login, register) answer 503 `rate_limit_unavailable` instead of running unlimited, so an
    outage never opens the door to password guessing. The first failure raises the
    `rate_limit_storage` alert; the first limited request that counts again resolves it.
    """
    failing = {"now": False}  # this process's view; read on every request, so a plain flag

    @app.errorhandler(StorageError)
    def _storage_unreachable(exc: StorageError) -> Response:
        failing["now"] = True
        cause = exc.storage_error
        alerter = current_app.extensions.get("alerter")
        if alerter is not None:
            alerter.raise_alert(STORAGE_ALERT, f"rate limit storage unreachable: {type(cause).__name__}: {cause}",
                                storage=current_app.config.get("RATELIMIT_STORAGE_URI", "").split("://", 1)[0])
        return error_response(
            503,
            "rate_limit_unavailable",
            "the rate limit cannot be checked right now, so this request was not attempted; retry shortly",
            retry_after=STORAGE_RETRY_AFTER,
            error_code=ERROR_CODES["rate_limit_unavailable"],
        )

    @app.after_request
    def _storage_recovered(response: Response) -> Response:
        if failing["now"] and limiter.current_limit is not None:
            failing["now"] = False
            alerter = current_app.extensions.get("alerter")
            if alerter is not None:
                alerter.clear_alert(STORAGE_ALERT, "rate limit storage answers again")
        return response

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(exc: RateLimitExceeded) -> Response:
        current = limiter.current_limit
        retry_after = max(1, math.ceil(current.reset_at - time.time())) if current is not None else 60
        limit = str(exc.limit.limit)
        return error_response(
            429,
            "rate_limited",
            f"too many requests: the limit here is {limit}; retry in {retry_after} s",
            details={"limit": limit},
            retry_after=retry_after,
            error_code=ERROR_CODES["rate_limited"],
        )
