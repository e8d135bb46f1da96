"""`flask db-seed-demo` on small sizes, on SQLite and PostgreSQL: counts, determinism, consistency, no drift."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from quantum.core.money import ZERO, quantize
from quantum.perf.seed import COLUMNS, DEPOSIT, HEAVY_DEPOSIT, SYMBOLS, demo_email
from tests.conftest import make_app

ARGS = ["db-seed-demo", "--users", "4", "--snapshots-per-user", "7", "--orders-per-user", "60",
        "--heavy-user-orders", "400", "--bars", "15", "--seed", "7", "--batch-size", "50"]


def seed(url: str, args: list[str] = ARGS) -> Any:
    """Run the command on `url` and return the app (for its engine)."""
    app = make_app(url)
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return app


def dump(app: Any) -> dict[str, list[tuple]]:
    """Every seeded table's rows through the models (typed), password hashes left out (argon2 salts them)."""
    from quantum.extensions import db

    metadata = db.metadata
    out = {}
    with app.app_context(), db.engine.connect() as connection:
        for name in COLUMNS:
            table = metadata.tables[name]
            columns = [table.c[c] for c in COLUMNS[name] if c != "password_hash"]
            out[name] = [tuple(r) for r in connection.execute(sa.select(*columns).order_by(table.c.id))]
        db.engine.dispose()
    return out


def test_counts_and_no_drift(db_url: str) -> None:
    app = seed(db_url)
    data = dump(app)
    assert len(data["users"]) == 4
    assert len(data["portfolio_snapshots"]) == 4 * 7
    assert len(data["payments"]) == len(data["balances"]) == 4
    assert len(data["price_bars"]) == 15 * len(SYMBOLS)
    by_user: dict[int, int] = defaultdict(int)
    for row in data["orders"]:
        by_user[row[1]] += 1
    heavy_id = data["users"][0][0]
    # A user out of cash with nothing to sell skips a turn, so "up to" the requested count.
    assert 300 < by_user[heavy_id] <= 400
    assert all(0 < n <= 60 for uid, n in by_user.items() if uid != heavy_id)
    assert len(data["fills"]) == len(data["orders"])
    assert data["users"][0][1] == demo_email(7, 0)  # id, email, ...

    with app.app_context():
        result = app.test_cli_runner().invoke(args=["db-ensure", "--check"])
        assert result.exit_code == 0, result.output
        result = app.test_cli_runner().invoke(args=["db-ensure"])
        assert result.exit_code == 0 and "noop" in result.output, result.output

    # Seeding again with the same seed refuses; the sequences moved past the seeded ids (a normal insert works).
    again = app.test_cli_runner().invoke(args=ARGS)
    assert again.exit_code != 0 and "already" in again.output
    from quantum.auth.models import User
    from quantum.extensions import db

    with app.app_context():
        db.session.add(User(email="after@seed.example", password_hash="x"))
        db.session.commit()
        db.engine.dispose()


def test_deterministic(db_url: str, empty_db_url: str) -> None:
    assert dump(seed(db_url)) == dump(seed(empty_db_url))


def test_other_seed_differs(db_url: str, empty_db_url: str) -> None:
    other = [*ARGS[:-4], "--seed", "8", "--batch-size", "50"]
    assert dump(seed(db_url))["orders"] != dump(seed(empty_db_url, other))["orders"]


def test_aggregates_match_recomputation(db_url: str) -> None:
    data = dump(seed(db_url))
    cols = {name: {c: i for i, c in enumerate(c for c in COLUMNS[name] if c != "password_hash")} for name in COLUMNS}
    o, f = cols["orders"], cols["fills"]
    heavy_id = data["users"][0][0]

    cash = {row[0]: (HEAVY_DEPOSIT if row[0] == heavy_id else DEPOSIT) for row in data["users"]}
    positions: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    daily: dict[tuple, list[Any]] = defaultdict(lambda: [0, 0, ZERO, ZERO, ZERO, 0, 0])
    per_symbol: dict[tuple, list[Any]] = defaultdict(lambda: [0, 0, ZERO, ZERO, ZERO, 0, 0])
    fills_by_order = {row[f["order_id"]]: row for row in data["fills"]}
    for row in data["orders"]:
        user, symbol, side = row[o["user_id"]], row[o["symbol"]], str(row[o["side"]].value)
        notional, quantity, pnl = row[o["notional"]], row[o["quantity"]], row[o["realized_pnl"]]
        fill = fills_by_order[row[o["id"]]]
        assert (fill[f["quantity"]], fill[f["notional"]], fill[f["realized_pnl"]]) == (quantity, notional, pnl)
        assert notional == quantize(quantity * row[o["price"]])
        cash[user] = quantize(cash[user] + (notional if side == "sell" else -notional))
        positions[(user, symbol)][0] += quantity if side == "buy" else -quantity
        positions[(user, symbol)][1] += pnl
        for bucket in (daily[(user, row[o["created_at"]].date(), symbol)], per_symbol[(user, symbol)]):
            bucket[0] += 1
            bucket[1] += 1
            bucket[2 if side == "buy" else 3] += notional
            if side == "sell":
                bucket[4] += pnl
                bucket[5] += 1
                bucket[6] += int(pnl > 0)

    b = cols["balances"]
    assert {row[b["user_id"]]: row[b["available"]] for row in data["balances"]} == cash
    p = cols["positions"]
    assert {(r[p["user_id"]], r[p["symbol"]]): [r[p["quantity"]], r[p["realized_pnl"]]] for r in data["positions"]} \
        == {k: v for k, v in positions.items()}
    assert all(r[p["quantity"]] >= 0 and r[p["cost_basis"]] >= 0 for r in data["positions"])
    d = cols["trading_daily_metrics"]
    names = ("orders_total", "orders_filled", "buy_volume", "sell_volume", "realized_pnl", "closing_trades",
             "winning_trades")
    assert {(r[d["user_id"]], r[d["day"]], r[d["symbol"]]): [r[d[n]] for n in names]
            for r in data["trading_daily_metrics"]} == dict(daily)
    s = cols["trading_symbol_metrics"]
    assert {(r[s["user_id"]], r[s["symbol"]]): [r[s[n]] for n in names]
            for r in data["trading_symbol_metrics"]} == dict(per_symbol)


def test_service_reads_seeded_data(db_url: str) -> None:
    """The API's own services agree with the seed: metrics totals equal the orders, a new order fills."""
    from quantum.auth.models import User
    from quantum.extensions import db
    from quantum.trading import service
    from quantum.trading.models import Order

    app = seed(db_url)
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == demo_email(7, 1))).one()
        figures = service.metrics(session=db.session, user=user)
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.user_id == user.id))
        assert figures["orders_total"] == figures["orders_filled"] == count
        result = service.place_order(session=db.session, user=user,
                                     data={"symbol": "AAPL", "side": "buy", "quantity": "1", "price": "1.00"})
        assert result.created and result.order.status.value == "filled"
        db.engine.dispose()


class _Bar:
    """Records what a click progress bar would be told."""

    def __init__(self) -> None:
        self.position = 0

    def update(self, count: int) -> None:
        self.position += count


def test_the_progress_bar_ends_at_its_total(db_url: str) -> None:
    from quantum.extensions import db
    from quantum.perf.seed import SeedOptions, seed_demo

    app = make_app(db_url)
    options = SeedOptions(users=3, snapshots_per_user=5, orders_per_user=40, bars=4, heavy_user_orders=90, seed=11,
                          batch_size=7)
    bar = _Bar()
    with app.app_context():
        seed_demo(db.engine, options, "not-a-real-hash", bar)
        db.engine.dispose()
    assert bar.position == options.total_steps() == 3 * (1 + 5) + 2 * 40 + 90 + 4 * len(SYMBOLS)


def test_the_command_says_how_to_log_in(db_url: str) -> None:
    app = make_app(db_url)
    result = app.test_cli_runner().invoke(args=["db-seed-demo", "--users", "8", "--snapshots-per-user", "1",
                                                "--orders-per-user", "1", "--bars", "0", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert f"{demo_email(5, 0)}, {demo_email(5, 1)}, {demo_email(5, 2)}, ..., " in result.output
    assert demo_email(5, 7) in result.output and "password of every demo account: demo-password-123" in result.output
    with app.app_context():
        from quantum.extensions import db

        db.engine.dispose()


def test_production_is_refused(db_url: str) -> None:
    app = make_app(db_url)
    app.config["QUANTUM_SETTINGS"] = app.config["QUANTUM_SETTINGS"].model_copy(update={"env": "production"})
    result = app.test_cli_runner().invoke(args=["db-seed-demo", "--users", "1", "--bars", "0"])
    assert result.exit_code == 2 and "refused" in result.output
    engine = sa.create_engine(db_url)
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM users")) == 0
    engine.dispose()
