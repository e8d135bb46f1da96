"""Every query the hot routes run uses an index, read from the plans of the statements actually executed.

The services behind the benchmarked routes (authentication, latest snapshot, snapshot list, positions,
trading metrics, risk metrics, order placement, snapshot creation, order list, limits) run on a seeded
database while every statement is captured; then each captured statement is explained with its own parameters:
`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on PostgreSQL (after ANALYZE, no planner settings changed;
the seed is large enough that a sequential scan is not the cheaper plan for a per-user query).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tests.conftest import create_pg_database, drop_pg_database, make_app, require_postgres

# The tables the hot routes read and write per user; a full scan of any of them grows with the data.
HOT_TABLES = {
    "portfolio_snapshots", "orders", "fills", "positions", "balances", "budgets", "trading_daily_metrics",
    "trading_symbol_metrics", "requests", "payments", "users",
}
SEED = ["db-seed-demo", "--users", "2000", "--snapshots-per-user", "3", "--orders-per-user", "3",
        "--bars", "0", "--seed", "11", "--batch-size", "5000"]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An app on a database seeded once per backend for the whole module."""
    if request.param == "postgresql":
        require_postgres()
        url = create_pg_database()
    else:
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('plans')) / 'plans.db'}"
    app = make_app(url)
    result = app.test_cli_runner().invoke(args=SEED)
    assert result.exit_code == 0, result.output
    add_ai_requests(app)
    yield app
    from quantum.extensions import db

    with app.app_context():
        db.engine.dispose()
    if request.param == "postgresql":
        drop_pg_database(url)


def add_ai_requests(app: Any, per_user: int = 10) -> None:
    """Governed AI requests for every seeded user (the seed writes none), so `requests` is not a toy table."""
    from quantum.ai.models import AIRequest
    from quantum.auth.models import User
    from quantum.core.time import utcnow
    from quantum.extensions import db

    with app.app_context():
        user_ids = db.session.scalars(sa.select(User.id)).all()
        now = utcnow()
        rows = [
            {"request_id": f"{uid}-{i}", "user_id": uid, "endpoint": "risk-metrics", "model": "m", "parameters": {},
             "status": "executed", "estimated_cost": 1, "created_at": now, "updated_at": now}
            for uid in user_ids for i in range(per_user)
        ]
        db.session.execute(sa.insert(AIRequest), rows)
        db.session.commit()
        db.session.remove()


def run_hot_paths(app: Any) -> list[tuple[str, Any]]:
    """Call each hot service once for a seeded user; return the (statement, parameters) it executed."""
    from quantum.ai import service as ai
    from quantum.auth.models import User
    from quantum.auth.tokens import load_user_and_revoked
    from quantum.extensions import db
    from quantum.perf.seed import demo_email
    from quantum.portfolio import service as portfolio
    from quantum.trading import service as trading

    captured: list[tuple[str, Any]] = []
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == demo_email(11, 1500))).one()

        def capture(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
            captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            load_user_and_revoked(session=db.session, user_id=user.id, jti="plan-jti")
            latest = portfolio.latest_snapshot(session=db.session, user=user)
            portfolio.list_snapshots(session=db.session, user=user, limit=20, before=latest.id)
            trading.list_positions(session=db.session, user=user)
            trading.metrics(session=db.session, user=user)
            ai.risk_metrics(session=db.session, user=user)
            order = trading.place_order(session=db.session, user=user, data={
                "symbol": "AAPL", "side": "buy", "quantity": "1", "price": "1.00", "client_order_id": "plan-1"})
            trading.place_order(session=db.session, user=user, data={
                "symbol": "AAPL", "side": "sell", "quantity": "1", "price": "1.00"})
            trading.list_orders(session=db.session, user=user, before=order.order.id)
            trading.get_limits(session=db.session, user=user)
            portfolio.create_snapshot(session=db.session, user=user, data={
                "holdings": [{"symbol": "AAPL", "quantity": "1", "price": "2"}], "cash": "5"})
            portfolio.get_balance(session=db.session, user=user)
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        db.session.remove()
    return [(s, p) for s, p in captured if s.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE"))]


def plans(app: Any, statements: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """(statement, plan text) for each statement, explained on the app's database with its parameters."""
    from quantum.extensions import db

    out = []
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
            for statement, parameters in statements:
                cursor.execute(prefix + statement, parameters)
                rows = cursor.fetchall()
                out.append((statement, "\n".join(str(row[-1]) for row in rows)))
            raw.rollback()
        finally:
            raw.close()
    return out


def full_scans(plan: str) -> set[str]:
    """Hot tables the plan reads in full (SQLite `SCAN t`, PostgreSQL `Seq Scan on t`)."""
    found = set(re.findall(r"\bSCAN (\w+)", plan)) | set(re.findall(r"Seq Scan on (\w+)", plan))
    return found & HOT_TABLES


def test_every_hot_query_uses_an_index(seeded: Any) -> None:
    from quantum.extensions import db

    with seeded.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execute(sa.text("ANALYZE"))
                connection.commit()
    statements = run_hot_paths(seeded)
    explained = plans(seeded, statements)
    touched = {table for statement, _ in explained for table in HOT_TABLES if re.search(rf"\b{table}\b", statement)}
    # The capture really covered the hot routes (guards against a silently empty test).
    assert {"portfolio_snapshots", "positions", "trading_daily_metrics", "trading_symbol_metrics", "balances",
            "budgets", "orders", "requests"} <= touched
    bad = [(statement, plan) for statement, plan in explained if full_scans(plan)]
    assert not bad, "\n\n".join(f"{s}\n-> {p}" for s, p in bad)
    # Every plan that reads a hot table names an index (or the primary key) it searches with.
    for statement, plan in explained:
        if any(re.search(rf"\bFROM {t}\b", statement) for t in HOT_TABLES):
            assert re.search(r"USING (COVERING |INTEGER PRIMARY KEY|INDEX|PRIMARY KEY)|Index (Only )?Scan|"
                             r"Bitmap Index Scan|SEARCH", plan), f"{statement}\n-> {plan}"
