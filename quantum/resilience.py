"""Keep serving when the database misbehaves: circuit breaker, pool monitoring, alerts, metrics."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from flask import Flask, Response, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from quantum.db.breaker import STATE_VALUES, CircuitBreaker, CircuitOpen
from quantum.db.deadline import is_query_timeout
from quantum.db.engine import install_query_bound
from quantum.db.querylog import install_query_observer
from quantum.errors import error_response
from quantum.observability import metrics
from quantum.observability.alerts import Alerter

log = logging.getLogger("quantum.resilience")
POOL_ALERT_TIMEOUTS = 3  # pool timeouts within POOL_ALERT_WINDOW seconds mean "stays exhausted"
POOL_ALERT_WINDOW = 30.0


def install_resilience(app: Flask, engine: Engine, exempt_prefixes: tuple[str, ...]) -> None:
    """Wire the breaker, pool and query observers to the app's engine and requests."""
    settings = app.config["QUANTUM_SETTINGS"]
    database, observability = settings.database, settings.observability
    alerter = Alerter(observability.alert_webhook_url)

    def on_circuit_change(previous: str, state: str) -> None:
        metrics.DB_CIRCUIT_STATE.set(STATE_VALUES[state])
        if state == "open":
            alerter.raise_alert("db_circuit_open", "database circuit opened after repeated connection failures")
        elif state == "closed":
            alerter.clear_alert("db_circuit_open", "database circuit closed: the database answers again")

    breaker = CircuitBreaker(
        threshold=database.circuit_threshold, reset_seconds=database.circuit_reset_seconds, on_change=on_circuit_change
    )
    app.extensions.update(db_breaker=breaker, alerter=alerter)
    install_query_bound(engine, database.query_timeout_ms)
    _observe_engine(engine, breaker)
    install_query_observer(
        engine,
        slow_ms=observability.slow_query_ms,
        on_timing=lambda operation, seconds: metrics.labelled(metrics.DB_QUERY_LATENCY, operation).observe(seconds),
        on_slow=metrics.DB_SLOW_QUERIES.inc,
        record_to=Path(observability.slow_query_log) if observability.slow_query_log else None,
    )
    pool_timeouts: list[float] = []

    @app.before_request
    def _circuit_gate():  # noqa: ANN202
        if request.path.startswith(exempt_prefixes):
            return None
        try:
            breaker.before_call()
        except CircuitOpen as exc:
            return error_response(
                503, "database_unavailable", "the database is unavailable; retry shortly",
                details={"circuit": "open"}, retry_after=max(1, round(exc.retry_after)),
            )
        return None

    @app.teardown_request
    def _end_probe(_exc: BaseException | None) -> None:
        breaker.release_probe()

    @app.errorhandler(PoolTimeoutError)
    def _pool_exhausted(_exc: PoolTimeoutError) -> Response:
        metrics.DB_POOL_TIMEOUTS.inc()
        now = time.monotonic()
        pool_timeouts[:] = [t for t in pool_timeouts if now - t < POOL_ALERT_WINDOW] + [now]
        if len(pool_timeouts) >= POOL_ALERT_TIMEOUTS:
            alerter.raise_alert("db_pool_exhausted", f"{len(pool_timeouts)} requests waited past the pool timeout")
        log.warning("database pool exhausted")
        return error_response(
            503, "pool_exhausted", "all database connections are busy; retry shortly", retry_after=1
        )


def _observe_engine(engine: Engine, breaker: CircuitBreaker) -> None:
    @event.listens_for(engine, "handle_error")
    def _failure(context) -> None:  # noqa: ANN001
        if is_query_timeout(context.original_exception):
            # The database did not answer within the bound: the connection was abandoned. It counts
            # towards opening the circuit. A pre-ping that timed out is not followed by a reconnect
            # in the same checkout (a frozen server would make the caller wait a second bound).
            context.is_disconnect = not context.is_pre_ping
            breaker.record_failure()
            return
        # Connection-level failures count; a failed statement on a live connection does not.
        if context.is_disconnect or context.connection is None:
            breaker.record_failure()

    @event.listens_for(engine, "after_cursor_execute")
    def _success(*_args) -> None:  # noqa: ANN002
        breaker.record_success()

    @event.listens_for(engine.pool, "checkout")
    def _checkout(*_args) -> None:  # noqa: ANN002
        metrics.DB_POOL_IN_USE.inc()

    @event.listens_for(engine.pool, "checkin")
    def _checkin(*_args) -> None:  # noqa: ANN002
        metrics.DB_POOL_IN_USE.dec()
