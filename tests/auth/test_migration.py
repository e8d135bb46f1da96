"""Migration 0002: an existing 0001 database with users gains the auth tables; downgrade removes every trace."""

from __future__ import annotations

import sqlalchemy as sa

from quantum.config import load_settings
from quantum.schema import ensure_app_schema
from tests.conftest import ROOT, run_flask
from tests.db.helpers import real_head

AUTH_TABLES = {"token_blocklist", "api_keys", "audit_log"}


def _enum_types(engine: sa.Engine) -> set[str]:
    if engine.dialect.name != "postgresql":
        return set()
    with engine.connect() as connection:
        return set(connection.exec_driver_sql("SELECT typname FROM pg_type WHERE typtype = 'e'").scalars())


def test_upgrade_from_0001_keeps_users_and_downgrade_leaves_no_trace(empty_db_url, backend):
    result = run_flask(["db", "upgrade", "0001"], empty_db_url)
    assert result.returncode == 0, result.stderr
    engine = sa.create_engine(empty_db_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO users (email, password_hash, account_status, tier, created_at, updated_at) "
            "VALUES ('old@example.com', 'x', 'active', 'pro', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
    settings = load_settings({"DATABASE_URL": empty_db_url, "QUANTUM_ENV": "testing"},
                             instance_path=str(ROOT / "instance"))
    upgraded = ensure_app_schema(settings)
    # Upgrades to the head, which later migrations (0003 trading, ...) move past 0002.
    assert (upgraded.action, upgraded.revision_after, upgraded.drift) == ("upgraded", real_head(), [])
    assert ensure_app_schema(settings).action == "noop"
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT email, tier, role FROM users").all() == [
            ("old@example.com", "pro", "user")
        ]
    assert AUTH_TABLES <= set(sa.inspect(engine).get_table_names())
    if backend == "postgresql":
        assert {"userrole", "apikeystatus"} <= _enum_types(engine)

    result = run_flask(["db", "downgrade", "0001"], empty_db_url)
    assert result.returncode == 0, result.stderr
    engine.dispose()
    inspector = sa.inspect(engine)
    assert not AUTH_TABLES & set(inspector.get_table_names())
    assert "role" not in {column["name"] for column in inspector.get_columns("users")}
    assert _enum_types(engine) & {"userrole", "apikeystatus"} == set()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT email FROM users").scalars().all() == ["old@example.com"]
    engine.dispose()
