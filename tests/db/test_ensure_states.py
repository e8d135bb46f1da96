"""db-ensure's states: empty, legacy, behind, failing, ahead, multiple heads, drift, check."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from quantum.schema_engine.errors import (
    DatabaseAhead,
    DestructiveMigration,
    MigrationFailed,
    MultipleHeads,
    SchemaDrift,
)
from tests.db.helpers import (
    columns,
    ensure,
    execute,
    real_head,
    scalar,
    scripts_with,
    sqlite_retype_column,
    table_names,
)

APP_TABLES = set(SQLModel.metadata.tables)


def _insert_user(url: str, email: str) -> None:
    execute(
        url,
        "INSERT INTO users (email, password_hash, account_status, tier, created_at, updated_at) "
        f"VALUES ('{email}', 'x', 'active', 'free', '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
    )


def test_empty_database_is_created_through_migrations(empty_db_url, backend):
    result = ensure(empty_db_url)
    assert result.action == "created"
    assert result.revision_before is None and result.revision_after == real_head()
    assert APP_TABLES <= table_names(empty_db_url)
    assert scalar(empty_db_url, "SELECT version_num FROM alembic_version") == real_head()
    assert scalar(empty_db_url, "SELECT count(*) FROM schema_ledger") >= 1
    if backend == "postgresql":
        enums = scalar(empty_db_url, "SELECT string_agg(typname, ',' ORDER BY typname) FROM pg_type WHERE typtype='e'")
        assert {"accountstatus", "usertier"} <= set(enums.split(","))
    again = ensure(empty_db_url)
    assert again.action == "noop" and again.drift == []


def test_legacy_create_all_database_is_adopted_and_rows_kept(empty_db_url):
    engine = sa.create_engine(empty_db_url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    _insert_user(empty_db_url, "old@example.com")
    result = ensure(empty_db_url)
    assert result.action == "adopted"
    assert scalar(empty_db_url, "SELECT version_num FROM alembic_version") == real_head()
    assert scalar(empty_db_url, "SELECT email FROM users") == "old@example.com"
    # Reference rows that migrations seed (strategy templates, tier policies) are filled in too.
    assert scalar(empty_db_url, "SELECT count(*) FROM strategy_templates") >= 6
    assert scalar(empty_db_url, "SELECT count(*) FROM policies WHERE tier IS NOT NULL") == 3
    assert ensure(empty_db_url).action == "noop"


def test_legacy_database_missing_a_table_gets_it(empty_db_url):
    engine = sa.create_engine(empty_db_url)
    SQLModel.metadata.create_all(engine, tables=[SQLModel.metadata.tables["users"]])
    engine.dispose()
    _insert_user(empty_db_url, "keep@example.com")
    result = ensure(empty_db_url)
    assert result.action == "adopted"
    assert "portfolio_snapshots" in table_names(empty_db_url)
    assert scalar(empty_db_url, "SELECT count(*) FROM users") == 1


def test_legacy_rows_that_a_missing_unique_index_would_refuse_are_drift_named_in_one_line(empty_db_url, backend):
    """A create_all database from before case-insensitive usernames, holding "Ada" and "ada": exit 6 naming the
    index, nothing changed (no index, no alembic_version, both rows kept)."""
    engine = sa.create_engine(empty_db_url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    execute(empty_db_url, "DROP INDEX ux_users_username_lower")
    _insert_user(empty_db_url, "ada1@example.com")
    _insert_user(empty_db_url, "ada2@example.com")
    execute(empty_db_url, "UPDATE users SET username = 'Ada' WHERE email = 'ada1@example.com'")
    execute(empty_db_url, "UPDATE users SET username = 'ada' WHERE email = 'ada2@example.com'")
    with pytest.raises(SchemaDrift) as caught:
        ensure(empty_db_url)
    assert caught.value.exit_code == 6
    message = caught.value.message
    assert "unique index ux_users_username_lower on users (lower(username)) is missing" in message
    assert "resolve the duplicates" in message and "\n" not in message
    assert "alembic_version" not in table_names(empty_db_url)
    assert scalar(empty_db_url, "SELECT count(*) FROM users") == 2


def test_legacy_database_with_incompatible_type_is_refused_unchanged(empty_db_url, backend):
    engine = sa.create_engine(empty_db_url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    if backend == "postgresql":
        execute(empty_db_url, "ALTER TABLE portfolio_snapshots ALTER COLUMN total_value TYPE varchar(40)")
    else:
        sqlite_retype_column(empty_db_url, "portfolio_snapshots", "total_value NUMERIC(20, 8)", "total_value VARCHAR(40)")
    with pytest.raises(SchemaDrift) as caught:
        ensure(empty_db_url)
    assert caught.value.exit_code == 6
    assert "portfolio_snapshots.total_value" in caught.value.message
    assert "alembic_version" not in table_names(empty_db_url)


def test_behind_database_is_upgraded_with_backup(empty_db_url, backend, tmp_path):
    ensure(empty_db_url)
    _insert_user(empty_db_url, "a@example.com")
    target = scripts_with(
        tmp_path,
        ("9001", None, "def upgrade():\n    op.add_column('users', sa.Column('nickname', sa.String(40)))\n\n"
                       "def downgrade():\n    op.drop_column('users', 'nickname')"),
    )
    result = ensure(empty_db_url, target, backup_dir=str(tmp_path / "backups"))
    assert result.action == "upgraded" and result.applied == ["9001"]
    assert result.revision_before == real_head() and result.revision_after == "9001"
    assert "nickname" in columns(empty_db_url, "users")
    assert scalar(empty_db_url, "SELECT count(*) FROM users") == 1
    # The extra column is not in the models: a warning, not a failure.
    assert [d.kind for d in result.drift] == ["extra_column"]
    if backend == "sqlite":
        assert result.backup and Path(result.backup).exists()


FAILING = """
def upgrade():
    op.create_table('half_done', sa.Column('id', sa.Integer, primary_key=True))
    op.add_column('users', sa.Column('half_col', sa.String(10)))
    op.execute('SELECT * FROM table_that_does_not_exist')

def downgrade():
    pass
"""


def test_failing_revision_rolls_back_completely(empty_db_url, tmp_path):
    ensure(empty_db_url)
    _insert_user(empty_db_url, "a@example.com")
    before_tables = table_names(empty_db_url)
    target = scripts_with(tmp_path, ("9002", None, FAILING))
    with pytest.raises(MigrationFailed) as caught:
        ensure(empty_db_url, target, backup_dir=str(tmp_path / "backups"))
    assert caught.value.exit_code == 7
    assert "9002" in caught.value.message and "rolled back" in caught.value.message
    assert table_names(empty_db_url) == before_tables
    assert "half_col" not in columns(empty_db_url, "users")
    assert scalar(empty_db_url, "SELECT version_num FROM alembic_version") == real_head()
    assert scalar(empty_db_url, "SELECT count(*) FROM users") == 1


def test_database_ahead_of_the_code_is_refused(empty_db_url):
    ensure(empty_db_url)
    execute(empty_db_url, "UPDATE alembic_version SET version_num = 'ffffffffffff'")
    with pytest.raises(DatabaseAhead) as caught:
        ensure(empty_db_url)
    assert caught.value.exit_code == 4
    assert "ffffffffffff" in caught.value.message and "ahead" in caught.value.message


def test_multiple_heads_are_refused(empty_db_url, tmp_path):
    body = "def upgrade():\n    pass\n\ndef downgrade():\n    pass"
    target = scripts_with(tmp_path, ("9003", None, body), ("9004", None, body))
    with pytest.raises(MultipleHeads) as caught:
        ensure(empty_db_url, target)
    assert caught.value.exit_code == 5
    assert "9003" in caught.value.message and "9004" in caught.value.message
    assert "alembic_version" not in table_names(empty_db_url)


def test_destructive_revision_needs_permission(empty_db_url, tmp_path):
    ensure(empty_db_url)
    noop = "def downgrade():\n    pass"
    create = f"def upgrade():\n    op.create_table('scratch', sa.Column('id', sa.Integer, primary_key=True))\n\n{noop}"
    ensure(empty_db_url, scripts_with(tmp_path / "a", ("9005", None, create)))
    target = scripts_with(
        tmp_path / "b", ("9005", None, create), ("9015", "9005", f"def upgrade():\n    op.drop_table('scratch')\n\n{noop}")
    )
    with pytest.raises(DestructiveMigration) as caught:
        ensure(empty_db_url, target)
    assert caught.value.exit_code == 8
    assert "9015: drops table scratch" in caught.value.message
    assert scalar(empty_db_url, "SELECT version_num FROM alembic_version") == "9005"
    assert ensure(empty_db_url, target, allow_destructive=True).action == "upgraded"


def test_a_table_created_and_dropped_in_the_same_run_destroys_nothing(empty_db_url, tmp_path):
    ensure(empty_db_url)
    target = scripts_with(
        tmp_path,
        ("9005", None, "def upgrade():\n    op.create_table('scratch', sa.Column('id', sa.Integer, primary_key=True))\n"
                       "    op.drop_table('scratch')\n\ndef downgrade():\n    pass"),
    )
    assert ensure(empty_db_url, target).action == "upgraded"


def test_not_null_without_default_is_destructive_only_on_filled_tables(empty_db_url, tmp_path):
    ensure(empty_db_url)
    body = (
        "def upgrade():\n    with op.batch_alter_table('portfolio_snapshots') as batch_op:\n"
        "        batch_op.alter_column('snapshot_data', existing_type=sa.JSON(), nullable=False)\n\n"
        "def downgrade():\n    pass"
    )
    target = scripts_with(tmp_path, ("9006", None, body))
    # portfolio_snapshots is empty: nothing to destroy.
    assert ensure(empty_db_url, target).action == "upgraded"


def test_not_null_on_a_column_that_already_is_not_null_destroys_nothing(empty_db_url, tmp_path):
    # The gate judges what runs: batch mode rebuilds the table with every row and every value kept.
    ensure(empty_db_url)
    _insert_user(empty_db_url, "holder@example.com")
    execute(empty_db_url, "INSERT INTO portfolio_snapshots (user_id, snapshot_data, total_value, created_at) "
                          "SELECT id, '{}', 1, '2024-01-01 00:00:00' FROM users")
    body = (
        "def upgrade():\n    with op.batch_alter_table('portfolio_snapshots') as batch_op:\n"
        "        batch_op.alter_column('snapshot_data', existing_type=sa.JSON(), nullable=False)\n\n"
        "def downgrade():\n    pass"
    )
    target = scripts_with(tmp_path, ("9008", None, body))
    assert ensure(empty_db_url, target).action == "upgraded"
    assert scalar(empty_db_url, "SELECT count(*) FROM portfolio_snapshots") == 1


@pytest.mark.parametrize("damage", ["drop_column", "drop_index", "change_type"])
def test_drift_at_head_is_reported_by_name(empty_db_url, backend, damage):
    ensure(empty_db_url)
    if damage == "drop_column":
        execute(empty_db_url, "ALTER TABLE portfolio_snapshots DROP COLUMN snapshot_data")
        expected = ("missing_column", "portfolio_snapshots.snapshot_data")
    elif damage == "drop_index":
        execute(empty_db_url, "DROP INDEX ix_portfolio_snapshots_user_id_created_at")
        expected = ("missing_index", "ix_portfolio_snapshots_user_id_created_at")
    elif backend == "postgresql":
        execute(empty_db_url, "ALTER TABLE portfolio_snapshots ALTER COLUMN total_value TYPE varchar(40)")
        expected = ("type_mismatch", "portfolio_snapshots.total_value")
    else:
        sqlite_retype_column(empty_db_url, "portfolio_snapshots", "total_value NUMERIC(20, 8)", "total_value VARCHAR(40)")
        expected = ("type_mismatch", "portfolio_snapshots.total_value")
    with pytest.raises(SchemaDrift) as caught:
        ensure(empty_db_url)
    assert caught.value.exit_code == 6
    kinds = {(d["kind"], d["table"]) for d in caught.value.report["drift"]}
    assert (expected[0], "portfolio_snapshots") in kinds
    assert expected[1] in caught.value.message


def test_check_changes_nothing(empty_db_url):
    result = ensure(empty_db_url, check=True)
    assert result.exit_code == 1 and result.action == "created"
    assert "alembic_version" not in table_names(empty_db_url)
    ensure(empty_db_url)
    at_head = ensure(empty_db_url, check=True)
    assert at_head.exit_code == 0 and at_head.action == "noop"


def test_edited_revision_is_reported(empty_db_url, tmp_path):
    body = "def upgrade():\n    op.add_column('users', sa.Column('nickname', sa.String(40)))\n\ndef downgrade():\n    pass"
    target = scripts_with(tmp_path, ("9007", None, body))
    ensure(empty_db_url, target)
    path = Path(target.script_location, "versions", "9007_extra.py")
    path.write_text(path.read_text().replace("String(40)", "String(80)"))
    result = ensure(empty_db_url, target)
    edited = [d for d in result.drift if d.kind == "edited_revision"]
    assert edited and "9007" in edited[0].detail
