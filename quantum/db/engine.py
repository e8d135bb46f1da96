"""The app's engine at run time: every database call bounded (see quantum.db.deadline)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from quantum.db.backends import runtime_for


def install_query_bound(engine: Engine, timeout_ms: int) -> None:
    """Bound every database call of `engine` by `timeout_ms` (see quantum.db.deadline).

    PostgreSQL: statements, COMMIT and ROLLBACK are watched by the deadline watchdog; connecting is
    bounded by `connect_timeout`; TCP keepalives and `tcp_user_timeout` drop a peer lost from the
    network. SQLite runs in-process, so the only wait is for another writer's lock: `busy_timeout`
    becomes the same bound. Each backend's class in `quantum.db.backends` says how.
    """
    runtime_for(engine).bound_calls(engine, timeout_ms)
