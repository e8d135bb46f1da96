"""The runtime's per-backend classes (`quantum.db.backends`) answer on a real database: call bounds and plans."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from quantum.db.backends import PostgreSQLRuntime, RuntimeBackend, SQLiteRuntime, runtime_for
from quantum.db.deadline import bounded_connection_class
from quantum.db.querylog import explain, recommend


def case_name(runtime: RuntimeBackend, url: str) -> None:
    assert runtime.name == sa.make_url(url).get_backend_name()
    assert type(runtime) is {"sqlite": SQLiteRuntime, "postgresql": PostgreSQLRuntime}[runtime.name]


def case_bound_calls(runtime: RuntimeBackend, url: str) -> None:
    """SQLite: busy_timeout is the bound; PostgreSQL (psycopg2): the watchdog's connection class and libpq's bounds."""
    engine = sa.create_engine(url)
    runtime.bound_calls(engine, 1234)
    try:
        with engine.connect() as connection:
            if runtime.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
            else:
                dbapi = connection.connection.dbapi_connection
                assert type(dbapi) is bounded_connection_class(1234)
                assert dbapi.get_dsn_parameters()["tcp_user_timeout"] == "1234"
    finally:
        engine.dispose()


def _plan(url: str) -> str | None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20))")
            marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
            statement = f"SELECT id FROM t WHERE name = {marker}"
            cursor = connection.connection.dbapi_connection.cursor()
            cursor.execute(statement, ("a",))
            return explain(cursor, engine.dialect.name, statement, ("a",))
    finally:
        engine.dispose()


def case_explain_prefix(runtime: RuntimeBackend, url: str) -> None:
    """The prefix that makes the backend answer with the plan (a whole-table scan here, without an index)."""
    assert runtime.explain_prefix == {"sqlite": "EXPLAIN QUERY PLAN ", "postgresql": "EXPLAIN "}[runtime.name]
    plan = _plan(url)
    assert plan and "full scan of t" in (recommend(plan) or "")


def case_plan_text(runtime: RuntimeBackend, url: str) -> None:
    """The plan's lines as the backend words them: SQLite's detail column, PostgreSQL's one text column."""
    plan = _plan(url)
    if runtime.name == "sqlite":
        assert plan == "SCAN t"
        assert runtime.plan_text([(2, 0, 0, "SCAN t"), (5, 2, 0, "USE TEMP B-TREE")]) == "SCAN t\nUSE TEMP B-TREE"
    else:
        assert plan.startswith("Seq Scan on t")
        assert runtime.plan_text([("Sort",), ("  ->  Seq Scan on t",)]) == "Sort\n  ->  Seq Scan on t"


CASES = {name.removeprefix("case_"): function for name, function in dict(globals()).items() if name.startswith("case_")}


def test_every_question_of_the_base_has_a_case() -> None:
    assert {name for name in dir(RuntimeBackend) if not name.startswith("_")} == set(CASES)


@pytest.mark.parametrize("question", sorted(CASES))
def test_each_backend_answers(question: str, empty_db_url: str) -> None:
    CASES[question](runtime_for(empty_db_url), empty_db_url)


def test_a_backend_without_a_class_gets_the_plain_answers() -> None:
    runtime = runtime_for("mysql")
    assert type(runtime) is RuntimeBackend and runtime.explain_prefix == "EXPLAIN "
    assert runtime.plan_text([("a", 1), ("b", 2)]) == "a\nb"
