"""Query timing through SQLAlchemy events, and a slow-query log with the statement's plan."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine

from quantum.db.backends import runtime_for

log = logging.getLogger("quantum.db.slow")
_SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
_SQLITE_SCAN = re.compile(r"\bSCAN (\w+)(?! USING)")
_in_explain = threading.local()
SLOW_LOG_MAX_BYTES = 5 * 1024 * 1024


def append_slow_record(path: Path, record: dict) -> None:
    """Append one JSON line to the slow-query file (rotated to .1 past 5 MiB); never raises."""
    try:
        if path.exists() and path.stat().st_size > SLOW_LOG_MAX_BYTES:
            os.replace(path, path.with_suffix(path.suffix + ".1"))
        with open(path, "a") as handle:  # one short write per line: safe across worker processes
            handle.write(json.dumps(record, default=str) + "\n")
    except OSError:
        log.debug("could not write the slow-query file %s", path)


SQL_VERBS = frozenset({
    "select", "insert", "update", "delete", "with", "begin", "commit", "rollback", "savepoint", "release",
    "pragma", "create", "alter", "drop", "analyze", "explain", "set", "show", "lock", "vacuum", "values",
})


def operation_of(statement: str) -> str:
    """The statement's verb (select, insert, ...), for a low-cardinality metric label ("other" past the known)."""
    head = statement.lstrip().split(None, 1)
    verb = head[0].lower() if head else "unknown"
    return verb if verb in SQL_VERBS else "other"


def recommend(plan: str) -> str | None:
    """Advice when the plan scans a whole table."""
    tables = _SEQ_SCAN.findall(plan) or _SQLITE_SCAN.findall(plan)
    if not tables:
        return None
    names = ", ".join(sorted(set(tables)))
    return f"full scan of {names}: add an index on the columns this statement filters or sorts by"


def explain(cursor, dialect_name: str, statement: str, parameters) -> str | None:  # noqa: ANN001
    """The plan of a statement that just ran, on the same DBAPI connection; None when it cannot be explained."""
    if not isinstance(parameters, (tuple, dict)) or not statement.lstrip().lower().startswith(
        ("select", "update", "delete", "insert", "with")
    ):
        return None
    runtime = runtime_for(dialect_name)
    explain_cursor = cursor.connection.cursor()
    try:
        explain_cursor.execute(runtime.explain_prefix + statement, parameters)
        rows = explain_cursor.fetchall()
    except Exception:  # noqa: BLE001 - a plan is a diagnostic; never fail the query for it
        return None
    finally:
        explain_cursor.close()
    return runtime.plan_text(rows)


def install_query_observer(
    engine: Engine,
    *,
    slow_ms: float,
    on_timing: Callable[[str, float], None] | None = None,
    on_slow: Callable[[], None] | None = None,
    record_to: Path | None = None,
) -> None:
    """Time every statement; log those slower than `slow_ms` with their plan and a recommendation."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        conn.info.setdefault("query_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        started = conn.info["query_started"].pop()
        elapsed = time.perf_counter() - started
        if on_timing is not None:
            on_timing(operation_of(statement), elapsed)
        if elapsed * 1000 < slow_ms or executemany or getattr(_in_explain, "active", False):
            return
        _in_explain.active = True
        try:
            plan = explain(cursor, engine.dialect.name, statement, parameters)
        finally:
            _in_explain.active = False
        advice = recommend(plan or "")
        if on_slow is not None:
            on_slow()
        statement_text = " ".join(statement.split())[:500]
        if record_to is not None:
            append_slow_record(record_to, {
                "time": datetime.now(timezone.utc).isoformat(), "duration_ms": round(elapsed * 1000, 2),
                "statement": statement_text, "plan": plan, "recommendation": advice,
            })
        log.warning(
            "slow query (%.1f ms): %s | plan: %s%s",
            elapsed * 1000,
            statement_text,
            (plan or "unavailable").replace("\n", " / "),
            f" | recommendation: {advice}" if advice else "",
            extra={"duration_ms": round(elapsed * 1000, 1), "recommendation": advice},
        )

    @event.listens_for(engine, "handle_error")
    def _drop_timer(context) -> None:  # noqa: ANN001
        if context.connection is not None and context.connection.info.get("query_started"):
            context.connection.info["query_started"].pop()
