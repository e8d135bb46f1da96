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

The steps of `verify_jwt_in_request` this runs itself (header parsing, type, blocklist and claims
checks, user lookup, saving the token for `get_jwt()`) are flask-jwt-extended internals: they are
called through quantum.auth.adapters.jwt_extended only, whose docstring lists them and what they save.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, request
from flask_jwt_extended import decode_token, get_unverified_jwt_headers, verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTDecodeError

# Every flask-jwt-extended internal this check needs goes through the adapter (its docstring says which).
from quantum.auth.adapters.jwt_extended import (
    TOKEN_LOCATION,
    check_decoded_token,
    is_exempt_method,
    save_verified_token,
    token_from_headers,
    uses_default_decode_key,
)

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
    if not uses_default_decode_key():
        return None  # a custom key loader may pick a different key for the same token later
    app_config = current_app.config
    return tuple(app_config.get(key) for key in SETTINGS_KEYS)


def _leeway() -> float:
    leeway = current_app.config["JWT_DECODE_LEEWAY"]  # flask-jwt-extended's setting, as PyJWT gets it
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
    if is_exempt_method(request.method):
        return None
    verified: VerifiedTokens | None = current_app.extensions.get("quantum_verified_tokens")
    if verified is None or not _headers_only():
        return verify_jwt_in_request(refresh=refresh)
    jwt_data, jwt_header = verified.decode(token_from_headers())
    check_decoded_token(jwt_header, jwt_data, refresh)
    save_verified_token(jwt_header, jwt_data)
    return jwt_header, jwt_data


def _headers_only() -> bool:
    """Whether JWT_TOKEN_LOCATION is the Authorization header alone: the only place the memo reads tokens."""
    locations = current_app.config["JWT_TOKEN_LOCATION"]
    return ([locations] if isinstance(locations, str) else list(locations)) == [TOKEN_LOCATION]
