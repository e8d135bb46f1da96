"""`flask market import FILE.csv`: every bad row named by its line, nothing imported unless all rows are good."""

from __future__ import annotations

import sqlalchemy as sa

from quantum.ai.models import PriceBar
from quantum.extensions import db
from tests.conftest import run_flask

GOOD = """symbol,timestamp,open,high,low,close,volume
AAPL,2024-01-02,187.15,188.44,183.89,185.64,82488700
AAPL,2024-01-03,184.22,185.88,183.43,184.25,58414500
MSFT,2024-01-02T00:00:00Z,373.86,375.90,366.77,370.87,25258600
"""


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(PriceBar))


def test_a_good_file_is_imported(app, runner, tmp_path):
    path = tmp_path / "bars.csv"
    path.write_text(GOOD)
    result = runner.invoke(args=["market", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 3 bar(s) of AAPL, MSFT from bars.csv" in result.output
    assert _count(app) == 3


def test_bad_rows_import_nothing_and_are_named_by_line(app, runner, tmp_path):
    path = tmp_path / "bars.csv"
    path.write_text(
        GOOD
        + "AAPL,2024-01-04,182.15,183.09,180.88,abc,71983600\n"  # line 5: close is not a number
        + "AAPL,not-a-date,1,1,1,1,1\n"  # line 6: bad timestamp
        + "AAPL,2024-01-05,181.99,182.76,180.17,181.18\n"  # line 7: a field short
        + "AAPL,2024-01-03,1,1,1,1,1\n"  # line 8: repeats line 3
        + "MSFT,2024-01-05,10,9,8,10,5\n"  # line 9: high below open
    )
    result = runner.invoke(args=["market", "import", str(path)])
    assert result.exit_code == 1
    output = result.output
    assert "bars.csv:5: close: 'abc' is not a number" in output
    assert "bars.csv:6: ts: 'not-a-date' is not an ISO 8601 date or datetime" in output
    assert "bars.csv:7: expected 7 fields, found 6" in output
    assert "bars.csv:8: repeats line 3 (AAPL at 2024-01-03T00:00:00+00:00)" in output
    assert "bars.csv:9: high: must be at least open, close and low" in output
    assert "5 bad row(s); nothing was imported" in output
    assert _count(app) == 0


def test_rows_already_stored_are_named_and_nothing_is_imported(app, runner, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text(GOOD.splitlines()[0] + "\n" + GOOD.splitlines()[2] + "\n")
    assert runner.invoke(args=["market", "import", str(first)]).exit_code == 0
    second = tmp_path / "second.csv"
    second.write_text(GOOD)
    result = runner.invoke(args=["market", "import", str(second)])
    assert result.exit_code == 1
    assert "second.csv:3: AAPL at 2024-01-03T00:00:00+00:00 is already stored" in result.output
    assert _count(app) == 1


def test_a_bad_header_is_refused(app, runner, tmp_path):
    path = tmp_path / "bars.csv"
    path.write_text("ticker,date,close\nAAPL,2024-01-02,1\n")
    result = runner.invoke(args=["market", "import", str(path)])
    assert result.exit_code == 1
    assert "bars.csv:1: the header lacks symbol, open, high, low, volume" in result.output
    # --symbol supplies the symbol when the file has none
    path.write_text("date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1.5,10\n")
    result = runner.invoke(args=["market", "import", str(path), "--symbol", "spy"])
    assert result.exit_code == 0, result.output
    assert "of SPY" in result.output


def test_the_command_works_from_the_shell(db_url, tmp_path):
    path = tmp_path / "bars.csv"
    path.write_text(GOOD)
    result = run_flask(["market", "import", str(path)], db_url)
    assert result.returncode == 0, result.stderr
    assert "imported 3 bar(s)" in result.stdout
