"""`flask db-ensure` as an operator runs it: exit codes, reports, concurrency, failures in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_SECRET, run_flask
from tests.db.helpers import execute, real_head


def _json(process: subprocess.CompletedProcess) -> dict:
    return json.loads(process.stdout.strip().splitlines()[-1])


def test_json_report_has_the_documented_fields(empty_db_url, backend):
    first = run_flask(["db-ensure", "--json"], empty_db_url)
    assert first.returncode == 0, first.stderr
    report = _json(first)
    for key in ("action", "revision_before", "revision_after", "backend", "drift", "duration_ms"):
        assert key in report
    assert report["action"] == "created" and report["backend"] == backend
    second = run_flask(["db-ensure"], empty_db_url)
    assert second.returncode == 0
    assert "noop" in second.stdout


def test_check_exit_codes(empty_db_url):
    would = run_flask(["db-ensure", "--check", "--json"], empty_db_url)
    assert would.returncode == 1 and _json(would)["action"] == "created"
    assert run_flask(["db-ensure"], empty_db_url).returncode == 0
    assert run_flask(["db-ensure", "--check"], empty_db_url).returncode == 0
    execute(empty_db_url, "DROP INDEX ix_portfolio_snapshots_user_id_created_at")
    drifted = run_flask(["db-ensure", "--check", "--json"], empty_db_url)
    assert drifted.returncode == 6
    assert any(d["kind"] == "missing_index" for d in _json(drifted)["drift"])


def test_drift_failure_is_one_line_with_exit_6(empty_db_url):
    assert run_flask(["db-ensure"], empty_db_url).returncode == 0
    execute(empty_db_url, "DROP INDEX ix_portfolio_snapshots_user_id_created_at")
    process = run_flask(["db-ensure"], empty_db_url)
    assert process.returncode == 6
    assert "Traceback" not in process.stderr
    assert "db-ensure: schema_drift (exit 6)" in process.stderr
    assert "ix_portfolio_snapshots_user_id_created_at" in process.stderr


def test_ahead_is_exit_4(empty_db_url):
    assert run_flask(["db-ensure"], empty_db_url).returncode == 0
    execute(empty_db_url, "UPDATE alembic_version SET version_num = 'abcdef123456'")
    process = run_flask(["db-ensure", "--json"], empty_db_url)
    assert process.returncode == 4
    assert _json(process)["error"] == "database_ahead"


@pytest.mark.slow
def test_six_concurrent_starters_one_migrates(empty_db_url):
    with ThreadPoolExecutor(max_workers=6) as pool:
        processes = list(pool.map(lambda _: run_flask(["db-ensure", "--json"], empty_db_url), range(6)))
    for process in processes:
        assert process.returncode == 0, process.stderr
    actions = sorted(_json(p)["action"] for p in processes)
    assert actions == ["created"] + ["noop"] * 5
    assert {_json(p)["revision_after"] for p in processes} == {real_head()}


def test_unreachable_database_gives_bounded_retries_and_one_line():
    process = run_flask(
        ["db-ensure"],
        "postgresql://postgres@127.0.0.1:9/nowhere",
        env={"DB_CONNECT_RETRIES": "3", "DB_RETRY_BASE_DELAY": "0.01"},
    )
    assert process.returncode == 3
    assert "Traceback" not in process.stderr
    last = process.stderr.strip().splitlines()[-1]
    assert "127.0.0.1:9/nowhere" in last and "after 3 attempts" in last


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"QUANTUM_ENV": "production", "DATABASE_URL": ""}, "DATABASE_URL"),
        ({"QUANTUM_ENV": "production", "DATABASE_URL": "postgresql://h/db", "JWT_SECRET_KEY": "short"}, "JWT_SECRET_KEY"),
        ({"QUANTUM_ENV": "production", "DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"QUANTUM_ENV": "staging"}, "QUANTUM_ENV"),
        ({"DB_POOL_SIZE": "many"}, "DB_POOL_SIZE"),
    ],
)
def test_configuration_errors_stop_startup_with_one_line(env, variable):
    process = run_flask(["db-ensure"], None, env=env)
    assert process.returncode == 2
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    assert variable in lines[0] and "Traceback" not in process.stderr


def test_gunicorn_refuses_bad_production_config_in_one_line():
    process = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "wsgi:app", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "QUANTUM_ENV": "production", "JWT_SECRET_KEY": TEST_SECRET},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 2
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0], process.stderr


def test_gunicorn_stops_on_a_setting_only_the_app_reads(tmp_path):
    """The worker cannot boot: the master stops (no crash loop), and the reason is one line."""
    # gunicorn.conf.py checks every setting before a worker starts; a config file that does not
    # (gunicorn started some other way) leaves the worker as the first to read them. One worker: with two
    # that both fail, gunicorn's master can meet the second failure while halting for the first and print
    # its own traceback (a race in gunicorn under load, not in the app).
    unchecked = tmp_path / "unchecked.conf.py"
    unchecked.write_text("control_socket_disable = True\n")
    (tmp_path / "metrics").mkdir()  # gunicorn.conf.py would have made it
    process = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "wsgi:app", "-c", str(unchecked), "--bind", "127.0.0.1:0",
         "--workers", "1"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "RISK_FREE_RATE": "lots",
             "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode != 0
    reasons = [line for line in process.stderr.splitlines() if line.startswith("quantum: configuration error")]
    assert reasons and all("RISK_FREE_RATE" in line for line in reasons)
    assert "Worker failed to boot" in process.stderr and "Traceback" not in process.stderr
