"""Operational commands: `flask db-ensure` and friends."""

from __future__ import annotations

import click
from flask import Flask

from quantum.ai.cli import market
from quantum.config import current_settings
from quantum.ensure_command import ensure_options, run_db_ensure
from quantum.perf.seed import db_seed_demo


def register_cli(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    from quantum.ops_cli import OPS_COMMANDS

    app.cli.add_command(db_ensure)
    for command in OPS_COMMANDS:
        app.cli.add_command(command)
    app.cli.add_command(market)
    app.cli.add_command(db_seed_demo)


@click.command("db-ensure")
@ensure_options
def db_ensure(check: bool, as_json: bool, allow_destructive: bool, lock_wait: float | None) -> None:
    """Bring the database to the models' schema, validate it, and report."""
    # With the app's own settings, always in full (the plugin in quantum.ensure_command is the quick one).
    run_db_ensure(current_settings(), check=check, as_json=as_json,
                  allow_destructive=allow_destructive, lock_wait=lock_wait, quick=False)
