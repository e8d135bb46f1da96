"""Every `flask` command of the app, registered in this one place."""

from __future__ import annotations

import click
from flask import Flask

from quantum.ai.cli import market
from quantum.archive.cli import db_archive
from quantum.auth.cli import users_cli
from quantum.config import current_settings
from quantum.openapi import openapi_cli
from quantum.ops.cli import OPS_COMMANDS
from quantum.ops.ensure_command import ensure_options, run_db_ensure
from quantum.perf.seed import db_seed_demo


def register_cli(app: Flask) -> None:
    """Attach every command to the app's CLI (`flask --help` lists them)."""
    app.cli.add_command(db_ensure)
    for command in (*OPS_COMMANDS, db_archive):
        app.cli.add_command(command)
    app.cli.add_command(users_cli)
    app.cli.add_command(market)
    app.cli.add_command(db_seed_demo)
    # Replaces flask-smorest's own `openapi` group: same name, the completed document.
    app.cli.add_command(openapi_cli)


@click.command("db-ensure")
@ensure_options
def db_ensure(check: bool, as_json: bool, allow_destructive: bool, lock_wait: float | None) -> None:
    """Bring the database to the models' schema, validate it, and report."""
    # With the app's own settings, always in full (the plugin in quantum.ops.ensure_command is the quick one).
    run_db_ensure(current_settings(), check=check, as_json=as_json,
                  allow_destructive=allow_destructive, lock_wait=lock_wait, quick=False)
