"""Flask-Limiter's before_request check is skipped only while it could not enforce anything (quantum.auth.adapters).

Each test builds its own Limiter on a bare Flask app: the project's limiter is shared by every app of
the process, and limits set on it would leak into other tests.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from quantum.auth.adapters.flask_limiter import gate_request_hook, needs_request_hook


def open_view() -> str:
    return "open"


def limited_view() -> str:
    return "limited"


def inside_view() -> str:
    return "inside"


def _app(limiter: Limiter) -> Flask:
    # Named views: Flask-Limiter keys decorated limits by the view's qualified name.
    app = Flask(__name__)
    app.add_url_rule("/open", "open", open_view)
    app.add_url_rule("/limited", "limited", limiter.limit("2 per minute")(limited_view))
    limiter.init_app(app)
    gate_request_hook(app, limiter)
    return app


def test_the_hook_is_skipped_without_middleware_limits(monkeypatch) -> None:
    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")
    app = _app(limiter)
    assert not needs_request_hook(limiter)
    checked = []
    original = limiter._check_request_limit

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        checked.append(kwargs.get("in_middleware", True))
        return original(*args, **kwargs)

    monkeypatch.setattr(limiter, "_check_request_limit", spy)
    client = app.test_client()
    for _ in range(5):
        assert client.get("/open").status_code == 200
    # Decorated limits are still enforced by their decorator.
    assert [client.get("/limited").status_code for _ in range(3)] == [200, 200, 429]
    assert all(in_middleware is False for in_middleware in checked)


def test_default_limits_are_still_enforced_on_every_route() -> None:
    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=["2 per minute"])
    app = _app(limiter)
    assert needs_request_hook(limiter)
    client = app.test_client()
    assert [client.get("/open").status_code for _ in range(3)] == [200, 200, 429]


def test_application_and_config_limits_are_still_enforced() -> None:
    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", application_limits=["3 per minute"])
    client = _app(limiter).test_client()
    assert [client.get("/open").status_code for _ in range(4)] == [200, 200, 200, 429]

    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")
    app = Flask(__name__)
    app.config["RATELIMIT_DEFAULT"] = "1 per minute"
    app.add_url_rule("/open", "open", open_view)
    limiter.init_app(app)
    gate_request_hook(app, limiter)
    client = app.test_client()
    assert [client.get("/open").status_code for _ in range(2)] == [200, 429]


def test_blueprint_limits_are_still_enforced() -> None:
    from flask import Blueprint

    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")
    blueprint = Blueprint("bp", __name__)
    blueprint.add_url_rule("/in-blueprint", "inside", inside_view)
    limiter.limit("1 per minute")(blueprint)
    app = Flask(__name__)
    app.register_blueprint(blueprint)
    limiter.init_app(app)
    gate_request_hook(app, limiter)
    client = app.test_client()
    assert [client.get("/in-blueprint").status_code for _ in range(2)] == [200, 429]
