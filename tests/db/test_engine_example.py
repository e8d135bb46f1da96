"""docs/schema-engine.md's worked example, run as written: another Flask app adopting the engine.

The page's code blocks marked `# file: <path>` are written to a new folder; then the page's steps
run there with the real `flask` CLI (Flask-Migrate's `db init` and `db migrate`, the app's
`ensure-schema` command), and the app's first-request guard serves a request. SQLite and PostgreSQL.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "schema-engine.md"
FLASK = Path(sys.executable).with_name("flask")


def page_files() -> dict[str, str]:
    """The page's code blocks that name their file, by path."""
    blocks = re.findall(r"```python\n# file: (\S+)\n(.*?)```", PAGE.read_text(), flags=re.S)
    return {path: body for path, body in blocks}


def flask(folder: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    """`flask <args>` in the example's folder, as its developer would type it."""
    env = {**os.environ, "FLASK_APP": "notes_app:create_app", "DATABASE_URL": url, "PYTHONPATH": str(folder)}
    return subprocess.run([str(FLASK), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def test_the_page_names_its_files() -> None:
    """The example is complete: the app and the env.py that hands migrations to the engine."""
    assert set(page_files()) == {"notes_app.py", "migrations/env.py"}


@pytest.mark.slow
def test_the_worked_example_runs_as_documented(
    backend: str, empty_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """db init, env.py replaced, db migrate, ensure-schema: created, then noop, --check 0; the guard serves."""
    folder = tmp_path / "notes"
    folder.mkdir()
    files = page_files()
    (folder / "notes_app.py").write_text(files["notes_app.py"])
    init = flask(folder, empty_db_url, "db", "init")
    assert init.returncode == 0, init.stderr
    (folder / "migrations" / "env.py").write_text(files["migrations/env.py"])
    generated = flask(folder, empty_db_url, "db", "migrate", "-m", "notes")
    assert generated.returncode == 0, generated.stderr
    assert len(list((folder / "migrations" / "versions").glob("*.py"))) == 1, generated.stdout + generated.stderr

    first = flask(folder, empty_db_url, "ensure-schema", "--json")
    assert first.returncode == 0, first.stdout + first.stderr
    report = json.loads(first.stdout.strip().splitlines()[-1])
    assert (report["action"], report["backend"], report["drift"]) == ("created", backend, [])
    second = flask(folder, empty_db_url, "ensure-schema")
    assert second.returncode == 0 and "schema valid" in second.stdout, second.stdout + second.stderr
    check = flask(folder, empty_db_url, "ensure-schema", "--check")
    assert check.returncode == 0, check.stdout + check.stderr

    engine = sa.create_engine(empty_db_url)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO notes (text) VALUES ('buy milk')"))  # server defaults fill the rest
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", empty_db_url)
    spec = importlib.util.spec_from_file_location("notes_app_under_test", folder / "notes_app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    response = module.create_app().test_client().get("/notes")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == [{"id": 1, "text": "buy milk", "mood": "calm", "pinned": False}]
