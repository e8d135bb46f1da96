"""The gunicorn settings the project reads are validated like the app's own: one line naming the variable, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from quantum.config import ConfigError, ServerSettings, load_settings

ROOT = Path(__file__).resolve().parents[2]


def server_settings(env: dict[str, str]) -> ServerSettings:
    """The server group of the settings read from `env` alone."""
    return load_settings({"QUANTUM_ENV": "testing", **env}).server


def test_defaults_and_values() -> None:
    defaults = server_settings({})
    assert defaults.bind == "0.0.0.0:8000" and defaults.threads == 4 and defaults.timeout == 30
    assert defaults.workers >= 2
    chosen = server_settings({"WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "2", "GUNICORN_TIMEOUT": "60", "PORT": "5000"})
    assert (chosen.bind, chosen.workers, chosen.threads, chosen.timeout) == ("0.0.0.0:5000", 3, 2, 60)
    assert server_settings({"GUNICORN_BIND": "127.0.0.1:9000", "PORT": "5000"}).bind == "127.0.0.1:9000"
    assert server_settings({"GUNICORN_BIND": "unix:/run/quantum.sock"}).bind == "unix:/run/quantum.sock"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("WEB_CONCURRENCY", "lots"), ("WEB_CONCURRENCY", "0"), ("GUNICORN_THREADS", "2.5"), ("GUNICORN_TIMEOUT", "-1"),
     ("PORT", "99999"), ("PORT", "http"), ("GUNICORN_BIND", "nowhere"), ("GUNICORN_BIND", "host:port")],
)
def test_a_bad_value_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        server_settings({variable: value})


def _start(command: list[str], tmp_path: Path, **settings: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "QUANTUM_ENV": "testing",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", **settings}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("variable", "value"), [("GUNICORN_BIND", "nowhere"), ("GUNICORN_TIMEOUT", "soon"),
                                                 ("PORT", "99999"), ("WEB_CONCURRENCY", "lots"),
                                                 # one settings object: the app's own settings stop the master too
                                                 ("RISK_FREE_RATE", "lots"), ("RATELIMIT_LOGIN", "lots")])
def test_the_server_refuses_to_start_in_one_line(tmp_path: Path, variable: str, value: str) -> None:
    # WEB_CONCURRENCY is parsed by gunicorn while it imports itself: `python -m quantum.serve` (make serve,
    # the Procfile) checks first. The others are checked by gunicorn.conf.py under plain gunicorn too.
    commands = [[sys.executable, "-m", "quantum.serve", "wsgi:app", "-c", "gunicorn.conf.py"]]
    if variable != "WEB_CONCURRENCY":
        commands.append([str(Path(sys.executable).parent / "gunicorn"), "wsgi:app", "-c", "gunicorn.conf.py"])
    for command in commands:
        process = _start(command, tmp_path, **{variable: value})
        lines = process.stderr.strip().splitlines()
        assert process.returncode == 2, process.stderr
        assert len(lines) == 1 and lines[0].startswith("quantum: configuration error: " + variable), process.stderr
