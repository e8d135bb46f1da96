"""`flask market sample-bars`: a deterministic sample that `flask market import` takes whole."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from quantum.ai.cli import read_csv
from quantum.ai.models import PriceBar
from quantum.ai.sample import sample_bars, trading_days
from quantum.extensions import db


def test_the_sample_is_the_same_every_time_and_valid(runner, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    result = runner.invoke(args=["market", "sample-bars", str(first)])
    assert result.exit_code == 0, result.output
    assert f"wrote 504 bar(s) of AAPL, MSFT (2024-01-02 to 2024-12-18, seed 7) to {first}" in result.output
    assert runner.invoke(args=["market", "sample-bars", str(second)]).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    rows, errors = read_csv(first)
    assert errors == [] and len(rows) == 504
    other = tmp_path / "c.csv"
    assert runner.invoke(args=["market", "sample-bars", str(other), "--seed", "8"]).exit_code == 0
    assert other.read_bytes() != first.read_bytes()


def test_the_sample_imports_whole(app, runner, tmp_path):
    path = tmp_path / "sample.csv"
    assert runner.invoke(args=["market", "sample-bars", str(path), "--symbols", "aapl,nvda", "--days", "30"]).exit_code == 0
    result = runner.invoke(args=["market", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 60 bar(s) of AAPL, NVDA" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PriceBar)) == 60


def test_bad_options_are_refused_without_a_traceback(runner, tmp_path):
    result = runner.invoke(args=["market", "sample-bars", str(tmp_path / "x.csv"), "--symbols", "a b"])
    assert result.exit_code == 2 and "not a ticker symbol" in result.output
    result = runner.invoke(args=["market", "sample-bars", str(tmp_path / "x.csv"), "--days", "0"])
    assert result.exit_code == 2


def test_bars_are_weekdays_consistent_and_pinned():
    days = trading_days(date(2024, 1, 5), 3)
    assert [d.isoformat() for d in days] == ["2024-01-05", "2024-01-08", "2024-01-09"]
    for bar in sample_bars(days=50):
        assert bar["low"] <= min(bar["open"], bar["close"]) <= max(bar["open"], bar["close"]) <= bar["high"]
        assert bar["low"] > 0
    # docs/ai.md shows these rows and backtest results computed from the sample: a generator change shows here.
    first = next(sample_bars())
    assert first == {"symbol": "AAPL", "ts": "2024-01-02", "open": Decimal("381.83"), "high": Decimal("383.74"),
                     "low": Decimal("371.13"), "close": Decimal("372.86"), "volume": 14109675}
