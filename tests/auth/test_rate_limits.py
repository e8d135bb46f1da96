"""Rate limits on login and register: 429 in the error format, with retry_after; they trip and reset."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from quantum.config import ConfigError
from quantum.extensions import db
from tests.auth.helpers import PASSWORD, unique_email
from tests.conftest import make_app

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def limited_app(db_url):
    """Apps with tight limits; each has its own in-memory counters unless a storage URI is given."""
    apps = []

    def build(**config):
        settings = {"RATELIMIT_LOGIN": "3 per 2 seconds", "RATELIMIT_REGISTER": "2 per 2 seconds", **config}
        app = make_app(db_url, **settings)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def _login(client, **environ):
    return client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "whatever-1"},
                       environ_base=environ)


def _assert_429(response) -> int:
    body = response.get_json()
    assert response.status_code == 429, body
    assert body["error"] == "rate_limited" and body["error_code"] == "AUTH_429"
    assert body["details"]["limit"].endswith("per 2 second")
    assert 1 <= body["retry_after"] <= 3
    assert response.headers["Retry-After"] == str(body["retry_after"])
    return body["retry_after"]


def test_login_limit_trips_and_resets(limited_app, backend):
    client = limited_app().test_client()
    for _ in range(3):
        assert _login(client).status_code == 401
    retry_after = _assert_429(_login(client))
    # Correct credentials are refused too while the limit holds.
    assert _login(client).status_code == 429
    time.sleep(retry_after + 0.2)
    assert _login(client).status_code == 401


def test_invalid_bodies_count_too(limited_app, backend):
    client = limited_app().test_client()
    for _ in range(3):
        assert client.post("/api/auth/login", json={"email": "not an email"}).status_code == 422
    _assert_429(client.post("/api/auth/login", json={"email": "not an email"}))


def test_register_has_its_own_limit(limited_app, backend):
    client = limited_app().test_client()
    for _ in range(3):
        _login(client)
    assert _login(client).status_code == 429
    for _ in range(2):
        response = client.post("/api/auth/register", json={"email": unique_email(), "password": PASSWORD})
        assert response.status_code == 201
    response = client.post("/api/auth/register", json={"email": unique_email(), "password": PASSWORD})
    assert response.status_code == 429 and response.get_json()["retry_after"] >= 1


def test_limits_are_per_address(limited_app, backend):
    client = limited_app().test_client()
    for _ in range(3):
        _login(client, REMOTE_ADDR="10.0.0.1")
    assert _login(client, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert _login(client, REMOTE_ADDR="10.0.0.2").status_code == 401


def test_other_routes_are_not_limited(limited_app, user_factory, backend):
    app = limited_app()
    client = app.test_client()
    for _ in range(10):
        assert client.get("/api/auth/me").status_code == 401
        assert client.get("/api/health").status_code == 200


def test_each_app_starts_with_fresh_in_memory_counters(limited_app, backend):
    first = limited_app().test_client()
    for _ in range(3):
        _login(first)
    assert _login(first).status_code == 429
    second = limited_app().test_client()
    assert _login(second).status_code == 401


def test_disabled_limits(limited_app, backend):
    client = limited_app(RATELIMIT_ENABLED="false").test_client()
    for _ in range(5):
        assert _login(client).status_code == 401


def _redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_available(), reason="Redis is not reachable at 127.0.0.1:6379")
def test_redis_storage_is_shared_between_apps(limited_app, backend):
    """Several hosts (here two apps) share one count through RATELIMIT_STORAGE_URI."""
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    first = limited_app(RATELIMIT_STORAGE_URI=REDIS_URL).test_client()
    for _ in range(3):
        assert _login(first, REMOTE_ADDR=address).status_code == 401
    second = limited_app(RATELIMIT_STORAGE_URI=REDIS_URL).test_client()
    _assert_429(_login(second, REMOTE_ADDR=address))


@pytest.mark.parametrize(
    ("setting", "value"),
    [("RATELIMIT_LOGIN", "lots"), ("RATELIMIT_REGISTER", "10 per fortnight"), ("RATELIMIT_ENABLED", "maybe"),
     ("JWT_ACCESS_TOKEN_EXPIRES", "15m"), ("RATELIMIT_STORAGE_URI", "nosuch://host")],
)
def test_bad_settings_stop_start_up_naming_the_variable(db_url, backend, setting, value):
    with pytest.raises(ConfigError, match=setting):
        make_app(db_url, **{setting: value})
