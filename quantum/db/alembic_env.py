"""The body of every env.py: run migrations on a given connection or the Flask app's engine."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context


def run_env() -> None:
    """Run the migrations Alembic asked for, online or offline."""
    config = context.config
    connection = config.attributes.get("connection")
    metadata = config.attributes.get("target_metadata")
    ignore = set(config.attributes.get("ignore_tables") or {"schema_ledger"})
    version_table = config.attributes.get("version_table", "alembic_version")
    if metadata is None:
        metadata = _flask_metadata()

    def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        return not (type_ == "table" and name in ignore)

    def skip_empty_autogenerate(ctx: Any, revision: Any, directives: list) -> None:
        # `flask db migrate` with nothing to do should not write an empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives and directives[0].upgrade_ops.is_empty():
            directives[:] = []

    def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
        # Render TypeDecorators as their plain SQLAlchemy type, so migrations never import app code.
        if type_ == "type" and isinstance(obj, sa.types.TypeDecorator):
            return f"sa.{obj.impl!r}"
        return False

    common = dict(
        render_item=render_item,
        target_metadata=metadata,
        compare_type=True,
        include_name=include_name,
        version_table=version_table,
        process_revision_directives=skip_empty_autogenerate,
    )
    if context.is_offline_mode():
        url = config.get_main_option("sqlalchemy.url") or str(_flask_engine().url)
        context.configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"), **common)
        with context.begin_transaction():
            context.run_migrations()
        return
    if connection is not None:
        _run(connection, common)
        return
    with _flask_engine().connect() as own_connection:
        _run(own_connection, common)


def _run(connection: sa.Connection, common: dict) -> None:
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite", **common)
    with context.begin_transaction():
        context.run_migrations()


def _flask_metadata() -> sa.MetaData:
    from flask import current_app

    return current_app.extensions["migrate"].db.metadata


def _flask_engine() -> sa.Engine:
    from flask import current_app

    return current_app.extensions["migrate"].db.engine
