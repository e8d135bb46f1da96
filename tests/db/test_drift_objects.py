"""Issue 13, item 8: primary keys, declared server defaults, and changed objects as one "changed" item.

Each case changes the helpdesk schema (tests/schemas/helpdesk) at head by hand, then `ensure_schema`
must stop with exit 6 naming exactly that one difference, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from sqlalchemy.engine import Connection

from quantum.schema_engine import ensure_schema
from quantum.schema_engine.errors import SchemaDrift
from tests.db.schema_runs import OPTIONS, change_by_hand, error_kinds, on_connection, rebuild_sqlite_table, upgrade_to
from tests.db.test_long_history import HEAD, SCRIPT_DIR, TARGET, seed
from tests.schemas.helpdesk.models import metadata


def _drop_primary_key(ops: Operations, connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        ops.drop_constraint("pk_ticket_comments", "ticket_comments", type_="primary")
        return
    rebuild_sqlite_table(
        connection, "ticket_comments", lambda sql: re.sub(r",\s*CONSTRAINT pk_ticket_comments PRIMARY KEY \(id\)", "", sql)
    )


def _alter(table: str, column: str, existing_type: sa.types.TypeEngine, **changes: object):
    def change(ops: Operations, connection: Connection) -> None:
        with ops.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=existing_type, existing_nullable=False, **changes)

    return change


def _index_not_unique(ops: Operations, connection: Connection) -> None:
    ops.drop_index("ix_customers_email", table_name="customers")
    ops.create_index("ix_customers_email", "customers", ["email"], unique=False)


def _on_delete(action: str):
    def change(ops: Operations, connection: Connection) -> None:
        with ops.batch_alter_table("tickets") as batch:
            batch.drop_constraint("fk_tickets_customer_id_customers", type_="foreignkey")
            batch.create_foreign_key("fk_tickets_customer_id_customers", "customers", ["customer_id"], ["id"],
                                     ondelete=action)

    return change


def _unique_widened(ops: Operations, connection: Connection) -> None:
    with ops.batch_alter_table("agents") as batch:
        batch.drop_constraint("uq_agents_email", type_="unique")
        batch.create_unique_constraint("uq_agents_email", ["email", "full_name"])


@dataclass(frozen=True)
class Case:
    """A hand-made change and the one error it must produce."""

    name: str
    table: str
    kind: str
    words: tuple[str, ...]
    change: Callable[[Operations, Connection], None]


CASES = [
    Case("dropped_primary_key", "ticket_comments", "missing_primary_key", ("primary key of ticket_comments (id)",),
         _drop_primary_key),
    Case("dropped_server_default", "tickets", "missing_server_default", ("tickets.reopen_count", "NOT NULL"),
         _alter("tickets", "reopen_count", sa.Integer(), server_default=None)),
    Case("changed_server_default", "tickets", "server_default_changed", ("tickets.priority", "5", "2"),
         _alter("tickets", "priority", sa.Integer(), server_default=sa.text("5"))),
    Case("index_made_not_unique", "customers", "index_changed",
         ("ix_customers_email", "not unique in the database, unique in the models"), _index_not_unique),
    Case("on_delete_changed", "tickets", "foreign_key_changed",
         ("tickets(customer_id) -> customers.id", "ON DELETE RESTRICT in the database, CASCADE in the models"),
         _on_delete("RESTRICT")),
    Case("unique_constraint_widened", "agents", "unique_changed",
         ("uq_agents_email", "(email, full_name) in the database, (email) in the models"), _unique_widened),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_changed_object_is_one_named_error(case: Case, backend: str, empty_db_url: str) -> None:
    """Exit 6 with exactly one error item, of the case's kind, naming the object; --check agrees."""
    upgrade_to(empty_db_url, SCRIPT_DIR, metadata, HEAD)
    on_connection(empty_db_url, lambda c: seed(c, HEAD), write=True)
    assert ensure_schema(empty_db_url, TARGET, OPTIONS).action == "noop"
    change_by_hand(empty_db_url, case.change)

    with pytest.raises(SchemaDrift) as caught:
        ensure_schema(empty_db_url, TARGET, OPTIONS)
    assert caught.value.exit_code == 6
    errors = [d for d in caught.value.report["drift"] if d["severity"] == "error"]
    assert error_kinds(caught.value) == {(case.table, case.kind)} and len(errors) == 1, caught.value.message
    for words in case.words:
        assert words in caught.value.message, f"{words!r} not in: {caught.value.message}"


def test_a_dropped_server_default_on_a_nullable_column_is_a_warning(backend: str, empty_db_url: str) -> None:
    """Inserts still work (they store NULL): named as a warning, startup goes on."""
    upgrade_to(empty_db_url, SCRIPT_DIR, metadata, HEAD)
    change_by_hand(empty_db_url, _alter("agents", "active", sa.Boolean(), server_default=None, nullable=True))
    models = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(models)
    models.tables["agents"].c.active.nullable = True  # these models agree it takes NULL; only the default is gone
    result = ensure_schema(empty_db_url, dataclasses.replace(TARGET, metadata=models), OPTIONS)
    assert (result.action, result.exit_code) == ("noop", 0)
    assert [(d.table, d.kind, d.severity) for d in result.drift] == [("agents", "missing_server_default", "warning")]


@pytest.mark.parametrize(
    ("dialect", "live", "model"),
    [
        ("postgresql", "'user'::userrole", "'user'"),
        ("postgresql", "'0'::numeric", "0"),
        ("postgresql", "'0.00'::numeric(10,2)", "'0'"),
        ("postgresql", "now()", "CURRENT_TIMESTAMP"),
        ("postgresql", "'it''s'::character varying", "'it''s'"),
        ("postgresql", "'2024-01-01 00:00:00'::timestamp without time zone", "'2024-01-01 00:00:00'"),
        ("postgresql", "false", "false"),
        ("sqlite", "(0)", "'0'"),
        ("sqlite", "'open'", "'open'"),
        ("sqlite", "CURRENT_TIMESTAMP", "(CURRENT_TIMESTAMP)"),
        ("sqlite", "1", "TRUE"),
    ],
)
def test_server_defaults_normalize_to_what_the_backend_stores(dialect: str, live: str, model: str) -> None:
    """Casts, parentheses, quoting of numbers and spellings of "now" are not differences."""
    from sqlalchemy.dialects import postgresql, sqlite

    from quantum.schema_engine.ddl import backend_for

    rules = backend_for({"postgresql": postgresql, "sqlite": sqlite}[dialect].dialect())
    assert rules.normalize_default(live) == rules.normalize_default(model)
    assert rules.normalize_default(live) != rules.normalize_default("'something else'")
