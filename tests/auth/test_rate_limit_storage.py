"""The host-wide rate limit storage (quantum.auth.ratelimit_storage) and what happens when a storage is unreachable."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quantum.auth.ratelimit_storage import SQLiteStorage
from quantum.config import ConfigError, default_storage_uri
from quantum.config.groups import storage_uri_for
from quantum.extensions import db
from tests.conftest import ROOT, make_app
from tests.live import free_port


def test_two_storages_on_one_file_share_each_window(tmp_path: Path) -> None:
    uri = storage_uri_for(tmp_path / "limits.db")
    first, second = SQLiteStorage(uri), SQLiteStorage(uri)
    assert first.incr("login/1.2.3.4", 60) == 1
    assert second.incr("login/1.2.3.4", 60) == 2
    assert first.get("login/1.2.3.4") == 2
    assert time.time() < second.get_expiry("login/1.2.3.4") <= time.time() + 60
    assert second.get("someone-else") == 0
    second.clear("login/1.2.3.4")
    assert first.get("login/1.2.3.4") == 0


def test_an_expired_window_starts_again(tmp_path: Path) -> None:
    storage = SQLiteStorage(storage_uri_for(tmp_path / "limits.db"))
    assert [storage.incr("k", 1) for _ in range(3)] == [1, 2, 3]
    time.sleep(1.1)
    assert storage.get("k") == 0
    assert storage.incr("k", 1) == 1


def test_processes_counting_at_once_lose_no_hit(tmp_path: Path) -> None:
    uri = storage_uri_for(tmp_path / "limits.db")
    script = (
        "from quantum.auth.ratelimit_storage import SQLiteStorage\n"
        f"storage = SQLiteStorage({uri!r})\n"
        "for _ in range(40):\n    storage.incr('shared', 600)\n"
    )
    processes = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT) for _ in range(5)]
    assert [process.wait(timeout=120) for process in processes] == [0] * 5
    assert SQLiteStorage(uri).get("shared") == 200


def test_the_default_storage_is_one_file_per_host_except_in_tests(tmp_path: Path) -> None:
    assert default_storage_uri("development", str(tmp_path)) == storage_uri_for(tmp_path / "ratelimits.db")
    assert default_storage_uri("production", str(tmp_path)) == storage_uri_for(tmp_path / "ratelimits.db")
    assert default_storage_uri("testing", str(tmp_path)) == "memory://"


@pytest.fixture
def apps():
    built = []

    def build(db_url: str, **config):
        app = make_app(db_url, RATELIMIT_LOGIN="3 per minute", **config)
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.engine.dispose()


def _login(client):
    return client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "whatever-1"})


def test_apps_on_one_storage_file_share_the_login_limit(apps, db_url, backend, tmp_path: Path) -> None:
    uri = storage_uri_for(tmp_path / "limits.db")
    first = apps(db_url, RATELIMIT_STORAGE_URI=uri).test_client()
    assert [_login(first).status_code for _ in range(3)] == [401, 401, 401]
    # A second app builds its own storage object: the count lives in the file, not in the object.
    second = apps(db_url, RATELIMIT_STORAGE_URI=uri).test_client()
    response = _login(second)
    assert response.status_code == 429 and response.get_json()["error"] == "rate_limited"


def test_unreachable_redis_is_a_json_503_and_an_alert(apps, db_url, backend, caplog) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"
    client = apps(db_url, RATELIMIT_STORAGE_URI=closed).test_client()
    with caplog.at_level(logging.ERROR, logger="quantum.alerts"):
        responses = [_login(client) for _ in range(2)]
    for response in responses:
        body = response.get_json()
        assert response.status_code == 503, body
        assert body["error"] == "rate_limit_unavailable" and body["error_code"] == "AUTH_503"
        assert body["retry_after"] == 5 and response.headers["Retry-After"] == "5"
    alerts = [r.getMessage() for r in caplog.records if r.getMessage().startswith("ALERT rate_limit_storage")]
    assert len(alerts) == 1, alerts  # one alert per outage, not one per request
    assert client.get("/api/health").status_code == 200  # routes without a limit are untouched


def test_an_unusable_storage_file_is_a_503_until_it_recovers(apps, db_url, backend, tmp_path: Path, caplog) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage's folder should be")
    client = apps(db_url, RATELIMIT_STORAGE_URI=storage_uri_for(blocker / "limits.db")).test_client()
    with caplog.at_level(logging.WARNING, logger="quantum.alerts"):
        assert _login(client).status_code == 503
        blocker.unlink()
        assert _login(client).status_code == 401
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("ALERT rate_limit_storage") for m in messages)
    assert any(m.startswith("RESOLVED rate_limit_storage") for m in messages)


@pytest.mark.parametrize(
    ("setting", "config"),
    [("RATELIMIT_STRATEGY", {"RATELIMIT_STORAGE_URI": "quantum-sqlite:///tmp/x.db", "RATELIMIT_STRATEGY": "moving-window"}),
     ("RATELIMIT_STORAGE_URI", {"RATELIMIT_STORAGE_URI": "quantum-sqlite://"})],
)
def test_unusable_storage_settings_stop_start_up(db_url, backend, setting, config) -> None:
    with pytest.raises(ConfigError, match=setting):
        make_app(db_url, **config)
