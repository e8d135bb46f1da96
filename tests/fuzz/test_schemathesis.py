"""Fuzz the running app from its own /openapi.json with schemathesis.

A gunicorn server on a fresh migrated SQLite file; a user and an admin registered and logged in
over HTTP, so authenticated routes are fuzzed with real tokens. Checks: no 5xx, every status
documented, every body (errors included) matching its documented schema and content type.
Bounded: a fixed seed, a few examples per operation, and a time limit per run. Generated bodies and
queries also carry hostile values (tests/fuzz/hostile_hooks.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_flask
from tests.live import LiveServer, live_server

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "25"))
RUN_TIMEOUT = float(os.environ.get("FUZZ_TIMEOUT", "150"))
PASSWORD = "correct-horse-42"
ARTIFACTS = ROOT / "artifacts"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """The app served by gunicorn on a fresh migrated SQLite file."""
    with live_server(tmp_path_factory.mktemp("fuzz")) as live:
        yield live


def _schemathesis(server: LiveServer, name: str, token: str, *extra: str,
                  phases: str = "examples,coverage,fuzzing,stateful") -> subprocess.CompletedProcess:
    """Run `schemathesis run` against the live document with `token` as the bearer token.

    It runs in a directory of its own, so no crash cache from an earlier run changes this one.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", f"{server.url}/openapi.json",
        "--checks", CHECKS,
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", "20261122",
        "--phases", phases,
        "--workers", "1",  # hypothesis' caches are not thread-safe: two workers made a flaky internal error
        "--request-timeout", "10",
        "--header", f"Authorization: Bearer {token}",
        "--report", "junit", "--report-junit-path", str(ARTIFACTS / f"fuzz-{name}.xml"),
        "--no-color",
        *extra,
    ]
    # The hostile-input corpus rides along in generated bodies and queries (tests/fuzz/hostile_hooks.py).
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": "tests.fuzz.hostile_hooks",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    workdir = server.log.parent / f"schemathesis-{name}"
    workdir.mkdir(exist_ok=True)
    run = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    (ARTIFACTS / f"fuzz-{name}.log").write_text(run.stdout + run.stderr)
    return run


def _assert_clean(run: subprocess.CompletedProcess, server: LiveServer) -> None:
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"schemathesis found failures (whole output in artifacts/):\n{output[-12000:]}"
    assert "generated" in output and " 0 generated" not in output, output[-3000:]
    server_log = server.log.read_text()
    assert "Traceback" not in server_log, f"the server logged a traceback:\n{server_log[-5000:]}"


def test_fuzz_every_route_as_a_user(server: LiveServer):
    """Every operation but logout (which would revoke the token mid-run), with a user's token."""
    tokens = server.register_and_login("fuzz-user@example.com", PASSWORD)
    run = _schemathesis(server, "user", tokens["access_token"], "--exclude-path", "/api/auth/logout")
    _assert_clean(run, server)


def _admin_paths(server: LiveServer) -> list[str]:
    """The paths with an operation that needs the admin scope or role (as documented by @auth_required)."""
    status, document = server.call("GET", "/openapi.json")
    assert status == 200
    return sorted({
        path for path, item in document["paths"].items() for operation in item.values()
        if isinstance(operation, dict)
        and ("admin" in (operation.get("x-required-scopes") or []) or operation.get("x-required-role") == "admin")
    })


def test_fuzz_admin_routes_as_an_admin(server: LiveServer):
    """The routes that need the admin role, with an admin's token (as a user they only ever answer 403)."""
    created = run_flask(["users", "create", "fuzz-admin@example.com", "--password", PASSWORD, "--role", "admin"],
                        server.database_url)
    assert created.returncode == 0, created.stderr
    tokens = server.register_and_login("fuzz-admin@example.com", PASSWORD)
    paths = _admin_paths(server)
    assert "/api/admin/users" in paths
    included = [option for path in paths for option in ("--include-path", path)]
    run = _schemathesis(server, "admin", tokens["access_token"], *included)
    _assert_clean(run, server)


def test_fuzz_logout(server: LiveServer):
    """Logout last, with a token of its own: after the first call the token is revoked (401, documented)."""
    tokens = server.register_and_login("fuzz-logout@example.com", PASSWORD)
    run = _schemathesis(server, "logout", tokens["access_token"], "--include-path", "/api/auth/logout",
                        phases="examples,coverage,fuzzing")
    _assert_clean(run, server)
