"""The maintenance classes (`quantum.ops.maintenance`) answer every question on a real database of their backend."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from quantum.ops.maintenance import (
    Maintenance,
    MaintenanceError,
    PostgreSQLMaintenance,
    SQLiteMaintenance,
    maintenance_for,
)
from tests.db.helpers import execute, scalar


def _connected(url: str, body):  # noqa: ANN001, ANN202
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            return body(connection)
    finally:
        engine.dispose()


def case_name(maintenance: Maintenance, url: str, tmp_path: Path) -> None:
    assert maintenance.name == sa.make_url(url).get_backend_name()
    assert type(maintenance) is {"sqlite": SQLiteMaintenance, "postgresql": PostgreSQLMaintenance}[maintenance.name]


def case_write_backup(maintenance: Maintenance, url: str, tmp_path: Path) -> None:
    path, pattern = maintenance.write_backup(url, tmp_path)
    assert path.is_file() and path.match(pattern)


def case_backup(maintenance: Maintenance, url: str, tmp_path: Path) -> None:
    """Written, then pruned to the newest `keep`."""
    made = [maintenance.backup(url, tmp_path / "b", keep=2) for _ in range(3)]
    assert sorted((tmp_path / "b").iterdir()) == made[1:]


def case_verify_backup(maintenance: Maintenance, url: str, tmp_path: Path) -> None:
    maintenance.verify_backup(url, maintenance.backup(url, tmp_path, keep=1))
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"not a backup" * 100)
    with pytest.raises(MaintenanceError):
        maintenance.verify_backup(url, garbage)


def case_restore(maintenance: Maintenance, url: str, tmp_path: Path) -> None:
    backup = maintenance.backup(url, tmp_path, keep=1)
    before = scalar(url, "SELECT count(*) FROM strategy_templates")
    execute(url, "DELETE FROM strategy_templates")
    maintenance.restore(url, backup)
    assert scalar(url, "SELECT count(*) FROM strategy_templates") == before > 0


def case_integrity_check(maintenance: Maintenance, url: str, tmp_path: Path) -> None:
    result = maintenance.integrity_check(url)
    assert result.ok and result.problems == [] and result.advice == ""


def case_optimize(maintenance: Maintenance, url: str, tmp_path: Path) -> None:
    """ANALYZE runs: the planner's statistics now count the rows just added."""
    execute(url, *[
        "INSERT INTO users (email, password_hash, account_status, tier, role, created_at, updated_at) VALUES "
        f"('opt{i}@example.com', 'h', 'active', 'free', 'user', '2024-01-01 00:00:00', '2024-01-01 00:00:00')"
        for i in range(5)
    ])
    if maintenance.name == "sqlite" and scalar(url, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"):
        execute(url, "DELETE FROM sqlite_stat1")
    assert _connected(url, maintenance.optimize) in {"ANALYZE", "ANALYZE; PRAGMA optimize"}
    if maintenance.name == "sqlite":
        stats = scalar(url, "SELECT stat FROM sqlite_stat1 WHERE tbl = 'users' LIMIT 1")
        assert stats.split()[0] == "5"
    else:
        assert scalar(url, "SELECT reltuples FROM pg_class WHERE relname = 'users'") == 5


def case_table_stats(maintenance: Maintenance, url: str, tmp_path: Path) -> None:
    rows = scalar(url, "SELECT count(*) FROM strategy_templates")
    stats = _connected(url, lambda connection: maintenance.table_stats(connection, exact_count_max_bytes=1 << 30))
    templates = next(row for row in stats if row["table"] == "strategy_templates")
    assert (templates["rows"], templates["rows_exact"]) == (rows, True)


def case_index_stats(maintenance: Maintenance, url: str, tmp_path: Path) -> None:
    indexes = _connected(url, maintenance.index_stats)
    assert any(row["index"] == "ix_portfolio_snapshots_user_id_created_at" for row in indexes)


def case_counts_index_scans(maintenance: Maintenance, url: str, tmp_path: Path) -> None:
    indexes = _connected(url, maintenance.index_stats)
    assert indexes and all((row["scans"] is not None) is maintenance.counts_index_scans for row in indexes)


CASES = {name.removeprefix("case_"): function for name, function in dict(globals()).items() if name.startswith("case_")}


def test_every_question_of_the_base_has_a_case() -> None:
    assert {name for name in dir(Maintenance) if not name.startswith("_")} == set(CASES)


@pytest.mark.parametrize("question", sorted(CASES))
def test_each_backend_answers(question: str, db_url: str, tmp_path: Path) -> None:
    CASES[question](maintenance_for(db_url), db_url, tmp_path)


def test_a_backend_without_a_class_refuses_by_name(tmp_path: Path) -> None:
    with pytest.raises(MaintenanceError, match="backups need a SQLite file or a PostgreSQL database"):
        maintenance_for("mysql://h/d").backup("mysql://h/d", tmp_path, keep=1)
    with pytest.raises(MaintenanceError, match="backups need a SQLite file"):
        maintenance_for("sqlite://").backup("sqlite://", tmp_path, keep=1)
