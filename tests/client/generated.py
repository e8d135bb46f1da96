"""Generate the Python client the way `make client` does, install it, and serve the app for it to call."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from tests.conftest import ROOT
from tests.live import LiveServer, free_port, server_env

BIN = Path(sys.executable).parent
CONFIG = ROOT / "clients" / "openapi-python-client.yaml"
COMMITTED = ROOT / "clients" / "python"
PACKAGE = "quantumleap_client"
#: What the generator may print: the one line naming where it writes. Anything else is a warning.
GENERATING = "Generating {path}"


@dataclass(frozen=True)
class Generation:
    """One run of openapi-python-client: where it wrote, what it printed, how it exited."""

    path: Path
    output: str
    returncode: int


def generate(document: Path, output: Path) -> Generation:
    """Run openapi-python-client on `document` with the project's settings (as `make client` does)."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "NO_COLOR": "1"}
    run = subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(document), "--config", str(CONFIG),
         "--meta", "setup", "--output-path", str(output), "--fail-on-warning"],
        cwd=output.parent, env=env, capture_output=True, text=True, timeout=300,
    )
    return Generation(output, run.stdout + run.stderr, run.returncode)


def install(project: Path, target: Path) -> None:
    """`pip install --no-deps` the generated project into `target` (its httpx and attrs are the venv's)."""
    run = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(project)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


@contextmanager
def imported(target: Path) -> Iterator[ModuleType]:
    """The installed client package, importable from `target` for the duration."""
    sys.path.insert(0, str(target))
    try:
        package = importlib.import_module(PACKAGE)
        assert Path(package.__file__).is_relative_to(target), package.__file__
        yield package
    finally:
        sys.path.remove(str(target))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


#: What building or linting the client leaves beside it (the generated .gitignore ignores them).
BYPRODUCTS = {".ruff_cache", "__pycache__", "build", "dist"}


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by relative path, caches and build output left out."""
    files = {}
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if path.is_file() and not BYPRODUCTS & set(parts) and not any(part.endswith(".egg-info") for part in parts):
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


@contextmanager
def gunicorn(database_url: str, log: Path, *, startup_timeout: float = 60) -> Iterator[LiveServer]:
    """gunicorn wsgi:app (one worker) on a migrated database; stopped afterwards."""
    port = free_port()
    env = server_env(database_url, WEB_CONCURRENCY="1")
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "wsgi:app", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
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
