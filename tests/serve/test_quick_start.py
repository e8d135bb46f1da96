"""The quick start's configuration (development, no key, gunicorn.conf.py, 4 workers) serves one token everywhere.

And its login limit holds for the host, not per worker. Each test serves a copy of the project, so the
development key and the rate limit counts land in a temporary instance/ folder, never the repository's.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from quantum.config import DEV_SECRET_FILE
from tests.serve.harness import Server, call, project_copy, quickstart_env

pytestmark = pytest.mark.slow
PASSWORD = "correct-horse-42"


def _twenty_calls(server: Server, token: str) -> list[int]:
    # Each call opens its own connection, so the four workers all get some of them.
    return [call(server.url, "GET", "/api/auth/me", token=token)[0] for _ in range(20)]


def test_one_token_works_on_every_worker_and_after_a_restart(tmp_path: Path) -> None:
    project = project_copy(tmp_path / "app")
    server = Server(project, quickstart_env(project, WEB_CONCURRENCY="4"), tmp_path / "gunicorn.log")
    email = f"newcomer-{uuid.uuid4().hex[:8]}@example.com"
    try:
        server.start()
        assert call(server.url, "POST", "/api/auth/register", {"email": email, "password": PASSWORD})[0] == 201
        status, tokens = call(server.url, "POST", "/api/auth/login", {"email": email, "password": PASSWORD})
        assert status == 200, tokens
        token = tokens["access_token"]
        assert _twenty_calls(server, token) == [200] * 20

        server.stop()
        server.start()
        assert _twenty_calls(server, token) == [200] * 20
    finally:
        server.stop()
    key_file = project / "instance" / DEV_SECRET_FILE
    assert key_file.stat().st_mode & 0o077 == 0  # the one key, owner-only, in the copy's instance folder


def test_the_login_limit_holds_across_four_workers_with_the_default_storage(tmp_path: Path) -> None:
    project = project_copy(tmp_path / "app")
    # An hour-long window: a slow machine cannot roll the window over mid-test.
    env = quickstart_env(project, WEB_CONCURRENCY="4", RATELIMIT_LOGIN="10 per hour")
    server = Server(project, env, tmp_path / "gunicorn.log")
    try:
        server.start()
        wrong = {"email": "nobody@example.com", "password": "not-the-password"}
        statuses = [call(server.url, "POST", "/api/auth/login", wrong)[0] for _ in range(14)]
    finally:
        server.stop()
    assert statuses == [401] * 10 + [429] * 4
    assert (project / "instance" / "ratelimits.db").exists()
