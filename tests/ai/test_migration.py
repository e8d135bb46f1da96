"""Migration 0004: creates and seeds the AI tables, validates with no drift, and downgrades cleanly."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tests.conftest import run_flask

AI_TABLES = {"strategy_templates", "price_bars", "requests", "policies"}


def _ensure(url: str) -> dict:
    result = run_flask(["db-ensure", "--json"], url)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _inspect(url: str):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            enums = set()
            if connection.dialect.name == "postgresql":
                enums = set(connection.exec_driver_sql("SELECT typname FROM pg_type WHERE typtype = 'e'").scalars())
            counts = {}
            if "strategy_templates" in tables:
                counts["templates"] = connection.exec_driver_sql("SELECT count(*) FROM strategy_templates").scalar()
                counts["policies"] = connection.exec_driver_sql("SELECT count(*) FROM policies").scalar()
                counts["tiers"] = sorted(connection.exec_driver_sql("SELECT tier FROM policies").scalars())
        return tables, enums, counts
    finally:
        engine.dispose()


def test_fresh_database_is_created_then_noop_with_no_drift(empty_db_url, backend):
    first = _ensure(empty_db_url)
    assert first["action"] == "created" and first["revision_after"] == "0004" and first["drift"] == []
    second = _ensure(empty_db_url)
    assert second["action"] == "noop" and second["drift"] == []
    tables, enums, counts = _inspect(empty_db_url)
    assert AI_TABLES <= tables
    assert counts == {"templates": 6, "policies": 3, "tiers": ["enterprise", "free", "pro"]}
    if backend == "postgresql":
        assert {"requeststatus", "risklevel", "usertier"} <= enums


def test_downgrade_removes_the_ai_tables_and_their_enum_types(empty_db_url, backend):
    _ensure(empty_db_url)
    result = run_flask(["db", "downgrade", "0003"], empty_db_url)
    assert result.returncode == 0, result.stderr
    tables, enums, _ = _inspect(empty_db_url)
    assert not AI_TABLES & tables and "users" in tables
    if backend == "postgresql":  # 0004's types are gone; usertier belongs to 0001 and stays
        assert "requeststatus" not in enums and "risklevel" not in enums and "usertier" in enums
    result = run_flask(["db", "downgrade", "base"], empty_db_url)
    assert result.returncode == 0, result.stderr
    tables, enums, _ = _inspect(empty_db_url)
    assert not AI_TABLES & tables and enums == set()
    # And back up again: the seed runs once more, no leftovers in the way.
    again = _ensure(empty_db_url)
    assert again["action"] in ("created", "upgraded") and again["drift"] == []
    assert _inspect(empty_db_url)[2]["templates"] == 6
