"""The exit codes the docs list are the ones the code returns: read from the classes, never retyped.

`flask db-ensure` exits with `ExitCode` when it returns and with the `exit_code` of the exception
when it refuses (a `SchemaError` subclass, or `ConfigError`). The README's table, the schema
engine page's table and every "`<error>` (exit N)" a page mentions must agree with those classes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quantum.config import ConfigError
from quantum.schema_engine.errors import SchemaError
from quantum.schema_engine.outcomes import Action, ExitCode

ROOT = Path(__file__).resolve().parents[2]
REFUSALS = SchemaError.__subclasses__()
# What `flask db-ensure --json` reports as `error` for a configuration error (quantum/ops/ensure_command.py).
CONFIGURATION_ERROR = "configuration_error"


def _table(path: Path, header: str) -> dict[int, tuple[str | None, str]]:
    """The rows of the Markdown table whose header starts with `header`: code -> (error or None, meaning)."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows: dict[int, tuple[str | None, str]] = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        code, error, meaning = (cell.strip() for cell in line.strip("|").split("|", 2))
        assert int(code) not in rows, f"{path.name}: exit code {code} listed twice"
        rows[int(code)] = (error.strip("`") or None, meaning)
    return rows


def _expected(*, with_configuration: bool) -> dict[int, str | None]:
    expected: dict[int, str | None] = {ExitCode.READY: None, ExitCode.WOULD_CHANGE: None}
    if with_configuration:
        expected[ConfigError.exit_code] = CONFIGURATION_ERROR
    expected.update({cls.exit_code: str(cls.reason) for cls in REFUSALS})
    return expected


def test_every_outcome_has_its_own_code() -> None:
    codes = [*ExitCode, ConfigError.exit_code, *(cls.exit_code for cls in REFUSALS)]
    assert len(codes) == len(set(codes)), codes
    assert len({cls.reason for cls in REFUSALS}) == len(REFUSALS)


@pytest.mark.parametrize(
    ("page", "header", "with_configuration"),
    [("README.md", "| exit code |", True), ("docs/schema-engine.md", "| code | `reason` |", False)],
)
def test_the_exit_code_tables_match_the_classes(page: str, header: str, with_configuration: bool) -> None:
    rows = _table(ROOT / page, header)
    assert {code: error for code, (error, _) in rows.items()} == _expected(with_configuration=with_configuration)
    ready = rows[ExitCode.READY][1]
    assert all(f"`{action}`" in ready for action in Action if action is not Action.FAILED), ready
    assert "check" in rows[ExitCode.WOULD_CHANGE][1]


def test_every_error_named_with_an_exit_code_in_the_docs_has_that_code() -> None:
    """`db-ensure: schema_drift (exit 6)`, `SchemaDrift` (6): each pair agrees with the class."""
    by_reason = {str(cls.reason): cls.exit_code for cls in REFUSALS} | {CONFIGURATION_ERROR: ConfigError.exit_code}
    by_class = {cls.__name__: cls.exit_code for cls in REFUSALS} | {"ConfigError": ConfigError.exit_code}
    checked = 0
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text()
        for reason, code in re.findall(r"\b([a-z]+(?:_[a-z]+)+)`? \(exit (\d+)\)", text):
            if reason in by_reason:
                assert int(code) == by_reason[reason], f"{page.name}: {reason} (exit {code})"
                checked += 1
        for name, code in re.findall(r"`(\w+)` \((\d+)\)", text):
            if name in by_class:
                assert int(code) == by_class[name], f"{page.name}: {name} ({code})"
                checked += 1
    assert checked >= len(REFUSALS)  # the troubleshooting table and the engine page's list were read
