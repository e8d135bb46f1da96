"""The destructive gate's rules, one statement class at a time, at the boundary between empty and one row.

tests/db/test_gate.py covers DELETE of two rows, TRUNCATE of two rows, batch-mode rebuilds on SQLite,
ALTER TYPE ... ADD VALUE and a DROP COLUMN hidden in a multi-action ALTER TABLE; this module covers the
other classes and each rule's edges, end to end through `ensure_schema` (revisions inline, real databases),
plus the type-change rules the gate judges by.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from quantum.schema_engine.ddl.sqlite import sqlite_affinity
from quantum.schema_engine.errors import DestructiveMigration, MigrationFailed
from quantum.schema_engine.gate import unquote
from tests.db.helpers import execute, scalar
from tests.db.test_gate import ACCOUNT, MOOD, account_models, at_gate1, run, write_scripts

PG_ONLY = [pytest.param("postgresql", marks=pytest.mark.postgres)]


def upgrade(*statements: str) -> str:
    """A revision body that executes these SQL statements in order."""
    return "def upgrade():\n" + "".join(f"    op.execute({statement!r})\n" for statement in statements)


@dataclass(frozen=True)
class Case:
    """One revision (SQL) run against account with `rows` rows: refused naming `finding`, or None for passes."""

    name: str
    statements: tuple[str, ...]
    rows: int
    finding: str | None
    nickname: bool = True
    email_type: sa.types.TypeEngine = field(default_factory=lambda: sa.String(80))
    nickname_nullable: bool = True
    extra: tuple[tuple[str, sa.types.TypeEngine, bool, str | None], ...] = ()
    fails_anyway: bool = False  # the database itself refuses the statement on these rows


    def models(self) -> sa.MetaData:
        """The head schema this case's revision leads to."""
        metadata = account_models(nickname=self.nickname, extra=[
            sa.Column(name, kind, nullable=nullable, server_default=default)
            for name, kind, nullable, default in self.extra
        ])
        account = metadata.tables["account"]
        account.c.email.type = self.email_type
        if self.nickname:
            account.c.nickname.nullable = self.nickname_nullable
        return metadata


LEVEL = ("level", sa.Integer(), False, None)
LEVEL_DEFAULT = ("level", sa.Integer(), False, "1")

BOTH_BACKENDS = [
    Case("delete_of_one_row", ("DELETE FROM account",), 1, "deletes 1 rows from account"),
    Case("delete_matching_no_row", ("DELETE FROM account WHERE id < 0",), 2, None),
    Case("update_of_every_row", ("UPDATE account SET nickname = 'same'",), 2, None),
    Case("drop_table_if_exists_of_no_table", ("DROP TABLE IF EXISTS ghost",), 2, None),
    Case("add_not_null_column_to_one_row", ("ALTER TABLE account ADD COLUMN level INTEGER NOT NULL",), 1,
         "adds NOT NULL column account.level without a default to a table with rows", extra=(LEVEL,),
         fails_anyway=True),
    Case("add_not_null_column_to_an_empty_table", ("ALTER TABLE account ADD COLUMN level INTEGER NOT NULL",), 0,
         None, extra=(LEVEL,)),
    Case("add_not_null_column_with_a_default", ("ALTER TABLE account ADD COLUMN level INTEGER NOT NULL DEFAULT 1",),
         2, None, extra=(LEVEL_DEFAULT,)),
    Case("add_nullable_column", ("ALTER TABLE account ADD COLUMN level INTEGER",), 2, None,
         extra=(("level", sa.Integer(), True, None),)),
]

PG_CASES = [
    Case("truncate_of_one_row", ("TRUNCATE account",), 1, "truncates account"),
    Case("truncate_of_an_empty_table", ("TRUNCATE TABLE account",), 0, None),
    Case("narrowing_type_on_one_row", ("ALTER TABLE account ALTER COLUMN email TYPE varchar(20)",), 1,
         "changes the type of account.email from character varying(80) to character varying(20)",
         email_type=sa.String(20)),
    Case("narrowing_type_on_an_empty_table", ("ALTER TABLE account ALTER COLUMN email TYPE varchar(20)",), 0, None,
         email_type=sa.String(20)),
    Case("widening_type_on_rows", ("ALTER TABLE account ALTER COLUMN email SET DATA TYPE varchar(200)",), 2, None,
         email_type=sa.String(200)),
    Case("set_not_null_on_one_row", ("ALTER TABLE account ALTER COLUMN nickname SET NOT NULL",), 1,
         "sets NOT NULL without a default on account.nickname, a table with rows", nickname_nullable=False),
    Case("set_not_null_on_a_row_holding_null",
         ("UPDATE account SET nickname = NULL", "ALTER TABLE account ALTER COLUMN nickname SET NOT NULL"), 1,
         "sets NOT NULL without a default on account.nickname, a table with rows", nickname_nullable=False,
         fails_anyway=True),
    Case("set_not_null_on_a_column_already_not_null", ("ALTER TABLE account ALTER COLUMN email SET NOT NULL",), 2,
         None),
    Case("set_not_null_on_an_empty_table", ("ALTER TABLE account ALTER COLUMN nickname SET NOT NULL",), 0, None,
         nickname_nullable=False),
    Case("set_not_null_on_a_column_with_a_default",
         ("ALTER TABLE account ALTER COLUMN nickname SET DEFAULT 'x'",
          "UPDATE account SET nickname = 'x' WHERE nickname IS NULL",
          "ALTER TABLE account ALTER COLUMN nickname SET NOT NULL",
          "ALTER TABLE account ALTER COLUMN nickname DROP DEFAULT"), 2, None, nickname_nullable=False),
    Case("drop_column_on_an_empty_table", ("ALTER TABLE account DROP COLUMN nickname",), 0,
         "drops column account.nickname", nickname=False),
    Case("drop_constraint_not_added_back", ("ALTER TABLE account ADD CONSTRAINT ck_account_email CHECK (email <> '')",
                                            "ALTER TABLE account DROP CONSTRAINT ck_account_email"), 2,
         "drops constraint ck_account_email"),
    Case("constraint_dropped_and_added_back", ("ALTER TABLE account DROP CONSTRAINT account_pkey",
                                               "ALTER TABLE account ADD CONSTRAINT account_pkey PRIMARY KEY (id)"), 2,
         None),
    Case("add_check_is_no_column", ("ALTER TABLE account ADD CHECK (email IS NOT NULL)",), 2, None),
    Case("not_null_column_with_a_comma_inside_its_type", ("ALTER TABLE account ADD COLUMN amount numeric(10, 2) NOT NULL",),
         1, "adds NOT NULL column account.amount without a default to a table with rows",
         extra=(("amount", sa.Numeric(10, 2), False, None),), fails_anyway=True),
    Case("a_default_that_reads_like_a_drop", ("ALTER TABLE account ADD COLUMN flag text DEFAULT 'x, DROP COLUMN nickname'",),
         2, None, extra=(("flag", sa.Text(), True, "x, DROP COLUMN nickname"),)),
    Case("several_actions_with_a_comma_inside_a_type",
         ("ALTER TABLE account ADD COLUMN level numeric(10, 2), ADD COLUMN flag text DEFAULT 'a,b'",), 2, None,
         extra=(("level", sa.Numeric(10, 2), True, None), ("flag", sa.Text(), True, "a,b"))),
]


def _check_case(url: str, tmp_path: Path, case: Case) -> None:
    at_gate1(url, tmp_path, rows=case.rows)
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", upgrade(*case.statements)))
    if case.finding is None:
        assert run(url, case.models(), scripts).action == "upgraded"
        return
    with pytest.raises(DestructiveMigration) as caught:
        run(url, case.models(), scripts)
    assert caught.value.exit_code == 8
    assert f"gate2: {case.finding} (`" in caught.value.message, caught.value.message
    assert caught.value.report["findings"] == [f for f in caught.value.report["findings"] if f.startswith("gate2: ")]
    assert scalar(url, "SELECT version_num FROM alembic_version") == "gate1"
    assert scalar(url, "SELECT count(*) FROM account") == case.rows  # rolled back: nothing lost
    if case.fails_anyway:
        with pytest.raises(MigrationFailed):
            run(url, case.models(), scripts, allow_destructive=True)
    else:
        assert run(url, case.models(), scripts, allow_destructive=True).action == "upgraded"


@pytest.mark.parametrize("case", BOTH_BACKENDS, ids=lambda case: case.name)
def test_each_statement_class_on_both_backends(empty_db_url, tmp_path, backend, case):
    _check_case(empty_db_url, tmp_path, case)


@pytest.mark.parametrize("backend", PG_ONLY, indirect=True)
@pytest.mark.parametrize("case", PG_CASES, ids=lambda case: case.name)
def test_each_statement_class_postgresql_runs_as_written(empty_db_url, tmp_path, backend, case):
    _check_case(empty_db_url, tmp_path, case)


def test_a_not_null_column_on_a_filled_table_is_refused_before_it_runs_not_after(empty_db_url, tmp_path, backend):
    """Exit 8 (the gate), not exit 7 (the database refusing the statement), and nothing half-done."""
    at_gate1(empty_db_url, tmp_path, rows=1)
    body = upgrade("ALTER TABLE account ADD COLUMN level INTEGER NOT NULL")
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", body))
    models = account_models(extra=[sa.Column("level", sa.Integer, nullable=False)])
    with pytest.raises(DestructiveMigration) as caught:
        run(empty_db_url, models, scripts)
    assert not isinstance(caught.value, MigrationFailed) and caught.value.exit_code == 8
    assert caught.value.report["findings"] == [
        "gate2: adds NOT NULL column account.level without a default to a table with rows "
        "(`ALTER TABLE account ADD COLUMN level INTEGER NOT NULL`)"
    ]


def test_dropping_a_table_that_exists_is_refused_even_empty(empty_db_url, tmp_path, backend):
    """A table the revision did not create is destroyed by DROP TABLE, rows or not; one it created is not."""
    at_gate1(empty_db_url, tmp_path, rows=0)
    body = upgrade("CREATE TABLE scratch (id INTEGER)", "DROP TABLE scratch", "DROP TABLE account")
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", body))
    with pytest.raises(DestructiveMigration) as caught:
        run(empty_db_url, sa.MetaData(), scripts)
    assert caught.value.report["findings"] == ["gate2: drops table account (`DROP TABLE account`)"]
    assert run(empty_db_url, sa.MetaData(), scripts, allow_destructive=True).action == "upgraded"


# --- types (PostgreSQL) ------------------------------------------------------------------------------------


def _diary(tmp_path: Path, url: str) -> None:
    """The diary (a native enum `mood`) with one row."""
    metadata = sa.MetaData()
    sa.Table("diary", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("mood", sa.Enum("happy", "sad", name="mood"), nullable=False))
    run(url, metadata, write_scripts(tmp_path / "a", ("gate1", None, MOOD)))
    execute(url, "INSERT INTO diary (mood) VALUES ('sad')")


def _text_diary(mood: bool = True) -> sa.MetaData:
    """The diary with its mood stored as text (or without it)."""
    metadata = sa.MetaData()
    columns = [sa.Column("mood", sa.Text, nullable=False)] if mood else []
    sa.Table("diary", metadata, sa.Column("id", sa.Integer, primary_key=True), *columns)
    return metadata


@pytest.mark.parametrize("backend", PG_ONLY, indirect=True)
def test_dropping_a_type_that_stays_dropped_is_refused(empty_db_url, tmp_path, backend):
    _diary(tmp_path, empty_db_url)
    body = upgrade("ALTER TABLE diary ALTER COLUMN mood TYPE text", "DROP TYPE mood")
    scripts = write_scripts(tmp_path / "b", ("gate1", None, MOOD), ("gate2", "gate1", body))
    with pytest.raises(DestructiveMigration) as caught:
        run(empty_db_url, _text_diary(), scripts)
    assert caught.value.report["findings"] == ["gate2: drops type mood (`DROP TYPE mood`)"]
    assert run(empty_db_url, _text_diary(), scripts, allow_destructive=True).action == "upgraded"


@pytest.mark.parametrize("backend", PG_ONLY, indirect=True)
def test_dropping_a_type_with_cascade_is_refused_as_such(empty_db_url, tmp_path, backend):
    _diary(tmp_path, empty_db_url)
    scripts = write_scripts(tmp_path / "b", ("gate1", None, MOOD), ("gate2", "gate1", upgrade("DROP TYPE mood CASCADE")))
    with pytest.raises(DestructiveMigration) as caught:
        run(empty_db_url, _text_diary(mood=False), scripts)
    assert caught.value.report["findings"] == [
        "gate2: drops type mood with CASCADE (and every column of that type) (`DROP TYPE mood CASCADE`)"
    ]
    assert scalar(empty_db_url, "SELECT count(mood) FROM diary") == 1


@pytest.mark.parametrize("backend", PG_ONLY, indirect=True)
def test_a_type_created_and_dropped_in_the_same_run_destroys_nothing(empty_db_url, tmp_path, backend):
    _diary(tmp_path, empty_db_url)
    body = upgrade("CREATE TYPE scratch AS ENUM ('a')", "DROP TYPE scratch", "DROP TYPE IF EXISTS never_was")
    scripts = write_scripts(tmp_path / "b", ("gate1", None, MOOD), ("gate2", "gate1", body))
    metadata = sa.MetaData()
    sa.Table("diary", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("mood", sa.Enum("happy", "sad", name="mood"), nullable=False))
    assert run(empty_db_url, metadata, scripts).action == "upgraded"


# --- the rules the gate judges type changes by -------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "affinity"),
    [
        ("INTEGER", "INTEGER"), ("BIGINT", "INTEGER"), ("VARCHAR(20)", "TEXT"), ("CLOB", "TEXT"), ("text", "TEXT"),
        ("BLOB", "BLOB"), ("", "BLOB"), ("  ", "BLOB"), ("REAL", "REAL"), ("FLOAT", "REAL"), ("DOUBLE", "REAL"),
        ("NUMERIC(10, 2)", "NUMERIC"), ("DECIMAL", "NUMERIC"), ("BOOLEAN", "NUMERIC"), ("DATETIME", "NUMERIC"),
        ("CHARINT", "INTEGER"),  # INT wins over CHAR, as in SQLite's rule 1
    ],
)
def test_sqlite_affinity_follows_sqlites_rules(declared, affinity):
    assert sqlite_affinity(declared) == affinity


@pytest.mark.parametrize(
    ("name", "catalog"),
    [
        ("account", "account"), ("Account", "account"), ('"Account"', "Account"), ("public.Account", "account"),
        ('public."Account"', "Account"), ("`Mixed`", "Mixed"), ("[Mixed]", "Mixed"), ('"a""b"', 'a"b'),
    ],
)
def test_identifiers_are_read_as_the_catalog_spells_them(name, catalog):
    assert unquote(name) == catalog
