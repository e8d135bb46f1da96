"""Locks and timeouts: a held migration lock, a migration stuck behind a long query, a direct migration URL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from filelock import FileLock

from quantum.schema_engine.connect import sqlite_path
from quantum.schema_engine.ddl.postgresql import advisory_lock_key
from quantum.schema_engine.errors import LockTimeout, MigrationFailed
from tests.conftest import run_flask
from tests.db.helpers import columns, ensure, real_head, scalar, scripts_with


def test_held_lock_times_out_with_exit_9(empty_db_url, backend):
    if backend == "postgresql":
        engine = sa.create_engine(empty_db_url)
        holder = engine.connect()
        key = advisory_lock_key("quantum", sa.engine.make_url(empty_db_url).database)
        holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})
        holder.commit()

        def release() -> None:
            holder.close()
            engine.dispose()  # the session lock ends with the server connection
    else:
        lock = FileLock(str(sqlite_path(empty_db_url)) + ".migrate-lock")
        lock.acquire()
        release = lock.release
    try:
        with pytest.raises(LockTimeout) as caught:
            ensure(empty_db_url, lock_wait_seconds=0.5)
        assert caught.value.exit_code == 9 and "migration lock" in caught.value.message
    finally:
        release()
    assert ensure(empty_db_url).action == "created"


@pytest.mark.postgres
def test_migration_behind_a_long_query_fails_fast_postgresql(pg_empty_url, tmp_path):
    empty_db_url = pg_empty_url
    ensure(empty_db_url)
    target = scripts_with(
        tmp_path,
        ("9101", None, "def upgrade():\n    op.add_column('users', sa.Column('nickname', sa.String(40)))\n\n"
                       "def downgrade():\n    pass"),
    )
    engine = sa.create_engine(empty_db_url)
    reader = engine.connect()
    reader.execute(sa.text("SELECT count(*) FROM users"))  # an open transaction holds ACCESS SHARE on users
    try:
        with pytest.raises(MigrationFailed) as caught:
            ensure(empty_db_url, target, lock_timeout_ms=200)
        assert "lock timeout" in caught.value.message
    finally:
        reader.close()
        engine.dispose()
    assert "nickname" not in columns(empty_db_url, "users")
    assert scalar(empty_db_url, "SELECT version_num FROM alembic_version") == real_head()


def test_migration_database_url_is_used_for_migrating(empty_db_url):
    process = run_flask(
        ["db-ensure"],
        "postgresql://postgres@127.0.0.1:9/pooler_that_is_down",
        env={"MIGRATION_DATABASE_URL": empty_db_url, "DB_CONNECT_RETRIES": "1"},
    )
    assert process.returncode == 0, process.stderr
    assert scalar(empty_db_url, "SELECT version_num FROM alembic_version") == real_head()
