"""The no-op fast path of `flask db-ensure` (fingerprints): fast when nothing changed, never when something did."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quantum.paths import MIGRATIONS_DIR, PROJECT_ROOT
from quantum.schema_engine.fingerprint import FINGERPRINT_TABLE, code_fingerprint
from quantum.schema_engine.quick import QuickTarget, quick_noop
from tests.conftest import ROOT, make_app, run_flask
from tests.db.helpers import execute, scalar

APP_TARGET = QuickTarget(root=PROJECT_ROOT, migrations_dir=MIGRATIONS_DIR)


def _report(process: subprocess.CompletedProcess) -> dict:
    assert process.returncode in (0, 1, 4, 6), process.stderr
    return json.loads(process.stdout.strip().splitlines()[-1])


def test_second_run_is_answered_from_the_fingerprints(empty_db_url, backend):
    first = _report(run_flask(["db-ensure", "--json"], empty_db_url))
    assert (first["action"], first["validation"]) == ("created", "full")
    second = _report(run_flask(["db-ensure", "--json"], empty_db_url))
    assert second["action"] == "noop" and second["validation"] == "fingerprint"
    assert second["revision_after"] == first["revision_after"] and second["backend"] == backend
    assert second["exit_code"] == 0 and second["drift"] == []
    text = run_flask(["db-ensure"], empty_db_url)
    assert text.returncode == 0 and "noop: already at" in text.stdout


@pytest.mark.parametrize(
    "change",
    [
        "DROP INDEX ix_portfolio_snapshots_user_id_created_at",
        "ALTER TABLE users ADD COLUMN nickname VARCHAR(20)",
        "CREATE TABLE stray (id INTEGER PRIMARY KEY)",
    ],
    ids=["dropped-index", "added-column", "extra-table"],
)
def test_any_schema_change_after_the_record_is_validated_in_full(empty_db_url, change):
    assert run_flask(["db-ensure"], empty_db_url).returncode == 0
    assert quick_noop(empty_db_url, APP_TARGET) is not None
    execute(empty_db_url, change)
    assert quick_noop(empty_db_url, APP_TARGET) is None
    report = _report(run_flask(["db-ensure", "--json"], empty_db_url))
    assert report["validation"] == "full"
    if change.startswith("DROP INDEX"):
        assert report["exit_code"] == 6 and any(d["kind"] == "missing_index" for d in report["drift"])
    else:
        # Extra columns and tables are warnings: reported on every run, never cached away.
        assert report["exit_code"] == 0 and report["drift"]
        again = _report(run_flask(["db-ensure", "--json"], empty_db_url))
        assert again["validation"] == "full" and again["drift"] == report["drift"]


def test_a_different_revision_in_the_database_is_not_vouched_for(empty_db_url):
    assert run_flask(["db-ensure"], empty_db_url).returncode == 0
    execute(empty_db_url, "UPDATE alembic_version SET version_num = 'abcdef123456'")
    assert quick_noop(empty_db_url, APP_TARGET) is None
    report = _report(run_flask(["db-ensure", "--json"], empty_db_url))
    assert report["error"] == "database_ahead" and report["exit_code"] == 4


def test_a_record_written_by_other_code_is_not_trusted(empty_db_url):
    """A release whose models or migrations differ has another code fingerprint: full run, new record."""
    assert run_flask(["db-ensure"], empty_db_url).returncode == 0
    execute(empty_db_url, f"UPDATE {FINGERPRINT_TABLE} SET code_fingerprint = 'written-by-another-release'")
    assert quick_noop(empty_db_url, APP_TARGET) is None
    assert _report(run_flask(["db-ensure", "--json"], empty_db_url))["validation"] == "full"
    assert scalar(empty_db_url, f"SELECT code_fingerprint FROM {FINGERPRINT_TABLE}") != "written-by-another-release"
    assert quick_noop(empty_db_url, APP_TARGET) is not None


def test_check_and_allow_destructive_always_validate_in_full(empty_db_url):
    assert run_flask(["db-ensure"], empty_db_url).returncode == 0
    check = run_flask(["db-ensure", "--check", "--json"], empty_db_url)
    assert check.returncode == 0 and _report(check)["validation"] == "full"
    destructive = run_flask(["db-ensure", "--allow-destructive", "--json"], empty_db_url)
    assert destructive.returncode == 0 and _report(destructive)["validation"] == "full"


def test_the_fast_path_imports_neither_sqlalchemy_nor_the_models(empty_db_url):
    assert run_flask(["db-ensure"], empty_db_url).returncode == 0
    probe = (
        "import sys\n"
        "from quantum.schema_engine.quick import QuickTarget, quick_noop\n"
        "from quantum.paths import MIGRATIONS_DIR, PROJECT_ROOT\n"
        f"report = quick_noop({empty_db_url!r}, QuickTarget(root=PROJECT_ROOT, migrations_dir=MIGRATIONS_DIR))\n"
        "heavy = sorted(m for m in ('sqlalchemy', 'alembic', 'sqlmodel', 'quantum.tables') if m in sys.modules)\n"
        "print(report['action'], heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "noop []"


def test_the_first_request_guard_does_not_write_the_record(empty_db_url):
    app = make_app(empty_db_url)
    with app.test_client() as client:
        assert client.get("/api/portfolio/latest").status_code == 401  # past the guard: the schema is ready
    tables = scalar(
        empty_db_url,
        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_fingerprint'"
        if empty_db_url.startswith("sqlite")
        else "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_fingerprint'",
    )
    assert tables == 0


def test_unusable_urls_fall_back_to_the_full_run(tmp_path):
    assert quick_noop(f"sqlite:///{tmp_path / 'missing.db'}", APP_TARGET) is None
    assert quick_noop("sqlite://", APP_TARGET) is None
    assert quick_noop("postgresql+psycopg2://nobody@127.0.0.1:1/nothing", APP_TARGET) is None
    assert quick_noop("postgresql://u@h/db?sslmode=require", APP_TARGET) is None  # options: SQLAlchemy's job


def test_code_fingerprint_follows_the_files_not_their_location(tmp_path):
    def project(where: Path) -> Path:
        (where / "pkg").mkdir(parents=True)
        (where / "pkg" / "models.py").write_text("COLUMNS = 3\n")
        (where / "migrations" / "versions").mkdir(parents=True)
        (where / "migrations" / "versions" / "0001_a.py").write_text("revision = '0001'\n")
        return where

    one, two = project(tmp_path / "one"), project(tmp_path / "two")
    files = ["pkg/models.py"]

    def fingerprint(root: Path) -> str:
        return code_fingerprint(root, files, root / "migrations")

    assert fingerprint(one) == fingerprint(two)  # the same release built in another folder
    (two / "pkg" / "models.py").write_text("COLUMNS = 4\n")
    assert fingerprint(one) != fingerprint(two)
    (two / "pkg" / "models.py").write_text("COLUMNS = 3\n")
    (two / "migrations" / "versions" / "0002_b.py").write_text("revision = '0002'\n")
    assert fingerprint(one) != fingerprint(two)
    (one / "pkg" / "models.py").unlink()
    with pytest.raises(FileNotFoundError):
        fingerprint(one)


def test_statistics_and_data_do_not_invalidate_the_record(empty_db_url):
    """ANALYZE (sqlite_stat1 on SQLite) and ordinary rows change no schema: still the fast path."""
    assert run_flask(["db-ensure"], empty_db_url).returncode == 0
    execute(empty_db_url, "ANALYZE")
    execute(empty_db_url, "INSERT INTO users (email, password_hash, tier, role, account_status, created_at, updated_at) "
                          "VALUES ('a@example.com', 'x', 'free', 'user', 'active', '2026-01-01', '2026-01-01')")
    assert quick_noop(empty_db_url, APP_TARGET) is not None
