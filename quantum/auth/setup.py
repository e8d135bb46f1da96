"""Wire auth into an app: flask-jwt-extended, Flask-Limiter, error handlers, blueprints."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.sessions import SessionInterface
from flask_smorest import Api
from limits.errors import ConfigurationError

from quantum.config import ConfigError


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
    import quantum.auth.ratelimit_storage  # noqa: F401  (registers the quantum-sqlite scheme with `limits`)
    from quantum.auth.errors import install_jwt_error_handlers, install_rate_limit_handler
    from quantum.auth.jwtverify import install_token_verifier
    from quantum.auth.ratelimit import gate_request_hook, limiter
    from quantum.auth.tokens import install_jwt_callbacks
    from quantum.extensions import db, jwt

    # The JWT_* and RATELIMIT_* keys are already in app.config: Settings.flask_config() set them.
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


def register_auth_blueprints(api: Api) -> None:
    """Register /api/auth and /api/admin, and document the two security schemes."""
    from quantum.auth.admin import blp as admin_blp
    from quantum.auth.views import blp as auth_blp

    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    api.spec.components.security_scheme("apiKeyAuth", {"type": "apiKey", "in": "header", "name": "X-API-Key"})
    api.register_blueprint(auth_blp)
    api.register_blueprint(admin_blp)
