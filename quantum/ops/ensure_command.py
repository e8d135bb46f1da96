"""`flask db-ensure`: the release step. Light to import: the models load only when there is work.

Installed as a Flask CLI plugin (entry point `flask.commands` in pyproject.toml), so `flask
db-ensure` runs without building the web application: it reads the settings from the
environment, tries the fingerprint fast path (`quantum.schema_engine.quick`), and only when that cannot
vouch for the database imports the engine and the models for the full run. The app also
registers the same command (`quantum.cli`), which always runs in full with the app's settings.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from quantum.config import ConfigError, Settings, load_settings
from quantum.schema_engine.outcomes import Action, ExitCode, Validation


def ensure_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options of `flask db-ensure`, shared by the plugin and the app's command."""
    options = [
        click.option("--check", is_flag=True, help="Change nothing; exit 1 when something would change."),
        click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object."),
        click.option("--allow-destructive", is_flag=True, help="Apply revisions that drop tables or columns."),
        click.option("--lock-wait", type=float, default=None, help="Seconds to wait for another migrator."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command("db-ensure")
@ensure_options
def db_ensure(check: bool, as_json: bool, allow_destructive: bool, lock_wait: float | None) -> None:
    """Bring the database to the models' schema, validate it, and report."""
    try:
        settings = load_settings(instance_path=_instance_path())
    except ConfigError as exc:
        if as_json:  # one JSON object on stdout for every exit code
            click.echo(json.dumps({"action": Action.FAILED, "error": "configuration_error", "exit_code": exc.exit_code,
                                   "message": str(exc)}))
        else:
            click.echo(f"quantum: configuration error: {exc}", err=True)
        sys.exit(exc.exit_code)
    from quantum.observability.logs import configure_logging

    configure_logging(settings.observability.log_format)  # the app's command has it from create_app
    run_db_ensure(settings, check=check, as_json=as_json, allow_destructive=allow_destructive,
                  lock_wait=lock_wait, quick=True)


def _instance_path() -> str:
    # The folder the app would use (where the default SQLite file lives), computed the same way.
    from flask import Flask

    return Flask("quantum", instance_relative_config=True).instance_path


def run_db_ensure(
    settings: Settings, *, check: bool, as_json: bool, allow_destructive: bool, lock_wait: float | None, quick: bool
) -> None:
    """Run the schema lifecycle, print the report, and exit with its code."""
    # The result is printed once, below: not also as the log line the web workers' guard writes.
    logging.getLogger("quantum.schema").addFilter(_drop_summary_log)
    if quick and not check and not allow_destructive:
        report = _quick_report(settings)
        if report is not None:
            _print(report, as_json)
            sys.exit(ExitCode.READY)
    from quantum.schema import ensure_app_schema
    from quantum.schema_engine.errors import SchemaError

    overrides: dict = {"check": check, "allow_destructive": allow_destructive}
    if lock_wait is not None:
        overrides["lock_wait_seconds"] = lock_wait
    try:
        result = ensure_app_schema(settings, **overrides)
    except SchemaError as exc:
        report = {
            "action": Action.FAILED,
            "error": exc.reason,
            "exit_code": exc.exit_code,
            "message": exc.message,
            "backend": settings.database.backend,
            "drift": exc.report.get("drift", []),
            "revision_before": exc.report.get("revision_before"),
            "revision_after": None,
            "duration_ms": exc.report.get("duration_ms"),
            "validation": Validation.FULL,
            "segments": exc.report.get("segments", []),
            "findings": exc.report.get("findings", []),
        }
        if as_json:
            click.echo(json.dumps(report))
        else:
            click.echo(f"db-ensure: {exc.reason} (exit {exc.exit_code}): {exc.message}", err=True)
            _print_drift(report["drift"], err=True)
        sys.exit(exc.exit_code)
    _print(result.to_dict(), as_json)
    sys.exit(result.exit_code)


def _drop_summary_log(record: logging.LogRecord) -> bool:
    """False for quantum.schema's INFO summary (`db-ensure: ... in N ms`), which the command prints itself."""
    return not (record.levelno == logging.INFO and str(record.msg).startswith("db-ensure:"))


def _quick_report(settings: Settings) -> dict[str, Any] | None:
    from quantum.paths import MIGRATIONS_DIR, PROJECT_ROOT
    from quantum.schema_engine.quick import QuickTarget, quick_noop

    return quick_noop(settings.database.url_for_migrations, QuickTarget(root=PROJECT_ROOT, migrations_dir=MIGRATIONS_DIR))


def _print(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(f"db-ensure: {report['action']}: {report['message']} in {report['duration_ms']:.0f} ms")
    _print_drift(report["drift"])
    for note in (n for n in report.get("notes", []) if n not in report["message"]):
        click.echo(f"  note     {note}")


def _print_drift(drift: list[dict], err: bool = False) -> None:
    for item in drift:
        click.echo(f"  {item['severity']:<8} {item['kind']:<22} {item['detail']}", err=err)
