"""The app's engine at run time: every database call bounded (see quantum.db.deadline)."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def install_query_bound(engine: Engine, timeout_ms: int) -> None:
    """Bound every database call of `engine` by `timeout_ms` (see quantum.db.deadline).

    PostgreSQL: statements, COMMIT and ROLLBACK are watched by the deadline watchdog; connecting is
    bounded by `connect_timeout`; TCP keepalives and `tcp_user_timeout` drop a peer lost from the
    network. SQLite runs in-process, so the only wait is for another writer's lock: `busy_timeout`
    becomes the same bound.
    """
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg2":
        from quantum.db.deadline import bounded_connect_args

        connect_args = bounded_connect_args(timeout_ms)

        @event.listens_for(engine, "do_connect")
        def _bounded_connect(_dialect, _record, _cargs, cparams) -> None:  # noqa: ANN001
            cparams.update(connect_args)

    elif engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _busy_timeout(dbapi_connection, _record) -> None:  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
            cursor.close()
