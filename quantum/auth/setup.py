"""Wire auth into an app: settings, flask-jwt-extended, Flask-Limiter, error handlers, blueprints, CLI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Request
from flask.sessions import SessionInterface
from flask_smorest import Api
from limits import parse_many
from limits.errors import ConfigurationError

from quantum.auth.ratelimit_storage import DEFAULT_FILE, SCHEME, storage_uri_for
from quantum.config import ConfigError

DEFAULTS: dict[str, str] = {
    "JWT_ACCESS_TOKEN_EXPIRES": "900",  # 15 minutes
    "JWT_REFRESH_TOKEN_EXPIRES": str(30 * 24 * 3600),  # 30 days
    "RATELIMIT_ENABLED": "true",
    "RATELIMIT_STRATEGY": "fixed-window",
    "RATELIMIT_LOGIN": "10 per minute",
    "RATELIMIT_REGISTER": "10 per minute",
    "API_KEYS_MAX_PER_USER": "25",
    "RATELIMIT_KEY_PREFIX": "",
}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _seconds(name: str, raw: Any) -> timedelta:
    if isinstance(raw, timedelta):
        return raw
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number of seconds, got {raw!r}") from None
    if value < 1:
        raise ConfigError(f"{name} must be at least 1 second, got {value}")
    return timedelta(seconds=value)


def _bool(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text not in _TRUE | _FALSE:
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    return text in _TRUE


def _limit(name: str, raw: Any) -> str:
    try:
        if not parse_many(str(raw)):
            raise ValueError
    except ValueError:
        raise ConfigError(f"{name} is malformed: expected a rate such as '10 per minute' or '5/second', got {raw!r}") \
            from None
    return str(raw)


def default_storage_uri(mode: str, instance_path: str) -> str:
    """Where rate limits count without RATELIMIT_STORAGE_URI: one SQLite file per host; tests count per app."""
    if mode == "testing":
        return "memory://"  # each test app starts with fresh counters; no file shared between tests
    return storage_uri_for(Path(instance_path, DEFAULT_FILE))


def storage_options(uri: str) -> dict[str, Any]:
    """Options for the storage at `uri`: errors wrapped as StorageError; Redis gives up after 2 s, not never."""
    options: dict[str, Any] = {"wrap_exceptions": True}
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        options.update(socket_connect_timeout=2, socket_timeout=2)
    return options


def auth_settings(
    config: Mapping[str, Any], environ: Mapping[str, str], *, mode: str = "development", instance_path: str = "instance"
) -> dict[str, Any]:
    """Auth settings from the app config, else the environment, else the defaults; validated."""
    defaults = {**DEFAULTS, "RATELIMIT_STORAGE_URI": default_storage_uri(mode, instance_path)}

    def raw(name: str) -> Any:
        if name in config:
            return config[name]
        return environ.get(name) or defaults[name]

    max_keys = raw("API_KEYS_MAX_PER_USER")
    try:
        max_keys = int(max_keys)
    except (TypeError, ValueError):
        raise ConfigError(f"API_KEYS_MAX_PER_USER must be a whole number, got {max_keys!r}") from None
    storage_uri = str(raw("RATELIMIT_STORAGE_URI")).strip()
    strategy = str(raw("RATELIMIT_STRATEGY"))
    if storage_uri.startswith(SCHEME + ":") and strategy != "fixed-window":
        raise ConfigError(f"RATELIMIT_STRATEGY {strategy!r} needs RATELIMIT_STORAGE_URI=redis://...: "
                          f"the built-in {SCHEME} storage counts fixed windows only")
    return {
        "JWT_ACCESS_TOKEN_EXPIRES": _seconds("JWT_ACCESS_TOKEN_EXPIRES", raw("JWT_ACCESS_TOKEN_EXPIRES")),
        "JWT_REFRESH_TOKEN_EXPIRES": _seconds("JWT_REFRESH_TOKEN_EXPIRES", raw("JWT_REFRESH_TOKEN_EXPIRES")),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", raw("RATELIMIT_ENABLED")),
        "RATELIMIT_STORAGE_URI": storage_uri,
        "RATELIMIT_STORAGE_OPTIONS": storage_options(storage_uri),
        "RATELIMIT_STRATEGY": strategy,
        "RATELIMIT_KEY_PREFIX": str(raw("RATELIMIT_KEY_PREFIX")).strip(),
        "RATELIMIT_LOGIN": _limit("RATELIMIT_LOGIN", raw("RATELIMIT_LOGIN")),
        "RATELIMIT_REGISTER": _limit("RATELIMIT_REGISTER", raw("RATELIMIT_REGISTER")),
        "API_KEYS_MAX_PER_USER": max(1, max_keys),
    }


class NoCookieSessions(SessionInterface):
    """No Flask cookie session: the API authenticates each request by bearer token or API key only.

    With SECRET_KEY set, Flask's default interface builds an itsdangerous signer on every request to
    look for a session cookie nobody sends (~5% of a cheap read's CPU). `flask.session` is now always
    the empty, read-only null session; nothing in the app uses it.
    """

    def open_session(self, app: Flask, request: Request) -> None:
        """No session to open: Flask falls back to its null session."""
        return None

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        """Nothing to save."""


def init_auth(app: Flask) -> None:
    """Bind flask-jwt-extended and Flask-Limiter to `app` with our settings, callbacks and error format."""
    from quantum.auth.errors import install_jwt_error_handlers, install_rate_limit_handler
    from quantum.auth.jwtverify import install_token_verifier
    from quantum.auth.ratelimit import gate_request_hook, limiter
    from quantum.auth.tokens import install_jwt_callbacks
    from quantum.extensions import db, jwt

    app.config.update(auth_settings(app.config, os.environ, mode=app.config["QUANTUM_ENV"],
                                    instance_path=app.instance_path))
    app.session_interface = NoCookieSessions()
    jwt.init_app(app)
    install_jwt_callbacks(jwt, lambda: db.session)
    install_token_verifier(app)
    install_jwt_error_handlers(app, jwt)
    # The one limiter object keeps the first key prefix it is given; each app brings its own.
    from quantum.auth.adapters.flask_limiter import forget_key_prefix
    forget_key_prefix(limiter)
    try:
        limiter.init_app(app)
    except (ConfigurationError, ValueError) as exc:
        raise ConfigError(f"RATELIMIT_STORAGE_URI or RATELIMIT_STRATEGY is not usable: {exc}") from None
    if limiter.enabled:  # init_app registers no hooks on an app with RATELIMIT_ENABLED off
        gate_request_hook(app, limiter)
    install_rate_limit_handler(app, limiter)

    from quantum.auth.cli import register_users_cli

    register_users_cli(app)


def register_auth_blueprints(api: Api) -> None:
    """Register /api/auth and /api/admin, and document the two security schemes."""
    from quantum.auth.admin import blp as admin_blp
    from quantum.auth.views import blp as auth_blp

    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    api.spec.components.security_scheme("apiKeyAuth", {"type": "apiKey", "in": "header", "name": "X-API-Key"})
    api.register_blueprint(auth_blp)
    api.register_blueprint(admin_blp)
