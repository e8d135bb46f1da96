"""With RATELIMIT_STORAGE_URI=redis://..., two gunicorn masters ("two hosts") on one database share the login limit."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import redis

from tests.conftest import TEST_SECRET
from tests.serve.harness import Server, call, project_copy, quickstart_env

pytestmark = pytest.mark.slow
REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_available(), reason="Redis is not reachable at 127.0.0.1:6379")
def test_two_hosts_share_the_login_limit_through_redis(tmp_path: Path) -> None:
    prefix = f"quantum-test-{uuid.uuid4().hex}"
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    settings = {
        "QUANTUM_ENV": "production", "DATABASE_URL": database, "JWT_SECRET_KEY": TEST_SECRET, "WEB_CONCURRENCY": "2",
        "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix, "RATELIMIT_LOGIN": "6 per hour",
    }
    servers = []
    for host in ("host-a", "host-b"):  # each host its own copy, so its own instance/ folder
        project = project_copy(tmp_path / host)
        servers.append(Server(project, quickstart_env(project, **settings), tmp_path / f"{host}.log"))
    try:
        for server in servers:
            server.start()
        wrong = {"email": "nobody@example.com", "password": "not-the-password"}
        statuses = [call(servers[i % 2].url, "POST", "/api/auth/login", wrong)[0] for i in range(10)]
    finally:
        for server in servers:
            server.stop()
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"*{prefix}*"))
        for key in keys:
            client.delete(key)
    assert statuses == [401] * 6 + [429] * 4
    assert keys, "the counts were not kept under RATELIMIT_KEY_PREFIX"
