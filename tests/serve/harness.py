"""gunicorn started the way the quick start starts it, in a copy of the project (its own instance/ folder).

The app keeps its files (the default SQLite database, the development signing key, the rate limit
counts) in Flask's instance folder beside the `quantum` package. Serving a copy of the package keeps
the repository's own instance/ untouched and gives each "host" its own folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.conftest import ROOT
from tests.live import free_port

BIN = Path(sys.executable).parent
# Settings the caller's environment might carry that the quick start does not set.
_DROP = ("DATABASE_URL", "MIGRATION_DATABASE_URL", "QUANTUM_", "JWT_", "RATELIMIT_", "PROMETHEUS_MULTIPROC_DIR",
         "WEB_CONCURRENCY", "GUNICORN_", "PORT", "LOG_FORMAT", "FLASK_")


def project_copy(target: Path) -> Path:
    """Copy what gunicorn and `flask db-ensure` need (package, migrations, wsgi.py, gunicorn.conf.py) to `target`."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "quantum", target / "quantum", ignore=ignore)
    shutil.copytree(ROOT / "migrations", target / "migrations", ignore=ignore)
    for name in ("wsgi.py", "gunicorn.conf.py"):
        shutil.copy(ROOT / name, target / name)
    return target


def quickstart_env(project: Path, **settings: str) -> dict[str, str]:
    """The environment `make serve` runs with (development, no key, no DATABASE_URL), plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROP)}
    env.update({"QUANTUM_ENV": "development", "PYTHONPATH": str(project), "PYTHONUNBUFFERED": "1", **settings})
    return env


def call(url: str, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    """One JSON request on a new connection (so gunicorn may hand it to any worker); (status, body)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


class Server:
    """`flask db-ensure`, then `python -m quantum.serve wsgi:app -c gunicorn.conf.py` (make serve) in `project`."""

    def __init__(self, project: Path, env: dict[str, str], log: Path) -> None:
        self.project, self.env, self.log = project, env, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, *, ensure: bool = True, timeout: float = 90) -> Server:
        """Run the release step (unless `ensure` is off) and serve; return once /api/health/ready answers 200."""
        if ensure:
            done = subprocess.run([str(BIN / "flask"), "db-ensure"], cwd=self.project, env=self.env,
                                  capture_output=True, text=True, timeout=180)
            assert done.returncode == 0, done.stderr + done.stdout
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                # What `make serve` runs: gunicorn behind the check of the server settings.
                [sys.executable, "-m", "quantum.serve", "wsgi:app", "-c", "gunicorn.conf.py",
                 "--bind", f"127.0.0.1:{self.port}"],
                cwd=self.project, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if call(self.url, "GET", "/api/health/ready")[0] == 200:
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.3)

    def stop(self) -> None:
        """Stop gunicorn (SIGTERM, then SIGKILL after 30 s) and wait for it."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
