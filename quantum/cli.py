"""Operational commands: `flask db-ensure` and friends."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app

from quantum.ai.cli import market
from quantum.db.errors import SchemaError
from quantum.schema import ensure_app_schema


def register_cli(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    from quantum.ops_cli import OPS_COMMANDS

    app.cli.add_command(db_ensure)
    for command in OPS_COMMANDS:
        app.cli.add_command(command)
    app.cli.add_command(market)


@click.command("db-ensure")
@click.option("--check", is_flag=True, help="Change nothing; exit 1 when something would change.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--allow-destructive", is_flag=True, help="Apply revisions that drop tables or columns.")
@click.option("--lock-wait", type=float, default=None, help="Seconds to wait for another migrator.")
def db_ensure(check: bool, as_json: bool, allow_destructive: bool, lock_wait: float | None) -> None:
    """Bring the database to the models' schema, validate it, and report."""
    settings = current_app.config["QUANTUM_SETTINGS"]
    overrides: dict = {"check": check, "allow_destructive": allow_destructive}
    if lock_wait is not None:
        overrides["lock_wait_seconds"] = lock_wait
    try:
        result = ensure_app_schema(settings, **overrides)
    except SchemaError as exc:
        report = {
            "action": "failed",
            "error": exc.reason,
            "exit_code": exc.exit_code,
            "message": exc.message,
            "backend": settings.backend,
            "drift": exc.report.get("drift", []),
            "revision_before": exc.report.get("revision_before"),
            "revision_after": None,
            "duration_ms": exc.report.get("duration_ms"),
        }
        if as_json:
            click.echo(json.dumps(report))
        else:
            click.echo(f"db-ensure: {exc.reason} (exit {exc.exit_code}): {exc.message}", err=True)
            _print_drift(report["drift"], err=True)
        sys.exit(exc.exit_code)
    if as_json:
        click.echo(json.dumps(result.to_dict()))
    else:
        click.echo(f"db-ensure: {result.action}: {result.message} in {result.duration_ms:.0f} ms")
        _print_drift([d.to_dict() for d in result.drift])
    sys.exit(result.exit_code)


def _print_drift(drift: list[dict], err: bool = False) -> None:
    for item in drift:
        click.echo(f"  {item['severity']:<8} {item['kind']:<22} {item['detail']}", err=err)
