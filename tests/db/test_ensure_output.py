"""`flask db-ensure` prints its result once, and with --json one JSON object on stdout whatever the exit code."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_flask


def test_the_result_is_printed_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    for expected in ("created the schema", "already at"):  # the full run, then the fingerprint fast path
        process = run_flask(["db-ensure"], url)
        assert process.returncode == 0, process.stderr
        assert (process.stdout + process.stderr).count(expected) == 1, process.stdout + process.stderr
        assert process.stdout.startswith("db-ensure: ")


def _one_object(stdout: str) -> dict:
    lines = stdout.strip().splitlines()
    assert len(lines) == 1, stdout
    return json.loads(lines[0])


def test_json_is_one_object_for_every_exit_code(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    ok = run_flask(["db-ensure", "--json"], url)
    assert ok.returncode == 0 and _one_object(ok.stdout)["action"] == "created"

    config = run_flask(["db-ensure", "--json"], None, env={"QUANTUM_ENV": "production"})
    report = _one_object(config.stdout)
    assert config.returncode == 2 == report["exit_code"]
    assert report["error"] == "configuration_error" and "DATABASE_URL" in report["message"]

    unreachable = run_flask(["db-ensure", "--json"], "postgresql://postgres@127.0.0.1:9/nowhere",
                            env={"DB_CONNECT_RETRIES": "1"})
    report = _one_object(unreachable.stdout)
    assert unreachable.returncode == 3 == report["exit_code"]
    assert report["error"] == "database_unreachable" and "after 1 attempt:" in report["message"]
