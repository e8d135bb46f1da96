"""Backups, restores, integrity checks, statistics and optimisation, as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.conftest import run_flask
from tests.db.helpers import execute, scalar


def _fill(url: str, count: int) -> None:
    values = ", ".join(
        f"('u{i}@example.com', 'hash{i}', 'active', 'free', 'user', '2024-01-01 00:00:00', '2024-01-01 00:00:00')"
        for i in range(count)
    )
    execute(url, "INSERT INTO users (email, password_hash, account_status, tier, role, created_at, updated_at) "
                 f"VALUES {values}")


def _dump(url: str) -> list:
    return scalar(url, "SELECT string_agg(email || ':' || password_hash, ',' ORDER BY id) FROM users") if \
        make_url(url).get_backend_name() == "postgresql" else \
        scalar(url, "SELECT group_concat(email || ':' || password_hash, ',') FROM (SELECT * FROM users ORDER BY id)")


def test_backup_then_restore_round_trips_every_row(db_url, tmp_path):
    _fill(db_url, 25)
    before = _dump(db_url)
    made = run_flask(["db-backup", "--dir", str(tmp_path / "b")], db_url)
    assert made.returncode == 0, made.stderr
    backup_file = made.stdout.strip().split("backup written: ")[1]
    execute(db_url, "DELETE FROM users WHERE id > 12", "UPDATE users SET password_hash = 'changed'")
    assert _dump(db_url) != before
    refused = run_flask(["db-restore", backup_file], db_url)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    restored = run_flask(["db-restore", backup_file, "--yes"], db_url)
    assert restored.returncode == 0, restored.stderr
    assert _dump(db_url) == before
    assert run_flask(["db-ensure"], db_url).returncode == 0


def test_backup_retention_keeps_the_newest(db_url, tmp_path):
    for _ in range(4):
        assert run_flask(["db-backup", "--dir", str(tmp_path / "b"), "--keep", "2"], db_url).returncode == 0
    assert len(list((tmp_path / "b").iterdir())) == 2


def test_restore_checks_the_file_first(db_url, tmp_path):
    _fill(db_url, 3)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a backup" * 100)
    process = run_flask(["db-restore", str(garbage), "--yes"], db_url)
    assert process.returncode == 1 and "error:" in process.stderr
    assert scalar(db_url, "SELECT count(*) FROM users") == 3


def test_corrupted_sqlite_file_is_reported_by_db_check(tmp_path, _migrated_templates):
    import shutil

    path = tmp_path / "corrupt.db"
    shutil.copy(make_url(_migrated_templates("sqlite")).database, path)
    url = f"sqlite:///{path}"
    assert run_flask(["db-check"], url).stdout.strip() == "integrity: ok"
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page * 2, min(len(data), page * 5)):  # scribble over table pages
        data[offset] = 0xA5
    path.write_bytes(bytes(data))
    process = run_flask(["db-check"], url, env={"SCHEMA_GUARD": "0"})
    assert process.returncode == 1
    assert "integrity:" in process.stderr and "what to do:" in process.stderr


def test_db_check_ok_on_both(db_url):
    process = run_flask(["db-check"], db_url)
    assert process.returncode == 0 and "integrity: ok" in process.stdout


def test_db_stats_and_optimize(db_url, tmp_path):
    _fill(db_url, 7)
    assert run_flask(["db-optimize"], db_url).returncode == 0
    slow_log = tmp_path / "slow.jsonl"
    slow_log.write_text(json.dumps({"duration_ms": 250.0, "statement": "SELECT 1 FROM users"}) + "\n")
    process = run_flask(["db-stats", "--json"], db_url, env={"SLOW_QUERY_LOG": str(slow_log)})
    assert process.returncode == 0, process.stderr
    report = json.loads(process.stdout.strip().splitlines()[-1])
    users = next(t for t in report["tables"] if t["table"] == "users")
    assert users["rows"] == 7 and users["last_analyze"]
    assert any(i["index"] == "ix_portfolio_snapshots_user_id_created_at" for i in report["indexes"])
    assert report["slowest"][0]["duration_ms"] == 250.0
    human = run_flask(["db-stats"], db_url)
    assert human.returncode == 0 and "users" in human.stdout
    assert Path(slow_log).exists()


def test_db_stats_counts_exactly_or_says_it_estimates(db_url, backend):
    import sqlalchemy as sa

    from quantum.ops.maintenance import table_stats

    _fill(db_url, 12)
    execute(db_url, "ANALYZE", "DELETE FROM users WHERE id IN (SELECT id FROM users ORDER BY id LIMIT 6)")
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            users = next(t for t in table_stats(connection) if t["table"] == "users")
            assert (users["rows"], users["rows_exact"]) == (6, True)  # counted, whatever the statistics say
            if backend == "postgresql":
                estimated = next(t for t in table_stats(connection, exact_count_max_bytes=0) if t["table"] == "users")
                assert estimated["rows_exact"] is False
    finally:
        engine.dispose()


def test_db_stats_reads_well(db_url, tmp_path):
    from quantum.ops.cli import stats_lines

    human = run_flask(["db-stats"], db_url, env={"SLOW_QUERY_LOG": str(tmp_path / "none.jsonl")})
    assert human.returncode == 0, human.stderr
    assert "slowest statements: none recorded" in human.stdout and "- ms" not in human.stdout
    lines = human.stdout.splitlines()
    table_rows = lines[:lines.index("")]
    start = table_rows[0].index("last analyze")
    assert all(row[start - 2:start] == "  " and row[start] != " " for row in table_rows[1:])  # one column edge
    report = {"backend": "postgresql", "slowest": [{"duration_ms": 12.5, "statement": "SELECT 1"}],
              "tables": [{"table": "a_table_with_a_really_quite_long_name_indeed", "rows": 12, "rows_exact": False,
                          "bytes": 8192, "last_analyze": None}, {"table": "t", "rows": 3, "rows_exact": True,
                                                                   "bytes": 1, "last_analyze": None}],
              "indexes": [{"index": "ix", "table": "t", "scans": 4}]}
    text = stats_lines(report)
    assert text[1].endswith("~12   8192  never") and text[2].startswith("t  ") and len(text[1]) == len(text[2])
    assert text[3].startswith("~ an estimate") and "12.5 ms  SELECT 1" in text[-1]
