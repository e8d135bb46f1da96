"""Drift rules, one kind at a time: the exact severity of every kind of difference, and errors listed first.

Each case builds the live database with real DDL (`create_all` of a variant of a small shop schema, or
statements by hand) on SQLite and PostgreSQL, then compares it with the shop's models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from quantum.schema_engine.drift import DriftItem, compare_schema
from tests.db.helpers import execute

PG_ONLY = [pytest.param("postgresql", marks=pytest.mark.postgres)]


def shop(
    *,
    name_type: sa.types.TypeEngine | None = None,
    name_nullable: bool = True,
    email_index: str | None = "unique",
    note_index: bool = False,
    fk_ondelete: str | None = "CASCADE",
    unique_columns: tuple[str, ...] | None = ("customer_id", "note"),
    primary_key: tuple[str, ...] | None = ("id",),
    qty_default: str | None = "1",
    note_default: str | None = "'none'",
    labels: tuple[str, ...] = ("open", "paid"),
    status_check: bool = True,
    extra_tables: tuple[str, ...] = (),
    drop_tables: tuple[str, ...] = (),
    extra_columns: tuple[sa.Column, ...] = (),
) -> sa.MetaData:
    """The shop schema (customers, orders), or a variant of it: each argument changes one thing."""
    metadata = sa.MetaData()
    customers = sa.Table(
        "customers", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(80), nullable=False),
        sa.Column("name", name_type if name_type is not None else sa.String(40), nullable=name_nullable),
        *extra_columns,
    )
    if email_index is not None:
        sa.Index("ix_customers_email", customers.c.email, unique=email_index == "unique")
    if "orders" not in drop_tables:
        orders = sa.Table(
            "orders", metadata,
            sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
            sa.Column("customer_id", sa.Integer,
                      sa.ForeignKey("customers.id", ondelete=fk_ondelete, name="fk_orders_customer_id_customers"),
                      nullable=False),
            sa.Column("status", sa.Enum(*labels, name="order_status", create_constraint=status_check),
                      nullable=False),
            sa.Column("qty", sa.Integer, nullable=False,
                      server_default=sa.text(qty_default) if qty_default is not None else None),
            sa.Column("note", sa.String(40), nullable=True,
                      server_default=sa.text(note_default) if note_default is not None else None),
        )
        if primary_key is not None:
            orders.append_constraint(sa.PrimaryKeyConstraint(*primary_key, name="pk_orders"))
        if unique_columns is not None:
            orders.append_constraint(sa.UniqueConstraint(*unique_columns, name="uq_orders_customer_note"))
        if note_index:
            sa.Index("ix_orders_note", orders.c.note)
    for name in extra_tables:
        sa.Table(name, metadata, sa.Column("id", sa.Integer, primary_key=True))
    return metadata


def build(url: str, metadata: sa.MetaData, *statements: str) -> None:
    """Create `metadata`'s tables on `url`, then run `statements` (the live database)."""
    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
    if statements:
        execute(url, *statements)


def drift(url: str, models: sa.MetaData) -> list[DriftItem]:
    """compare_schema of the database at `url` against `models`."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return compare_schema(connection, models)
    finally:
        engine.dispose()


def summary(items: list[DriftItem]) -> list[tuple[str | None, str, str]]:
    """(table, kind, severity) of each item, in report order."""
    return [(item.table, item.kind, item.severity) for item in items]


def test_the_shop_built_from_its_own_models_has_no_drift(empty_db_url, backend):
    build(empty_db_url, shop())
    assert drift(empty_db_url, shop()) == []


# --- the extra-column rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nullable", "default", "severity"),
    [(False, None, "error"), (False, "x", "warning"), (True, None, "warning"), (True, "x", "warning")],
    ids=["not_null_without_default", "not_null_with_default", "nullable", "nullable_with_default"],
)
def test_an_extra_column_is_an_error_only_when_not_null_without_a_default(empty_db_url, backend, nullable, default,
                                                                          severity):
    column = sa.Column("code", sa.String(10), nullable=nullable, server_default=default)
    build(empty_db_url, shop(extra_columns=(column,)))
    [item] = drift(empty_db_url, shop())
    assert (item.table, item.kind, item.severity) == ("customers", "extra_column", severity)
    suffix = " and is NOT NULL without a default"
    assert item.detail == "column customers.code is not in the models" + (suffix if severity == "error" else "")


# --- every kind, with its severity ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A live database that differs from the shop's models in one way, and the items that names."""

    name: str
    live: Callable[[], sa.MetaData]
    expected: list[tuple[str | None, str, str]]
    words: str
    models: Callable[[], sa.MetaData] = shop


CASES = [
    Case("missing_table", lambda: shop(drop_tables=("orders",)), [("orders", "missing_table", "error")],
         "table orders is missing"),
    Case("extra_table", lambda: shop(extra_tables=("ledger",)), [("ledger", "extra_table", "warning")],
         "table ledger is not in the models"),
    Case("missing_column", shop, [("customers", "missing_column", "error")], "column customers.phone (VARCHAR(20)) is missing",
         models=lambda: shop(extra_columns=(sa.Column("phone", sa.String(20)),))),
    Case("type_changed", lambda: shop(name_type=sa.Integer()), [("customers", "type_mismatch", "error")],
         "column customers.name is INTEGER in the database, VARCHAR(40) in the models"),
    Case("nullable_changed", shop, [("customers", "nullability_mismatch", "error")],
         "column customers.name is NULL in the database, NOT NULL in the models",
         models=lambda: shop(name_nullable=False)),
    Case("missing_index", lambda: shop(note_index=False), [("orders", "missing_index", "error")],
         "index ix_orders_note on orders(note) is missing", models=lambda: shop(note_index=True)),
    Case("extra_index", lambda: shop(note_index=True), [("orders", "extra_index", "warning")],
         "index ix_orders_note on orders(note) is not in the models"),
    Case("index_changed", lambda: shop(email_index="plain"), [("customers", "index_changed", "error")],
         "index ix_customers_email on customers is not unique in the database, unique in the models"),
    Case("missing_unique", lambda: shop(unique_columns=None), [("orders", "missing_unique", "error")],
         "unique constraint uq_orders_customer_note on orders(customer_id, note) is missing"),
    Case("extra_unique", shop, [("orders", "extra_unique", "warning")],
         "unique constraint uq_orders_customer_note on orders(customer_id, note) is not in the models",
         models=lambda: shop(unique_columns=None)),
    Case("unique_changed", lambda: shop(unique_columns=("customer_id",)), [("orders", "unique_changed", "error")],
         "covers (customer_id) in the database, (customer_id, note) in the models"),
    Case("foreign_key_changed", lambda: shop(fk_ondelete="RESTRICT"), [("orders", "foreign_key_changed", "error")],
         "foreign key orders(customer_id) -> customers.id is ON DELETE RESTRICT in the database, CASCADE in the models"),
    Case("missing_primary_key", lambda: shop(primary_key=None), [("orders", "missing_primary_key", "error")],
         "primary key of orders (id) is missing"),
    Case("primary_key_changed", lambda: shop(primary_key=("id", "customer_id")),
         [("orders", "primary_key_changed", "error")],
         "primary key of orders is (id, customer_id) in the database, (id) in the models"),
    Case("missing_server_default_not_null", lambda: shop(qty_default=None),
         [("orders", "missing_server_default", "error")],
         "server default 1 of orders.qty is missing and the column is NOT NULL"),
    Case("missing_server_default_nullable", lambda: shop(note_default=None),
         [("orders", "missing_server_default", "warning")],
         "server default 'none' of orders.note is missing (the column takes NULL)"),
    Case("server_default_changed", lambda: shop(qty_default="2"), [("orders", "server_default_changed", "error")],
         "server default of orders.qty is"),
    Case("enum_labels_changed", lambda: shop(labels=("open", "paid", "void")), [("orders", "enum_mismatch", "error")],
         "void"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_kind_of_difference_has_its_severity(empty_db_url, backend, case):
    build(empty_db_url, case.live())
    items = drift(empty_db_url, case.models())
    assert summary(items) == case.expected, [item.detail for item in items]
    assert case.words in items[0].detail


def test_a_missing_foreign_key_is_an_error_and_an_extra_one_a_warning(empty_db_url, backend):
    """Foreign keys can only be dropped by rebuilding on SQLite: build two databases' worth in one."""
    live = shop()
    live.tables["orders"].append_column(sa.Column("referrer_id", sa.Integer, nullable=True))
    live.tables["orders"].append_constraint(
        sa.ForeignKeyConstraint(["referrer_id"], ["customers.id"], name="fk_orders_referrer_id_customers")
    )
    models = shop()
    models.tables["orders"].append_column(sa.Column("referrer_id", sa.Integer, nullable=True))
    models.tables["customers"].append_column(sa.Column("sponsor_id", sa.Integer, nullable=True))
    models.tables["customers"].append_constraint(
        sa.ForeignKeyConstraint(["sponsor_id"], ["customers.id"], name="fk_customers_sponsor_id_customers")
    )
    live.tables["customers"].append_column(sa.Column("sponsor_id", sa.Integer, nullable=True))
    build(empty_db_url, live)
    items = drift(empty_db_url, models)
    assert summary(items) == [("customers", "missing_foreign_key", "error"), ("orders", "extra_foreign_key", "warning")]
    assert items[0].detail == "foreign key customers(sponsor_id) -> customers.id is missing"
    assert items[1].detail == "foreign key orders(referrer_id) -> customers.id is not in the models"


def test_a_missing_enum_check_on_sqlite_is_an_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    build(url, shop(status_check=False))
    items = drift(url, shop())
    assert summary(items) == [("orders", "missing_enum", "error")]
    assert items[0].detail == "CHECK constraint for enum order_status on orders.status is missing"


@pytest.mark.parametrize("backend", PG_ONLY, indirect=True)
def test_a_missing_native_enum_type_is_an_error(empty_db_url, backend):
    build(empty_db_url, shop(), "ALTER TABLE orders ALTER COLUMN status TYPE varchar(10)", "DROP TYPE order_status")
    items = drift(empty_db_url, shop())
    assert ("orders", "missing_enum", "error") in summary(items)
    assert "enum type order_status is missing" in [item.detail for item in items]
    assert {item.severity for item in items} == {"error"}


# --- the order of the report ---------------------------------------------------------------------------


def test_errors_come_before_warnings_then_by_table_kind_and_detail(empty_db_url, backend):
    live = shop(extra_tables=("a_ledger",), note_index=True,
                extra_columns=(sa.Column("code", sa.String(10), nullable=True),
                               sa.Column("alias", sa.String(10), nullable=True)))
    models = shop(extra_tables=("b_audit",), name_nullable=False,
                  extra_columns=(sa.Column("code", sa.String(10), nullable=True),))
    models.tables["orders"].append_column(sa.Column("paid_at", sa.DateTime, nullable=True))
    build(empty_db_url, live)
    assert summary(drift(empty_db_url, models)) == [
        ("b_audit", "missing_table", "error"),
        ("customers", "nullability_mismatch", "error"),
        ("orders", "missing_column", "error"),
        ("a_ledger", "extra_table", "warning"),
        ("customers", "extra_column", "warning"),
        ("orders", "extra_index", "warning"),
    ]


def test_items_of_one_table_and_kind_are_ordered_by_detail(empty_db_url, backend):
    def columns(with_defaults: bool) -> tuple[sa.Column, ...]:
        # In the models' column order "second" comes first; its item's detail sorts after the other's.
        return tuple(sa.Column(name, sa.Integer, nullable=False, server_default=default if with_defaults else None)
                     for name, default in (("second", "2"), ("first", "1")))

    build(empty_db_url, shop(extra_columns=columns(False)))
    items = drift(empty_db_url, shop(extra_columns=columns(True)))
    assert [(item.kind, item.severity, item.detail.split(" of ")[1].split()[0]) for item in items] == [
        ("missing_server_default", "error", "customers.first"), ("missing_server_default", "error", "customers.second")
    ]


def test_ignored_tables_are_not_compared(empty_db_url, backend):
    build(empty_db_url, shop(extra_tables=("ledger",)))
    engine = sa.create_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            assert summary(compare_schema(connection, shop())) == [("ledger", "extra_table", "warning")]
            assert compare_schema(connection, shop(), ignore_tables={"ledger"}) == []
    finally:
        engine.dispose()


def test_a_drift_item_reports_itself_as_json():
    item = DriftItem("orders", "missing_column", "column orders.x (INTEGER) is missing")
    assert item.severity == "error"
    assert item.to_dict() == {"table": "orders", "kind": "missing_column",
                              "detail": "column orders.x (INTEGER) is missing", "severity": "error"}
