"""What the app's engine does differently per backend at run time: bounding every call, reading a plan.

`runtime_for(engine or name)` picks the class by the schema engine's backend lookup
(`quantum.schema_engine.ddl.backend_name`); `quantum.db.engine` and `quantum.db.querylog` ask it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

from quantum.schema_engine.ddl import PostgreSQLBackend, SQLiteBackend, backend_name


class RuntimeBackend:
    """The base answers for a backend without a class of its own: nothing bounded, a plain EXPLAIN."""

    name: ClassVar[str] = "generic"
    # Prepended to a statement to have its plan instead of its rows.
    explain_prefix: ClassVar[str] = "EXPLAIN "

    def bound_calls(self, engine: Engine, timeout_ms: int) -> None:
        """Bound every database call of `engine` by `timeout_ms` (nothing here)."""

    def plan_text(self, rows: Sequence[Sequence[Any]]) -> str:
        """The lines of an EXPLAIN's rows as one text: the first column of each row."""
        return "\n".join(str(row[0]) for row in rows)


class SQLiteRuntime(RuntimeBackend):
    """SQLite runs in-process: the only wait is for another writer's lock, bounded by `busy_timeout`."""

    name = SQLiteBackend.name
    explain_prefix = "EXPLAIN QUERY PLAN "

    def bound_calls(self, engine: Engine, timeout_ms: int) -> None:
        """`PRAGMA busy_timeout` on every new connection."""

        @event.listens_for(engine, "connect")
        def _busy_timeout(dbapi_connection, _record) -> None:  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
            cursor.close()

    def plan_text(self, rows: Sequence[Sequence[Any]]) -> str:
        """EXPLAIN QUERY PLAN's detail column (the last one) of each row."""
        return "\n".join(str(row[-1]) for row in rows)


class PostgreSQLRuntime(RuntimeBackend):
    """PostgreSQL: statements, COMMIT and ROLLBACK watched by the deadline watchdog (psycopg2 only)."""

    name = PostgreSQLBackend.name

    def bound_calls(self, engine: Engine, timeout_ms: int) -> None:
        """Connect arguments that bound connecting and arm every call (see quantum.db.deadline)."""
        if engine.dialect.driver != "psycopg2":
            return  # the watchdog works on psycopg2's connections
        from quantum.db.deadline import bounded_connect_args

        connect_args = bounded_connect_args(timeout_ms)

        @event.listens_for(engine, "do_connect")
        def _bounded_connect(_dialect, _record, _cargs, cparams) -> None:  # noqa: ANN001
            cparams.update(connect_args)


RUNTIMES: dict[str, type[RuntimeBackend]] = {cls.name: cls for cls in (SQLiteRuntime, PostgreSQLRuntime)}


def runtime_for(source: Any) -> RuntimeBackend:
    """The runtime class for a backend name, a URL, or a SQLAlchemy Engine, Connection or Dialect."""
    return RUNTIMES.get(backend_name(source), RuntimeBackend)()
