"""A long, realistic history (tests/schemas/helpdesk, ten revisions) through `ensure_schema`, on both backends.

From every revision, with the rows that release's application would have written, the engine must
bring the database to head with every row kept and every data migration applied: renames through
batch mode, customers filled from tickets, a PostgreSQL enum label added in an autocommit block and
used by the next revision, widened types, an index made unique, a column dropped (destructive by
design: `allow_destructive`), server defaults filling new NOT NULL columns, an ON DELETE changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from quantum.schema_engine import SchemaTarget, ensure_schema
from quantum.schema_engine.connect import install_sqlite_pragmas
from quantum.schema_engine.errors import DestructiveMigration
from tests.db.schema_runs import OPTIONS, error_kinds, on_connection, upgrade_to
from tests.schemas.helpdesk.models import metadata

SCRIPT_DIR = Path(__file__).resolve().parent.parent / "schemas" / "helpdesk" / "migrations"
REVISIONS = [f"{n:04d}" for n in range(1, 11)]
HEAD = REVISIONS[-1]
TARGET = SchemaTarget(metadata=metadata, script_location=str(SCRIPT_DIR), namespace="helpdesk")
DESTRUCTIVE_OK = dataclasses.replace(OPTIONS, allow_destructive=True)


def _insert(connection: Connection, table: str, row: dict) -> int:
    statement = sa.table(table, sa.column("id"), *(sa.column(name) for name in row)).insert().values(row)
    return connection.execute(statement.returning(sa.column("id"))).scalar_one()


def seed(connection: Connection, revision: str) -> None:
    """The rows the release at `revision` would have written, in that release's columns."""
    at = int(revision)
    agents = {
        email: _insert(connection, "agents", {"email": email, ("name" if at < 3 else "full_name"): name})
        for email, name in [("ana@desk.example", "Ana"), ("bo@desk.example", "Bo")]
    }
    customers = {}
    if at >= 2:  # the application writes customers itself from 0002 on, capitals and all until 0007
        for email in ["carla@example.com", "Dev@Example.com" if at < 7 else "dev@example.com"]:
            customers[email.lower()] = _insert(connection, "customers", {"email": email})
    tickets = [
        ("Printer on fire", "Smoke from tray 2", "pending", 1, "Carla@Example.com", None),
        ("VPN drops", "Every hour", "open", 2, "dev@example.com", "ana@desk.example"),
        ("Refund", "Charged twice", "pending", 3, "carla@example.com", "bo@desk.example"),
        ("Password", "Reset please", "closed", 2, "dev@example.com", "ana@desk.example"),
    ]
    for subject, text, status, priority, requester, agent in tickets:
        row = {"subject": subject, ("body" if at < 3 else "description"): text, "status": status,
               "priority": priority, "agent_id": agents.get(agent)}
        if at < 8:
            row["requester_email"] = requester
        if at >= 2:
            row["customer_id"] = customers[requester.lower()]
        ticket_id = _insert(connection, "tickets", row)
        if at >= 9 and subject == "VPN drops":
            _insert(connection, "ticket_comments", {"ticket_id": ticket_id, "author_id": agents[agent], "body": "ok"})


def expected_tickets(start: str) -> dict[str, tuple]:
    """subject -> (description, status, customer email, agent email, closed_at set) at head, by start revision."""
    at = int(start)
    return {
        "Printer on fire": ("Smoke from tray 2", "on_hold" if at < 6 else "pending", "carla@example.com", None, False),
        "VPN drops": ("Every hour", "open", "dev@example.com", "ana@desk.example", False),
        "Refund": ("Charged twice", "pending", "carla@example.com", "bo@desk.example", False),
        "Password": ("Reset please", "closed", "dev@example.com", "ana@desk.example", at < 10),
    }


def read_head(connection: Connection) -> dict:
    """The rows at head, as plain data."""
    tickets = connection.execute(sa.text(
        "SELECT t.subject, t.description, t.status, c.email, a.email, t.closed_at IS NOT NULL, t.reopen_count "
        "FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id LEFT JOIN agents a ON a.id = t.agent_id"
    )).all()
    return {
        "tickets": {row[0]: tuple(row[1:6]) for row in tickets},
        "reopen_counts": {row[6] for row in tickets},
        "agents": connection.execute(sa.text("SELECT full_name, active, rating FROM agents ORDER BY full_name")).all(),
        "customers": set(connection.execute(sa.text("SELECT email FROM customers")).scalars()),
        "comments": connection.execute(sa.text("SELECT count(*) FROM ticket_comments")).scalar(),
    }


@pytest.fixture
def app_engine(empty_db_url: str) -> Iterator[sa.Engine]:
    """An engine as an application configures it (SQLite: foreign keys enforced)."""
    engine = sa.create_engine(empty_db_url, poolclass=NullPool)
    install_sqlite_pragmas(engine)
    yield engine
    engine.dispose()


def assert_head_works(app_engine: sa.Engine) -> None:
    """At head: defaults fill a raw insert, the widened subject and the new label fit, ON DELETE CASCADE holds."""
    with app_engine.begin() as connection:
        customer = connection.execute(sa.text("SELECT id FROM customers WHERE email = 'carla@example.com'")).scalar()
        connection.execute(
            sa.text("INSERT INTO tickets (subject, description, customer_id) VALUES (:s, 'long', :c)"),
            {"s": "x" * 255, "c": customer},
        )
        row = connection.execute(sa.text(
            "SELECT status, priority, reopen_count, created_at IS NOT NULL FROM tickets WHERE description = 'long'"
        )).one()
        assert tuple(row) == ("open", 2, 0, True)
        connection.execute(sa.text("UPDATE tickets SET status = 'on_hold' WHERE description = 'long'"))
        with pytest.raises(sa.exc.IntegrityError):
            with connection.begin_nested():
                connection.execute(sa.text("INSERT INTO customers (email) VALUES ('carla@example.com')"))
        connection.execute(sa.text("DELETE FROM customers WHERE id = :c"), {"c": customer})
        left = connection.execute(sa.text("SELECT count(*) FROM tickets WHERE customer_id = :c"), {"c": customer})
        assert left.scalar() == 0, "ON DELETE CASCADE (0010) did not delete the customer's tickets"


@pytest.mark.parametrize("start", REVISIONS[:-1])
def test_every_revision_reaches_head_with_its_rows_migrated(
    start: str, backend: str, empty_db_url: str, app_engine: sa.Engine
) -> None:
    """Upgrade from `start` (rows present) to head: every data migration applied, nothing lost, then noop."""
    upgrade_to(empty_db_url, SCRIPT_DIR, metadata, start)
    on_connection(empty_db_url, lambda c: seed(c, start), write=True)

    result = ensure_schema(empty_db_url, TARGET, DESTRUCTIVE_OK)
    assert (result.action, result.exit_code, result.revision_after) == ("upgraded", 0, HEAD), result.message
    assert result.applied == REVISIONS[REVISIONS.index(start) + 1 :]
    assert not error_kinds(result), result.drift

    data = on_connection(empty_db_url, read_head)
    assert data["tickets"] == expected_tickets(start)
    assert data["reopen_counts"] == {0}
    assert [tuple(agent) for agent in data["agents"]] == [("Ana", True, None), ("Bo", True, None)]
    assert data["customers"] == {"carla@example.com", "dev@example.com"}
    assert data["comments"] == (1 if int(start) >= 9 else 0)

    again = ensure_schema(empty_db_url, TARGET, OPTIONS)
    assert (again.action, again.exit_code, again.drift) == ("noop", 0, []), again.drift
    assert_head_works(app_engine)


@pytest.mark.parametrize("path", ["created", "adopted"])
def test_an_empty_or_create_all_database_reaches_head(
    path: str, backend: str, empty_db_url: str, app_engine: sa.Engine
) -> None:
    """From nothing (every revision runs) or from `create_all` (adopted): exit 0, then a clean noop."""
    if path == "adopted":
        on_connection(empty_db_url, metadata.create_all, write=True)
    result = ensure_schema(empty_db_url, TARGET, OPTIONS)
    assert (result.action, result.exit_code, result.revision_after) == (path, 0, HEAD), result.message
    assert not error_kinds(result), result.drift
    again = ensure_schema(empty_db_url, TARGET, OPTIONS)
    assert (again.action, again.exit_code, again.drift) == ("noop", 0, []), again.drift
    with app_engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO customers (email) VALUES ('carla@example.com')"))
    assert_head_works(app_engine)


def test_crossing_the_column_drop_needs_allow_destructive(backend: str, empty_db_url: str) -> None:
    """From 0007 with rows, 0008 drops tickets.requester_email: exit 8 naming 0008, nothing changed."""
    upgrade_to(empty_db_url, SCRIPT_DIR, metadata, "0007")
    on_connection(empty_db_url, lambda c: seed(c, "0007"), write=True)
    with pytest.raises(DestructiveMigration) as caught:
        ensure_schema(empty_db_url, TARGET, OPTIONS)
    assert caught.value.exit_code == 8 and "0008" in caught.value.message, caught.value.message

    def still_at_0007(connection: Connection) -> tuple:
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        emails = connection.execute(sa.text("SELECT count(requester_email) FROM tickets")).scalar()
        return version, emails

    assert on_connection(empty_db_url, still_at_0007) == ("0007", 4)


def test_the_history_itself_runs_under_plain_alembic(backend: str, empty_db_url: str, app_engine: sa.Engine) -> None:
    """`alembic upgrade head` from 0001 with rows (Alembic's own transactions): the engine then finds head valid.

    Separates the history's correctness from the engine's handling of it (one transaction, segments).
    """
    upgrade_to(empty_db_url, SCRIPT_DIR, metadata, "0001")
    on_connection(empty_db_url, lambda c: seed(c, "0001"), write=True)
    upgrade_to(empty_db_url, SCRIPT_DIR, metadata, HEAD)
    assert on_connection(empty_db_url, read_head)["tickets"] == expected_tickets("0001")
    result = ensure_schema(empty_db_url, TARGET, OPTIONS)
    assert (result.action, result.exit_code, result.drift) == ("noop", 0, []), result.drift
    assert_head_works(app_engine)
