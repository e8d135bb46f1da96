"""`flask db-seed-demo`: a deterministic, consistent demo dataset, written in bulk.

Everything is generated in Python from one `random.Random(seed)`, in a fixed order, so the
same options always produce the same rows (password hashes aside: argon2 salts them). The
derived tables (balances, positions, budgets, trading_daily_metrics, trading_symbol_metrics)
are computed while the orders are generated, with the same arithmetic `place_order` uses,
so they agree exactly with a recomputation from orders and fills.

Writing: SQLite gets `executemany` on the DBAPI cursor in one transaction per batch;
PostgreSQL gets `COPY ... FROM STDIN` (psycopg2 `copy_expert`) per batch. Ids are assigned
here (after the current maximum of each table), then PostgreSQL sequences are moved past them.
"""

from __future__ import annotations

import io
import json
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from quantum.config import current_settings
from quantum.core.money import ZERO, quantize
from quantum.trading.service import count_fill

# Fixed so the dataset never depends on the clock: every generated row is before this instant.
END = datetime(2026, 1, 1, tzinfo=UTC)
SYMBOLS = ("AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "AMD", "INTC", "NFLX",
           "ORCL", "IBM", "CRM", "ADBE", "QCOM", "TXN", "AVGO", "CSCO", "PEP", "KO")
DEMO_PASSWORD = "demo-password-123"
DEPOSIT = Decimal("1000000.00000000")
# SQLite stores money as REAL: exact to 15 significant digits, so balances stay below 10 million.
HEAVY_DEPOSIT = Decimal("9000000.00000000")
DAYS = 365
LIMITS = (Decimal("1000000"), Decimal("10000000"), Decimal("100000000"))  # trading.service.DEFAULT_LIMITS

# Column order of every table the seeder writes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("id", "email", "username", "password_hash", "account_status", "tier", "role", "created_at",
              "updated_at"),
    "balances": ("id", "user_id", "currency", "available", "created_at", "updated_at"),
    "payments": ("id", "user_id", "amount", "currency", "network", "tx_hash", "block_number", "status",
                 "created_at", "completed_at"),
    "budgets": ("id", "user_id", "per_order_limit", "daily_limit", "monthly_limit", "daily_spent", "monthly_spent",
                "daily_period_start", "daily_period_end", "monthly_period_start", "monthly_period_end",
                "updated_at"),
    "portfolio_snapshots": ("id", "user_id", "snapshot_data", "total_value", "created_at"),
    "orders": ("id", "user_id", "client_order_id", "symbol", "side", "quantity", "price", "notional", "status",
               "filled_quantity", "realized_pnl", "reject_reason", "reject_details", "created_at", "filled_at"),
    "fills": ("id", "order_id", "user_id", "symbol", "quantity", "price", "notional", "realized_pnl", "created_at"),
    "positions": ("id", "user_id", "symbol", "quantity", "cost_basis", "realized_pnl", "created_at", "updated_at"),
    "trading_daily_metrics": ("id", "user_id", "day", "symbol", "orders_total", "orders_filled", "orders_rejected",
                              "buy_volume", "sell_volume", "realized_pnl", "closing_trades", "winning_trades"),
    "trading_symbol_metrics": ("id", "user_id", "symbol", "orders_total", "orders_filled", "orders_rejected",
                               "buy_volume", "sell_volume", "realized_pnl", "closing_trades", "winning_trades",
                               "last_price", "last_fill_at"),
    "price_bars": ("id", "symbol", "ts", "open", "high", "low", "close", "volume"),
}


@dataclass(frozen=True)
class SeedOptions:
    """How much to generate."""

    users: int = 100
    snapshots_per_user: int = 100
    orders_per_user: int = 100
    bars: int = 1000
    heavy_user_orders: int = 0
    seed: int = 42
    batch_size: int = 10_000

    def total_steps(self) -> int:
        """The progress bar's total, exact: one step per user, order drawn (filled or skipped), snapshot and bar."""
        orders = self.orders_per_user * max(self.users - (1 if self.heavy_user_orders else 0), 0)
        orders += self.heavy_user_orders if self.users else 0
        return self.users * (1 + self.snapshots_per_user) + orders + self.bars * len(SYMBOLS)


class Steps:
    """Counts steps for a progress bar (anything with `update(n)`), passed on in chunks: a redraw per row is slow."""

    def __init__(self, bar: Any = None, chunk: int = 1000) -> None:
        self.bar, self.chunk, self.pending, self.done = bar, chunk, 0, 0

    def add(self, count: int = 1) -> None:
        """Count `count` finished steps."""
        self.pending += count
        self.done += count
        if self.pending >= self.chunk:
            self.flush()

    def flush(self) -> None:
        """Pass on the steps not yet shown."""
        if self.bar is not None and self.pending:
            self.bar.update(self.pending)
        self.pending = 0


@dataclass
class Counters:
    """The metric counters of one (day, symbol) or one symbol, as place_order keeps them."""

    orders_total: int = 0
    orders_filled: int = 0
    orders_rejected: int = 0
    buy_volume: Decimal = ZERO
    sell_volume: Decimal = ZERO
    realized_pnl: Decimal = ZERO
    closing_trades: int = 0
    winning_trades: int = 0
    last_price: Decimal | None = None
    last_fill_at: datetime | None = None

    def add_fill(self, side: str, notional: Decimal, pnl: Decimal, price: Decimal, at: datetime) -> None:
        """Count one filled order exactly as place_order does."""
        self.orders_total += 1  # place_order counts the order when it is placed, then the fill
        count_fill(self, buy=side == "buy", notional=notional, pnl=pnl)
        self.last_price, self.last_fill_at = price, at

    def row(self) -> tuple[Any, ...]:
        """The counter columns in COLUMNS order."""
        return (self.orders_total, self.orders_filled, self.orders_rejected, self.buy_volume, self.sell_volume,
                self.realized_pnl, self.closing_trades, self.winning_trades)


@dataclass
class PositionState:
    """A position while orders are generated."""

    quantity: Decimal = ZERO
    cost_basis: Decimal = ZERO
    realized_pnl: Decimal = ZERO
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class Ids:
    """The next id of each table (after what is already there)."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        """Allocate one id."""
        value = self.next[table]
        self.next[table] = value + 1
        return value


# --- writing ------------------------------------------------------------------------------------------------------


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # what SQLAlchemy's Numeric does on SQLite (no native decimal)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


class Writer:
    """Buffers rows per table and writes them in batches (executemany on SQLite, COPY on PostgreSQL)."""

    def __init__(self, engine: sa.Engine, batch_size: int) -> None:
        self.engine = engine
        self.backend = engine.dialect.name
        self.batch_size = batch_size
        self.buffers: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COLUMNS}
        self.written: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        self.raw = engine.raw_connection()
        if self.backend == "sqlite":
            cursor = self.raw.cursor()
            cursor.execute("PRAGMA synchronous=OFF")  # this connection only; a crash mid-seed means re-seeding
            cursor.close()

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        """Queue one row; flush the table's buffer when it is full."""
        buffer = self.buffers[table]
        buffer.append(row)
        if len(buffer) >= self.batch_size:
            self.flush(table)

    def flush(self, table: str) -> None:
        """Write the table's buffered rows in one statement and commit."""
        rows = self.buffers[table]
        if not rows:
            return
        columns = COLUMNS[table]
        cursor = self.raw.cursor()
        try:
            if self.backend == "postgresql":
                data = io.StringIO(
                    "".join("\t".join(_copy_value(v) for v in row) + "\n" for row in rows)
                )
                cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", data)
            else:
                placeholders = ", ".join("?" for _ in columns)
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                    [tuple(_sqlite_value(v) for v in row) for row in rows],
                )
            self.raw.commit()
        finally:
            cursor.close()
        self.written[table] += len(rows)
        self.buffers[table] = []

    def close(self) -> None:
        """Flush everything (parents first), move PostgreSQL sequences past the ids written, and ANALYZE."""
        for table in COLUMNS:
            self.flush(table)
        cursor = self.raw.cursor()
        try:
            if self.backend == "postgresql":
                for table in COLUMNS:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                    )
                self.raw.commit()
                self.raw.autocommit = True  # type: ignore[attr-defined]
                cursor.execute("ANALYZE")
            else:
                cursor.execute("ANALYZE")
                self.raw.commit()
        finally:
            cursor.close()
            self.raw.close()


# --- generating ---------------------------------------------------------------------------------------------------


def _timestamps(rng: random.Random, count: int, days: int = DAYS) -> list[datetime]:
    """`count` increasing instants spread over the `days` before END (microsecond resolution)."""
    span = days * 86_400_000_000
    offsets = sorted(rng.randrange(span) for _ in range(count))
    start = END - timedelta(days=days)
    return [start + timedelta(microseconds=o) for o in offsets]


def _price_paths(rng: random.Random, count: int) -> dict[str, list[Decimal]]:
    """A daily random walk of each symbol's price over the seeded year (order prices come from it)."""
    paths: dict[str, list[Decimal]] = {}
    for symbol in SYMBOLS:
        price = rng.uniform(20, 500)
        path = []
        for _ in range(count):
            price = max(1.0, price * (1 + rng.gauss(0, 0.02)))
            path.append(Decimal(f"{price:.2f}"))
        paths[symbol] = path
    return paths


def _generate_user(
    writer: Writer, ids: Ids, rng: random.Random, user_id: int, orders: int, snapshots: int,
    deposit: Decimal, prices: dict[str, list[Decimal]], created: datetime, steps: Steps,
) -> None:
    start = END - timedelta(days=DAYS)
    writer.add("payments", (ids.take("payments"), user_id, deposit, "USD", None, None, None, "completed",
                            created, created))
    cash = deposit
    positions: dict[str, PositionState] = {}
    daily: dict[tuple[date, str], Counters] = {}
    per_symbol: dict[str, Counters] = {}
    symbols = rng.sample(SYMBOLS, k=min(len(SYMBOLS), rng.randint(3, 10)))
    last_day: date | None = None
    last_month: tuple[int, int] | None = None
    day_spent = month_spent = ZERO
    for at in _timestamps(rng, orders):
        steps.add()
        symbol = rng.choice(symbols)
        price = prices[symbol][(at - start).days]
        quantity = Decimal(rng.randint(1, 20)).quantize(ZERO)
        position = positions.setdefault(symbol, PositionState(created_at=at))
        side = "sell" if rng.random() < 0.45 and position.quantity > 0 else "buy"
        if side == "sell":
            quantity = min(quantity, position.quantity)
        notional = quantize(quantity * price)
        if side == "buy" and notional > cash:
            side = "sell" if position.quantity > 0 else "buy"
            quantity = min(quantity, position.quantity) if side == "sell" else quantity
            notional = quantize(quantity * price)
            if side == "buy" and notional > cash:
                continue  # out of cash and nothing to sell: the user simply does not trade now
        pnl = ZERO
        if side == "buy":
            cash = quantize(cash - notional)
            position.quantity = quantize(position.quantity + quantity)
            position.cost_basis = quantize(position.cost_basis + notional)
        else:
            released = (position.cost_basis if quantity == position.quantity
                        else quantize(position.cost_basis * quantity / position.quantity))
            pnl = quantize(notional - released)
            cash = quantize(cash + notional)
            position.quantity = quantize(position.quantity - quantity)
            position.cost_basis = quantize(position.cost_basis - released)
            position.realized_pnl = quantize(position.realized_pnl + pnl)
        position.updated_at = at
        order_id = ids.take("orders")
        writer.add("orders", (order_id, user_id, None, symbol, side, quantity, price, notional, "filled", quantity,
                              pnl, None, None, at, at))
        writer.add("fills", (ids.take("fills"), order_id, user_id, symbol, quantity, price, notional, pnl, at))
        day = at.date()
        daily.setdefault((day, symbol), Counters()).add_fill(side, notional, pnl, price, at)
        per_symbol.setdefault(symbol, Counters()).add_fill(side, notional, pnl, price, at)
        day_spent = quantize((day_spent if day == last_day else ZERO) + notional)
        month = (at.year, at.month)
        month_spent = quantize((month_spent if month == last_month else ZERO) + notional)
        last_day, last_month = day, month

    writer.add("balances", (ids.take("balances"), user_id, "USD", cash, created, created))
    for symbol, position in sorted(positions.items()):
        if position.updated_at is None:
            continue  # created for a choice that then did not trade
        writer.add("positions", (ids.take("positions"), user_id, symbol, position.quantity, position.cost_basis,
                                 position.realized_pnl, position.created_at, position.updated_at))
    for (day, symbol), counters in sorted(daily.items()):
        writer.add("trading_daily_metrics", (ids.take("trading_daily_metrics"), user_id, day, symbol,
                                             *counters.row()))
    for symbol, counters in sorted(per_symbol.items()):
        writer.add("trading_symbol_metrics", (ids.take("trading_symbol_metrics"), user_id, symbol, *counters.row(),
                                              counters.last_price, counters.last_fill_at))
    if last_day is not None:
        # The budget's periods are those of the last order; place_order rolls them forward on the next one.
        day_start = datetime(last_day.year, last_day.month, last_day.day, tzinfo=UTC)
        month_start = datetime(last_day.year, last_day.month, 1, tzinfo=UTC)
        month_end = datetime(month_start.year + (month_start.month == 12), month_start.month % 12 + 1, 1, tzinfo=UTC)
        writer.add("budgets", (ids.take("budgets"), user_id, *LIMITS, day_spent, month_spent, day_start,
                               day_start + timedelta(days=1), month_start, month_end, END))

    value = float(deposit)
    for at in _timestamps(rng, snapshots):
        steps.add()
        value = max(1.0, value * (1 + rng.gauss(0.0003, 0.01)))
        held = rng.sample(symbols, k=min(3, len(symbols)))
        holdings = []
        total = ZERO
        remaining = Decimal(f"{value:.2f}")
        for symbol in held:
            price = prices[symbol][(at - start).days]
            quantity = Decimal(rng.randint(1, 50))
            line = quantize(quantity * price)
            total = quantize(total + line)
            holdings.append({"symbol": symbol, "quantity": format(quantize(quantity), "f"),
                             "price": format(quantize(price), "f"), "value": format(line, "f")})
        snap_cash = quantize(max(remaining - total, ZERO))
        total = quantize(total + snap_cash)
        writer.add("portfolio_snapshots", (ids.take("portfolio_snapshots"), user_id,
                                           {"holdings": holdings, "cash": format(snap_cash, "f")}, total, at))


def _generate_bars(writer: Writer, ids: Ids, rng: random.Random, bars: int, steps: Steps) -> None:
    """`bars` daily OHLCV bars per symbol ending at END."""
    for symbol in SYMBOLS:
        price = rng.uniform(20, 500)
        first = END - timedelta(days=bars)
        for index in range(bars):
            steps.add()
            open_ = price
            close = max(1.0, open_ * (1 + rng.gauss(0, 0.02)))
            high = max(open_, close) * (1 + abs(rng.gauss(0, 0.005)))
            low = min(open_, close) * (1 - abs(rng.gauss(0, 0.005)))
            volume = rng.randint(10_000, 5_000_000)
            writer.add("price_bars", (ids.take("price_bars"), symbol, first + timedelta(days=index),
                                      Decimal(f"{open_:.4f}"), Decimal(f"{high:.4f}"), Decimal(f"{low:.4f}"),
                                      Decimal(f"{close:.4f}"), Decimal(volume)))
            price = close


def demo_email(seed: int, index: int) -> str:
    """The email of the `index`-th demo user of a seed (user 0 is the heavy user when there is one)."""
    return f"demo{index}.s{seed}@seed.example"


def seed_demo(engine: sa.Engine, options: SeedOptions, password_hash: str, progress: Any = None) -> dict[str, int]:
    """Write the demo dataset into `engine`'s database (already at head); returns rows written per table.

    `progress` (a click progress bar, or anything with `update(n)`) advances by `options.total_steps()` in all.
    """
    with engine.connect() as connection:
        if connection.scalar(sa.text("SELECT 1 FROM users WHERE email = :e"), {"e": demo_email(options.seed, 0)}):
            raise click.ClickException(
                f"seed {options.seed} is already in this database; use another --seed or a fresh database"
            )
        if options.bars and connection.scalar(sa.text("SELECT COUNT(*) FROM price_bars")):
            raise click.ClickException("price_bars is not empty; use --bars 0 or a fresh database")
        ids = Ids({table: (connection.scalar(sa.text(f"SELECT MAX(id) FROM {table}")) or 0) + 1 for table in COLUMNS})
    rng = random.Random(options.seed)
    writer = Writer(engine, options.batch_size)
    steps = Steps(progress)
    try:
        prices = _price_paths(rng, DAYS + 1)
        user_ids = []
        for index in range(options.users):
            user_id = ids.take("users")
            user_ids.append(user_id)
            created = END - timedelta(days=DAYS + 1, seconds=index)
            writer.add("users", (user_id, demo_email(options.seed, index), f"demo{index}_s{options.seed}",
                                 password_hash, "active", "enterprise", "user", created, created))
            steps.add()
        writer.flush("users")
        for index, user_id in enumerate(user_ids):
            heavy = index == 0 and options.heavy_user_orders > 0
            _generate_user(
                writer, ids, random.Random(f"{options.seed}:{index}"), user_id,
                options.heavy_user_orders if heavy else options.orders_per_user, options.snapshots_per_user,
                HEAVY_DEPOSIT if heavy else DEPOSIT, prices, END - timedelta(days=DAYS + 1, seconds=index), steps,
            )
        _generate_bars(writer, ids, rng, options.bars, steps)
    finally:
        steps.flush()
        writer.close()
    return writer.written


@click.command("db-seed-demo")
@click.option("--users", default=100, show_default=True, help="Demo users (enterprise tier, active).")
@click.option("--snapshots-per-user", default=100, show_default=True)
@click.option("--orders-per-user", default=100, show_default=True, help="Filled orders (and fills) per user.")
@click.option("--heavy-user-orders", default=0, show_default=True,
              help="Orders of user 0 instead of --orders-per-user (e.g. 1000000).")
@click.option("--bars", default=1000, show_default=True, help="Daily price bars per symbol (20 symbols).")
@click.option("--seed", default=42, show_default=True, help="Same seed and options, same data.")
@click.option("--batch-size", default=10_000, show_default=True, help="Rows per INSERT batch / COPY.")
@click.option("--password", default=DEMO_PASSWORD, show_default=True, help="Password of every demo user.")
@with_appcontext
def db_seed_demo(users: int, snapshots_per_user: int, orders_per_user: int, heavy_user_orders: int, bars: int,
                 seed: int, batch_size: int, password: str) -> None:
    """Fill the database (brought to head first) with a deterministic demo dataset, in bulk."""
    from quantum.auth.passwords import hash_password
    from quantum.extensions import db
    from quantum.schema import ensure_app_schema

    if current_settings().production:
        # Demo accounts with a published password have no place in a production database.
        click.echo("db-seed-demo: refused: QUANTUM_ENV is production; seed a development or staging database",
                   err=True)
        sys.exit(2)
    ensure_app_schema(current_settings())
    options = SeedOptions(users, snapshots_per_user, orders_per_user, bars, heavy_user_orders, seed, batch_size)
    # Steps: users, orders drawn, snapshots and bars (rows of derived tables are not known in advance).
    with click.progressbar(length=options.total_steps(), label="seeding", show_pos=True) as bar:
        written = seed_demo(db.engine, options, hash_password(password), bar)
    click.echo("db-seed-demo: wrote " + ", ".join(f"{table}={count}" for table, count in written.items() if count))
    for line in account_lines(options, password):
        click.echo(line)


def account_lines(options: SeedOptions, password: str) -> list[str]:
    """What to log in with: the demo accounts' emails (all of them, or the first and last few) and password."""
    if not options.users:
        return []
    emails = [demo_email(options.seed, index) for index in range(options.users)]
    shown = ", ".join(emails) if len(emails) <= 6 else ", ".join(emails[:3]) + ", ..., " + ", ".join(emails[-2:])
    heavy = f"; {emails[0]} is the heavy user" if options.heavy_user_orders else ""
    return [f"demo accounts ({options.users}, enterprise tier): {shown}{heavy}",
            f"password of every demo account: {password}"]


def table_rows(connection: sa.Connection, table: str, order_by: Sequence[str] = ("id",)) -> Iterator[tuple]:
    """Every row of `table` in a stable order (for determinism checks)."""
    yield from connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY {', '.join(order_by)}"))
