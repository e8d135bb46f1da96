"""Issue 13, items 1 and 2: enums compared by the CHECK SQLite (or PostgreSQL) really holds, types by affinity.

The `wardrobe` schema stores enums every way SQLAlchemy 2 allows (a native type or a plain string by
default, a CHECK on request, `native_enum=False` with and without a CHECK, a SQLModel enum field) and
is checked under three constraint-naming conventions: SQLAlchemy's default, this project's and
PostgreSQL's own style. Its 0002 creates `weight_kg` as `Double`, which the SQLModel model declares as
`float` (`Float`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from sqlalchemy.engine import Connection

from quantum.schema_engine import SchemaTarget, ensure_schema
from quantum.schema_engine.errors import SchemaDrift
from tests.db.schema_runs import (
    OPTIONS,
    add_table_constraint,
    change_by_hand,
    error_kinds,
    on_connection,
    rebuild_sqlite_table,
    upgrade_to,
)
from tests.schemas.wardrobe.models import CONVENTIONS, make_metadata

SCRIPT_DIR = Path(__file__).resolve().parent.parent / "schemas" / "wardrobe" / "migrations"
PATHS = ["created", "upgraded", "adopted"]


@pytest.fixture(params=list(CONVENTIONS))
def convention(request: pytest.FixtureRequest) -> str:
    """Each test runs under each naming convention."""
    return request.param


def target(convention: str) -> SchemaTarget:
    """The engine's target: the wardrobe tables named by `convention`."""
    return SchemaTarget(metadata=make_metadata(convention), script_location=str(SCRIPT_DIR), namespace="wardrobe")


def build(url: str, convention: str, path: str) -> SchemaTarget:
    """Bring an empty database to head along `path`; every path must succeed with no error drift."""
    wanted = target(convention)
    if path == "upgraded":
        upgrade_to(url, SCRIPT_DIR, wanted.metadata, "0001")  # the previous release, with a row
    elif path == "adopted":
        on_connection(url, wanted.metadata.create_all, write=True)  # plain create_all, no history
    result = ensure_schema(url, wanted, OPTIONS)
    assert (result.action, result.exit_code, result.revision_after) == (path, 0, "0002"), result.message
    assert not error_kinds(result), result.drift
    return wanted


@pytest.mark.parametrize("path", PATHS)
def test_every_enum_storage_validates_after_create_upgrade_and_adoption(
    convention: str, path: str, backend: str, empty_db_url: str
) -> None:
    """Created, upgraded and adopted (a create_all database) are exit 0, and the next run is a clean noop."""
    wanted = build(empty_db_url, convention, path)
    again = ensure_schema(empty_db_url, wanted, OPTIONS)
    assert (again.action, again.exit_code) == ("noop", 0), again.message
    assert not again.drift, again.drift


def _checks(connection: Connection, table: str, column: str) -> list[dict]:
    return [c for c in sa.inspect(connection).get_check_constraints(table) if re.search(rf"\b{column}\b", c["sqltext"])]


def _narrow_check(table: str, column: str, label: str):
    """A change that rebuilds the CHECK on `column` without `label` (same name, or none, as it was)."""

    def change(ops: Operations, connection: Connection) -> None:
        (check,) = _checks(connection, table, column)
        if connection.dialect.name == "sqlite":
            rebuild_sqlite_table(connection, table, lambda sql: sql.replace(f", '{label}'", "").replace(f"'{label}', ", ""))
            return
        labels = [v for v in re.findall(r"'([^']*)'::", check["sqltext"]) if v != label]
        ops.drop_constraint(check["name"], table, type_="check")
        ops.create_check_constraint(check["name"], table, sa.column(column).in_(labels))

    return change


def _assert_a_narrowed_check_is_drift(db_url: str, convention: str, column: str, label: str) -> None:
    wanted = build(db_url, convention, "created")
    change_by_hand(db_url, _narrow_check("garments", column, label))
    with pytest.raises(SchemaDrift) as caught:
        ensure_schema(db_url, wanted, OPTIONS)
    assert error_kinds(caught.value) == {("garments", "enum_mismatch")}, caught.value.message
    assert f"garments.{column}" in caught.value.message and repr(label) in caught.value.message


def test_a_check_that_lacks_a_label_is_drift(convention: str, empty_db_url: str) -> None:
    """A CHECK, named or not, that refuses one of the models' labels is exit 6, naming the column and label."""
    _assert_a_narrowed_check_is_drift(empty_db_url, convention, "grade", "second")


# On PostgreSQL `size` is a native enum type, whose labels are compared in pg_enum, not a CHECK.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_create_constraint_check_that_lacks_a_label_is_drift(convention: str, empty_db_url: str) -> None:
    """On SQLite, an Enum(create_constraint=True) CHECK that refuses a label is exit 6 as well."""
    _assert_a_narrowed_check_is_drift(empty_db_url, convention, "size", "L")


def test_a_dropped_enum_check_is_drift_where_the_models_ask_for_one(
    convention: str, backend: str, empty_db_url: str
) -> None:
    """`grade` asks for a CHECK on every backend: dropping it is exit 6 (missing_enum)."""
    wanted = build(empty_db_url, convention, "created")

    def drop(ops: Operations, connection: Connection) -> None:
        (check,) = _checks(connection, "garments", "grade")
        if connection.dialect.name == "sqlite":
            rebuild_sqlite_table(connection, "garments", lambda sql: re.sub(
                r",\s*(CONSTRAINT \S+ )?CHECK \(grade IN \([^)]*\)\)", "", sql))
        else:
            ops.drop_constraint(check["name"], "garments", type_="check")

    change_by_hand(empty_db_url, drop)
    with pytest.raises(SchemaDrift) as caught:
        ensure_schema(empty_db_url, wanted, OPTIONS)
    assert error_kinds(caught.value) == {("garments", "missing_enum")}, caught.value.message
    assert "garments.grade" in caught.value.message


def test_a_check_the_models_do_not_ask_for_is_drift_only_when_it_refuses_a_label(
    backend: str, empty_db_url: str
) -> None:
    """`finish` has no CHECK in the models: one allowing every label is fine, one refusing a label is not."""
    wanted = build(empty_db_url, "default", "created")

    def add_check(labels: list[str], name: str):
        def change(ops: Operations, connection: Connection) -> None:
            if connection.dialect.name == "postgresql":
                ops.create_check_constraint(name, "garments", sa.column("finish").in_(labels))
                return
            check = f"CONSTRAINT {name} CHECK (finish IN ({', '.join(map(repr, labels))}))"
            rebuild_sqlite_table(connection, "garments", lambda sql: add_table_constraint(sql, check))
        return change

    change_by_hand(empty_db_url, add_check(["matte", "gloss", "satin"], "finish_wide"))
    assert ensure_schema(empty_db_url, wanted, OPTIONS).action == "noop"
    change_by_hand(empty_db_url, add_check(["matte"], "finish_narrow"))
    with pytest.raises(SchemaDrift) as caught:
        ensure_schema(empty_db_url, wanted, OPTIONS)
    assert error_kinds(caught.value) == {("garments", "enum_mismatch")}
    assert "'gloss'" in caught.value.message


# --- item 2: types by what the backend stores ------------------------------------------------------------


@pytest.mark.parametrize(
    ("new_type", "drift_on"),
    [(sa.REAL(), {"postgresql"}), (sa.Float(), set()), (sa.Integer(), {"sqlite", "postgresql"})],
    ids=["real", "float", "integer"],
)
def test_types_compare_by_affinity_on_sqlite_and_exactly_on_postgresql(
    new_type: sa.types.TypeEngine, drift_on: set[str], backend: str, empty_db_url: str
) -> None:
    """weight_kg (Double in the migration, Float in the models) retyped by hand.

    REAL: SQLite stores the same (affinity REAL), PostgreSQL does not (float4, not float8).
    FLOAT: the same everywhere. INTEGER: a different affinity, and a different type.
    """
    wanted = build(empty_db_url, "default", "created")

    def retype(ops: Operations, connection: Connection) -> None:
        with ops.batch_alter_table("shipments") as batch:
            batch.alter_column("weight_kg", type_=new_type, existing_type=sa.Double(), existing_nullable=False)

    change_by_hand(empty_db_url, retype)
    if backend not in drift_on:
        result = ensure_schema(empty_db_url, wanted, OPTIONS)
        assert (result.action, result.exit_code, result.drift) == ("noop", 0, []), result.drift
        return
    with pytest.raises(SchemaDrift) as caught:
        ensure_schema(empty_db_url, wanted, OPTIONS)
    assert error_kinds(caught.value) == {("shipments", "type_mismatch")}
    assert "shipments.weight_kg" in caught.value.message


@pytest.mark.parametrize(
    ("sqltext", "labels"),
    [
        ("size IN ('S', 'M')", {"S", "M"}),  # SQLite, as written
        ('"size" IN (\'S\')', {"S"}),
        ("(size)::text = ANY ((ARRAY['S'::character varying, 'it''s'::character varying])::text[])", {"S", "it's"}),
        ("size IS NULL OR size IN ('S', 'M')", {"S", "M"}),
        ("(size)::text = 'S'::text", {"S"}),  # PostgreSQL's form of a one-label IN list
        ("size = 'S' OR name IS NULL", None),
        ("size <> 'XL' OR name IS NOT NULL", None),  # a business rule mentioning the column: not an enum CHECK
        ("subsize IN ('S')", None),
        ("name IN ('size IN (', 'S')", None),
    ],
)
def test_enum_check_labels_are_read_from_the_in_list_of_the_column(sqltext: str, labels: set[str] | None) -> None:
    """Only `<column> IN (...)` / `= ANY (ARRAY[...])` is an enum CHECK, whatever else the text mentions."""
    from quantum.schema_engine.ddl.base import check_labels

    assert check_labels(sqltext, "size") == labels
