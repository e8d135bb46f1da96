"""flask-jwt-extended internals behind the bearer-token check (quantum.auth.jwtverify), in one place.

Why: the public `verify_jwt_in_request` decodes every token twice (unverified, then verified) and
parses its header twice, on every request. quantum.auth.jwtverify decodes a token once and remembers
the signature check per token string; to do that and still behave exactly like
`verify_jwt_in_request` (same header parsing, same exceptions, same callbacks in the same order, and
`get_jwt()` / `get_current_user()` / `get_jwt_header()` / `get_jwt_request_location()` answering
afterwards) it has to call the steps that function is made of. No public API exposes them.

What it saves (`.venv/bin/python bench/library_adapters.py`; docs/PERFORMANCE.md, "Library
internals"): 0.5 to 0.6 ms of CPU and 2,704 Python calls on every request with a bearer token. An
in-process `GET /api/auth/me` makes 2,607 calls instead of 5,311 and costs 22 to 40% less CPU.

Private names used (flask-jwt-extended 4.7.4, pinned in requirements.txt):

* `flask_jwt_extended.view_decorators._decode_jwt_from_headers`: the Authorization header parsing,
  with its NoAuthorizationError / InvalidHeaderError messages;
* `flask_jwt_extended.view_decorators._load_user`: the user-lookup callback and its UserLookupError;
* `flask_jwt_extended.internal_utils.verify_token_type`, `verify_token_not_blocklisted`,
  `custom_verification_for_token`, `get_jwt_manager` (an undocumented module);
* `flask_jwt_extended.config.config.exempt_methods` (an undocumented module);
* `JWTManager._decode_key_callback` compared with `default_callbacks.default_decode_key_callback`:
  whether a custom key loader could pick another key for the same token later;
* `flask.g._jwt_extended_jwt`, `_jwt_extended_jwt_header`, `_jwt_extended_jwt_user`,
  `_jwt_extended_jwt_location`: where the public getters read the verified token.

tests/auth/test_library_contracts.py checks each of them (existence, signature, and the same
results as `verify_jwt_in_request` on real requests) and names the installed version when one changed.
"""

from __future__ import annotations

from flask import g
from flask_jwt_extended.config import config
from flask_jwt_extended.default_callbacks import default_decode_key_callback
from flask_jwt_extended.internal_utils import (
    custom_verification_for_token,
    get_jwt_manager,
    verify_token_not_blocklisted,
    verify_token_type,
)
from flask_jwt_extended.view_decorators import _decode_jwt_from_headers, _load_user

TOKEN_LOCATION = "headers"  # the only location the fast path reads; get_jwt_request_location() answers it


def is_exempt_method(method: str) -> bool:
    """Whether flask-jwt-extended lets requests with this method through without a token (OPTIONS)."""
    return method in config.exempt_methods


def uses_default_decode_key() -> bool:
    """Whether the app's JWTManager decodes with the configured key, not a custom `decode_key_loader`."""
    return get_jwt_manager()._decode_key_callback is default_decode_key_callback


def token_from_headers() -> str:
    """The encoded token of the Authorization header; raises flask-jwt-extended's header errors."""
    encoded_token, _csrf = _decode_jwt_from_headers()
    return encoded_token


def check_decoded_token(jwt_header: dict, jwt_data: dict, refresh: bool) -> None:
    """The checks `verify_jwt_in_request` runs after decoding, in its order: type, blocklist, claims callback."""
    verify_token_type(jwt_data, refresh)
    verify_token_not_blocklisted(jwt_header, jwt_data)
    custom_verification_for_token(jwt_header, jwt_data)


def save_verified_token(jwt_header: dict, jwt_data: dict) -> None:
    """Look the user up (UserLookupError when there is none) and save the token where the public getters read it."""
    # Saved only once every check passed, as verify_jwt_in_request does.
    g._jwt_extended_jwt_user = _load_user(jwt_header, jwt_data)
    g._jwt_extended_jwt_header = jwt_header
    g._jwt_extended_jwt = jwt_data
    g._jwt_extended_jwt_location = TOKEN_LOCATION
