"""The app factory: settings validated, extensions bound, blueprints, errors and the schema guard."""

from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from quantum.config import Settings, app_settings
from quantum.errors import JSONRequest, error_response, register_error_handlers
from quantum.observability.logs import configure_logging
from quantum.observability.metrics import install_metrics
from quantum.observability.request_id import install_request_ids
from quantum.openapi import install_openapi
from quantum.request_parsing import install_request_parsing
from quantum.resilience import install_resilience
from quantum.routes import GUARD_EXEMPT_PREFIXES
from quantum.security_headers import install_security_headers


def create_app(settings: Settings | Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings validated, extensions bound, blueprints and the schema guard registered.

    `settings` is a `Settings` (used as is), or a test_config mapping: its keys that are settings'
    environment names are validated as settings over the environment, the others are Flask config.
    """
    app = Flask("quantum", instance_relative_config=True)
    app.request_class = JSONRequest
    settings, flask_keys = app_settings(settings, instance_path=app.instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings.flask_config())
    app.config.update(
        API_TITLE="QuantumLeap API",
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=1024 * 1024,
        SCHEMA_GUARD=True,
    )
    app.config.update(flask_keys)
    configure_logging(settings.observability.log_format)
    if settings.server.proxy_hops:
        # Behind N trusted proxies (Heroku's router is one), take the client address from
        # X-Forwarded-For so rate limits and the audit log see the real client.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.server.proxy_hops, x_proto=settings.server.proxy_hops)

    install_request_ids(app)
    install_metrics(app)
    install_request_parsing(app)  # bodies, queries and paths checked before auth and the views
    install_security_headers(app)
    _init_extensions(app)
    install_openapi(app)  # /openapi.json completed for every blueprint, /docs, `flask openapi write`
    _register_blueprints(app)
    register_error_handlers(app)
    with app.app_context():
        from quantum.extensions import db

        install_resilience(app, db.engine, GUARD_EXEMPT_PREFIXES)
    _install_schema_guard(app)

    from quantum.cli import register_cli

    register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from quantum.auth.setup import init_auth
    from quantum.extensions import api, db, migrate
    from quantum.schema import MIGRATIONS_DIR
    from quantum.schema_engine.connect import install_sqlite_pragmas

    db.init_app(app)
    with app.app_context():
        install_sqlite_pragmas(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    init_auth(app)  # flask-jwt-extended, Flask-Limiter, their error handlers, `flask users`
    api.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from quantum.ai.views import blp as ai_blp
    from quantum.api.health import blp as health_blp
    from quantum.auth.setup import register_auth_blueprints
    from quantum.extensions import api

    api.register_blueprint(health_blp)
    register_auth_blueprints(api)
    api.register_blueprint(ai_blp)

    from quantum.portfolio.views import blp as portfolio_blp
    from quantum.trading.views import blp as trading_blp

    api.register_blueprint(portfolio_blp)
    api.register_blueprint(trading_blp)


def _install_schema_guard(app: Flask) -> None:
    from quantum.db.guard import SchemaGuard, SchemaNotReady
    from quantum.observability import metrics
    from quantum.schema import ensure_app_schema

    settings: Settings = app.config["QUANTUM_SETTINGS"]
    alerter = app.extensions["alerter"]

    def on_ready(result) -> None:  # noqa: ANN001
        metrics.SCHEMA_READY.set(1)
        metrics.SCHEMA_REVISION.labels(result.revision_after or "none").set(1)
        alerter.clear_alert("readiness", "the schema is ready")

    def on_failure(exc) -> None:  # noqa: ANN001
        metrics.SCHEMA_READY.set(0)
        alerter.raise_alert("readiness", f"schema not ready: {exc.message}", reason=exc.reason)

    guard = SchemaGuard(
        lambda: ensure_app_schema(
            settings, lock_wait_seconds=settings.database.guard_lock_wait_seconds, connect_retries=2, retry_base_delay=0.2,
            record_fingerprints=False,  # a worker's first request stays read-only when the schema is current
        ),
        on_ready=on_ready,
        on_failure=on_failure,
    )
    app.extensions["schema_guard"] = guard

    @app.before_request
    def _schema_guard():  # noqa: ANN202
        if guard.ready or not app.config["SCHEMA_GUARD"] or request.path.startswith(GUARD_EXEMPT_PREFIXES):
            return None
        try:
            guard.check()
        except SchemaNotReady as exc:
            return error_response(
                503, "schema_not_ready", exc.message, details={"reason": exc.reason}, retry_after=exc.retry_after
            )
        return None
