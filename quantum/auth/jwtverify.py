"""Verify the request's bearer JWT as flask-jwt-extended's `verify_jwt_in_request` does, decoding each token once.

flask-jwt-extended decodes every token twice and parses its header twice per request, and PyJWT checks
each base64 character in Python: about 0.35 ms of CPU per request for our ~500-byte access tokens, the
largest single cost of a cheap read. This module runs the same checks, in the same order, with the same
exceptions (so every error body is unchanged), and memoizes only the part that is a pure function of
the token string and the app's JWT settings: the signature check and the decoded claims.

Everything that can change between two requests still runs on every request: `exp`, `nbf` and `iat`
against the clock, the token type, the blocklist, the custom claims check and the user lookup. A
token that fails any check is never remembered, and a remembered token outside its validity window
goes through the full decode again, which raises the error it always raised.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, g, request
from flask_jwt_extended import decode_token, verify_jwt_in_request
from flask_jwt_extended.config import config
from flask_jwt_extended.default_callbacks import default_decode_key_callback
from flask_jwt_extended.exceptions import JWTDecodeError
from flask_jwt_extended.internal_utils import (
    custom_verification_for_token,
    get_jwt_manager,
    verify_token_not_blocklisted,
    verify_token_type,
)
from flask_jwt_extended.utils import get_unverified_jwt_headers

# Private helpers of the pinned flask-jwt-extended: reusing them keeps the header parsing, its error
# messages and the user-lookup error exactly as they were. tests/auth cover both.
from flask_jwt_extended.view_decorators import _decode_jwt_from_headers, _load_user

MAX_TOKENS = 2048  # per process; a verified token and its claims take about 2 KB
# The settings the signature check and the claims checks (other than the clock) depend on.
SETTINGS_KEYS = (
    "JWT_SECRET_KEY", "SECRET_KEY", "JWT_PUBLIC_KEY", "JWT_ALGORITHM", "JWT_DECODE_ALGORITHMS",
    "JWT_DECODE_AUDIENCE", "JWT_DECODE_ISSUER", "JWT_IDENTITY_CLAIM", "JWT_VERIFY_SUB",
)
_NO_LIMIT = float("inf")
_clock = time.time  # PyJWT reads the same clock (datetime.now(timezone.utc)); tests move both


class VerifiedTokens:
    """Tokens whose signature and claims passed, with the window of time in which they stay valid."""

    def __init__(self, max_tokens: int = MAX_TOKENS) -> None:
        self.max_tokens = max_tokens
        self._tokens: dict[str, tuple[tuple, dict, dict, float, float]] = {}
        self._lock = threading.Lock()  # writers only: a dict read is atomic

    def decode(self, encoded_token: str) -> tuple[dict, dict]:
        """The token's (claims, header), as flask-jwt-extended decodes them; raises what it raises."""
        settings = _settings()
        entry = self._tokens.get(encoded_token)
        if entry is not None and entry[0] == settings:
            now, leeway = _clock(), _leeway()
            if entry[3] <= now + leeway and now - leeway < entry[4]:
                # Copies: a request may not change what the next one sees.
                return dict(entry[1]), dict(entry[2])
        data = decode_token(encoded_token)
        check_required_claims(encoded_token)
        header = get_unverified_jwt_headers(encoded_token)
        if settings is not None:
            self._remember(encoded_token, (settings, dict(data), dict(header), *_window(data)))
        return data, header

    def _remember(self, encoded_token: str, entry: tuple) -> None:
        with self._lock:
            self._tokens.pop(encoded_token, None)
            while len(self._tokens) >= self.max_tokens:
                del self._tokens[next(iter(self._tokens))]  # oldest first
            self._tokens[encoded_token] = entry


TOKEN_TYPES = ("access", "refresh")


def check_required_claims(encoded_token: str) -> None:
    """Refuse a correctly signed token that lacks `exp` or `type` (401 invalid_token).

    flask-jwt-extended fills in a missing `type` as "access", and PyJWT lets a token without `exp` live
    forever. Every token this app issues has both, so anything else was made with the key by someone
    else. Reads the claims as signed (the signature was checked just before). A `sub` that is not an
    ASCII user id names no user (`quantum.auth.tokens.user_id_from_subject`): 401 user_not_found.
    """
    try:
        payload = json.loads(base64.urlsafe_b64decode(_padded(encoded_token.split(".")[1])))
    except (IndexError, ValueError) as exc:  # decode_token accepted it, so this cannot happen; be safe anyway
        raise JWTDecodeError("the token's payload cannot be read") from exc
    if not isinstance(payload, dict):
        raise JWTDecodeError("the token's payload is not an object")
    exp = payload.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int):
        raise JWTDecodeError("Missing or malformed claim: exp")
    if payload.get("type") not in TOKEN_TYPES:
        raise JWTDecodeError("Missing or malformed claim: type")


def _padded(segment: str) -> bytes:
    return (segment + "=" * (-len(segment) % 4)).encode("ascii")


def _settings() -> tuple | None:
    """What a verification depends on besides the token; None when it cannot be remembered safely."""
    if get_jwt_manager()._decode_key_callback is not default_decode_key_callback:
        return None  # a custom key loader may pick a different key for the same token later
    app_config = current_app.config
    return tuple(app_config.get(key) for key in SETTINGS_KEYS)


def _leeway() -> float:
    leeway = config.leeway
    return leeway.total_seconds() if isinstance(leeway, timedelta) else float(leeway)


def _window(data: dict[str, Any]) -> tuple[float, float]:
    """From when to when PyJWT's iat, nbf and exp checks pass (before leeway), as it reads the claims."""
    starts = [int(data[claim]) for claim in ("iat", "nbf") if claim in data]
    return (max(starts) if starts else -_NO_LIMIT), (int(data["exp"]) if "exp" in data else _NO_LIMIT)


def install_token_verifier(app: Flask, max_tokens: int = MAX_TOKENS) -> None:
    """Give the app its own memo of verified tokens (apps with other keys never share one)."""
    app.extensions["quantum_verified_tokens"] = VerifiedTokens(max_tokens)


def verify_jwt(refresh: bool = False) -> tuple[dict, dict] | None:
    """`verify_jwt_in_request(refresh=refresh)` with one decode per token; None for exempt methods."""
    if request.method in config.exempt_methods:
        return None
    verified: VerifiedTokens | None = current_app.extensions.get("quantum_verified_tokens")
    locations = config.token_location
    if verified is None or list(locations) != ["headers"]:
        return verify_jwt_in_request(refresh=refresh)
    encoded_token, _csrf = _decode_jwt_from_headers()
    jwt_data, jwt_header = verified.decode(encoded_token)
    verify_token_type(jwt_data, refresh)
    verify_token_not_blocklisted(jwt_header, jwt_data)
    custom_verification_for_token(jwt_header, jwt_data)
    # Saved only once every check passed, as verify_jwt_in_request does.
    g._jwt_extended_jwt_user = _load_user(jwt_header, jwt_data)
    g._jwt_extended_jwt_header = jwt_header
    g._jwt_extended_jwt = jwt_data
    g._jwt_extended_jwt_location = "headers"
    return jwt_header, jwt_data
