"""`flask market import FILE.csv`: load price bars, all of them or none; `flask market sample-bars`: a sample."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from quantum.ai import backtest, sample, service
from quantum.errors import APIError
from quantum.extensions import db

COLUMNS = ("symbol", "ts", "open", "high", "low", "close", "volume")
# Header names accepted for the timestamp column (exports name it differently).
TS_ALIASES = ("ts", "timestamp", "date", "datetime", "time")
MAX_REPORTED = 50


# An AppGroup runs its commands inside the app context, where db.session is bound.
market = AppGroup("market", help="Market data: price bars for backtests.")


@market.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--symbol", default=None, help="Symbol for every row, when the file has no symbol column.")
def import_bars(path: Path, symbol: str | None) -> None:
    """Import a CSV of bars (symbol,ts,open,high,low,close,volume); any bad row imports nothing."""
    rows, errors = read_csv(path, default_symbol=symbol)
    if not errors:
        try:
            # One unit of work: a bar already stored (or repeated in the file) rolls every row back.
            service.insert_bars(session=db.session, bars=[bar for _, bar in rows])
        except APIError as exc:
            errors = _conflict_lines(exc, rows)
    if errors:
        for line, message in errors[:MAX_REPORTED]:
            click.echo(f"{path.name}:{line}: {message}", err=True)
        if len(errors) > MAX_REPORTED:
            click.echo(f"... and {len(errors) - MAX_REPORTED} more", err=True)
        click.echo(f"market import: {len(errors)} bad row(s); nothing was imported", err=True)
        sys.exit(click.ClickException.exit_code)
    symbols = sorted({bar["symbol"] for _, bar in rows})
    click.echo(f"market import: imported {len(rows)} bar(s) of {', '.join(symbols) or 'no symbol'} from {path.name}")


@market.command("sample-bars")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--symbols", default=",".join(sample.DEFAULT_SYMBOLS), show_default=True,
              help="Comma-separated symbols; they share a market factor.")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default=sample.DEFAULT_START.isoformat(),
              show_default=True, help="First day (weekdays only are generated).")
@click.option("--days", type=click.IntRange(1, 10_000), default=sample.DEFAULT_DAYS, show_default=True,
              help="Bars per symbol.")
@click.option("--seed", type=int, default=sample.DEFAULT_SEED, show_default=True, help="Same seed, same bars.")
def sample_bars_command(path: Path, symbols: str, start, days: int, seed: int) -> None:
    """Write a deterministic sample of daily bars as a CSV `flask market import` reads (PATH `-`: stdout)."""
    names = [name.strip().upper() for name in symbols.split(",") if name.strip()]
    problems = [name for name in names if not backtest.SYMBOL_PATTERN.match(name)]
    if not names or problems:
        raise click.BadParameter(f"not a ticker symbol: {', '.join(problems) or symbols!r}", param_hint="--symbols")
    bars = list(sample.sample_bars(names, start=start.date(), days=days, seed=seed))
    if str(path) == "-":
        _write_csv(sys.stdout, bars)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        _write_csv(handle, bars)
    click.echo(
        f"market sample-bars: wrote {len(bars)} bar(s) of {', '.join(names)} "
        f"({bars[0]['ts']} to {bars[-1]['ts']}, seed {seed}) to {path}"
    )


def _write_csv(handle, bars: list[dict]) -> None:
    writer = csv.DictWriter(handle, fieldnames=sample.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(bars)


def read_csv(path: Path, default_symbol: str | None = None) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """Parse and validate every row: (line, clean bar) pairs and (line, message) errors; line 1 is the header."""
    rows: list[tuple[int, dict]] = []
    errors: list[tuple[int, str]] = []
    seen: dict[tuple, int] = {}
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        return [], [(0, f"cannot read the file: {exc.strerror}")]
    with handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip().lower() for name in next(reader)]
        except StopIteration:
            return [], [(1, "the file is empty; expected a header: " + ",".join(COLUMNS))]
        except (csv.Error, UnicodeDecodeError) as exc:
            return [], [(1, f"unreadable header: {exc}")]
        columns = _column_map(header, default_symbol)
        if isinstance(columns, str):
            return [], [(1, columns)]
        line = reader.line_num
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except (csv.Error, UnicodeDecodeError) as exc:
                errors.append((reader.line_num, f"unreadable row: {exc}"))
                break
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines (a trailing newline) are not rows
            if len(record) != len(header):
                errors.append((line, f"expected {len(header)} fields, found {len(record)}"))
                continue
            raw = {name: record[index] for name, index in columns.items()}
            if default_symbol and "symbol" not in raw:
                raw["symbol"] = default_symbol
            bar, problems = service.validate_bar(raw)
            if problems:
                errors.append((line, "; ".join(f"{name}: {why}" for name, why in problems.items())))
            elif (bar["symbol"], bar["ts"]) in seen:
                first = seen[(bar["symbol"], bar["ts"])]
                errors.append((line, f"repeats line {first} ({bar['symbol']} at {bar['ts'].isoformat()})"))
            else:
                seen[(bar["symbol"], bar["ts"])] = line
                rows.append((line, bar))
    if not rows and not errors:
        errors.append((line, "no data rows after the header"))
    return rows, errors


def _column_map(header: list[str], default_symbol: str | None) -> dict[str, int] | str:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = "ts" if name in TS_ALIASES else name
        if key in COLUMNS and key not in columns:
            columns[key] = index
    missing = [c for c in COLUMNS if c not in columns and not (c == "symbol" and default_symbol)]
    if missing:
        return f"the header lacks {', '.join(missing)}; expected: {','.join(COLUMNS)} (or --symbol)"
    return columns


def _conflict_lines(exc: APIError, rows: list[tuple[int, dict]]) -> list[tuple[int, str]]:
    """Name the lines of bars that the database already holds, or that the file repeats."""
    lines = {(bar["symbol"], bar["ts"]): line for line, bar in rows}
    existing = exc.details.get("existing") or []
    if existing:
        found = []
        for item in existing:
            key = (item["symbol"], service.parse_timestamp(item["ts"]))
            found.append((lines.get(key, 0), f"{item['symbol']} at {item['ts']} is already stored"))
        return sorted(found)
    duplicates = exc.details.get("duplicates")
    if duplicates:
        first, second = (rows[i] for i in duplicates)
        return [(second[0], f"repeats line {first[0]} ({first[1]['symbol']} at {first[1]['ts'].isoformat()})")]
    return [(0, exc.message)]
