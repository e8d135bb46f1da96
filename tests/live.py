"""A real server for tests that drive the API from outside: gunicorn on a migrated SQLite file.

Used by the browser test (tests/browser) and the fuzzing run (tests/fuzz).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, TEST_SECRET, run_flask

RELAXED_LIMIT = "10000 per minute"


@dataclass(frozen=True)
class LiveServer:
    """A running server: where it answers and the database it serves."""

    url: str
    database_url: str
    log: Path

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """One JSON request; returns (status, decoded body)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def register_and_login(self, email: str, password: str = "correct-horse-42") -> dict[str, Any]:
        """Register (unless the account exists) and log in over HTTP; return the token response."""
        status, body = self.call("POST", "/api/auth/register", {"email": email, "password": password})
        assert status in (201, 409), (status, body)
        status, tokens = self.call("POST", "/api/auth/login", {"email": email, "password": password})
        assert status == 200, (status, tokens)
        return tokens


def free_port() -> int:
    """A TCP port on the loopback interface nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a testing server on `database_url`, with relaxed login and register limits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "QUANTUM_", "JWT_", "RATELIMIT_"))}
    env.update({
        "QUANTUM_ENV": "testing", "DATABASE_URL": database_url, "JWT_SECRET_KEY": TEST_SECRET,
        "RATELIMIT_LOGIN": RELAXED_LIMIT, "RATELIMIT_REGISTER": RELAXED_LIMIT, "PYTHONUNBUFFERED": "1", **extra,
    })
    return env


@contextmanager
def live_server(tmp_path: Path, *, workers: int = 2, startup_timeout: float = 30) -> Iterator[LiveServer]:
    """Migrate a fresh SQLite file with `flask db-ensure`, serve it with gunicorn, stop it afterwards."""
    database_url = f"sqlite:///{tmp_path / 'live.db'}"
    ensured = run_flask(["db-ensure"], database_url)
    assert ensured.returncode == 0, ensured.stderr
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = server_env(database_url, WEB_CONCURRENCY=str(workers))
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "wsgi:app", "-c", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", database_url, log)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                if server.call("GET", "/api/health/ready")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
