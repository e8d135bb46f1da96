"""The destructive gate and the run around it, on a small schema of our own (issue 13, items 3 to 7, 9, 10).

Each test writes its scripts directory (env.py through the engine's runner, revisions inline) and
declares the models its head must match; everything goes through `ensure_schema`, as `flask db-ensure`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from quantum.schema_engine.ensure import EnsureOptions, EnsureResult, SchemaTarget, ensure_schema
from quantum.schema_engine.errors import DatabaseAhead, DestructiveMigration, MigrationFailed, SchemaDrift
from quantum.schema_engine.revisions import touched_tables
from tests.db.helpers import execute, scalar, table_names

OPTIONS = dict(connect_retries=1, retry_base_delay=0.01, lock_wait_seconds=30)
PG_ONLY = [pytest.param("postgresql", marks=pytest.mark.postgres)]

# gate1: create `account` (id, email, nickname, score as text) with two rows' worth of room.
ACCOUNT = """
def upgrade():
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(80), nullable=False),
        sa.Column("nickname", sa.String(40), nullable=True),
        sa.Column("score", sa.String(20), nullable=True),
    )
    op.create_table("note", sa.Column("id", sa.Integer, primary_key=True), sa.Column("body", sa.Text))
"""


def account_models(*, nickname: bool = True, score: sa.types.TypeEngine | None = None, extra=()) -> sa.MetaData:
    """The head schema: account (optionally without nickname, with another score type) and note."""
    metadata = sa.MetaData()
    columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(80), nullable=False),
    ]
    if nickname:
        columns.append(sa.Column("nickname", sa.String(40), nullable=True))
    columns.append(sa.Column("score", score if score is not None else sa.String(20), nullable=True))
    sa.Table("account", metadata, *columns, *extra)
    sa.Table("note", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("body", sa.Text))
    return metadata


def write_scripts(root: Path, *revisions: tuple[str, str | None, str], names: dict[str, str] | None = None) -> str:
    """A scripts directory with env.py (the engine's runner) and these (id, down_revision, body) revisions."""
    (root / "versions").mkdir(parents=True, exist_ok=True)
    (root / "env.py").write_text("from quantum.schema_engine.alembic_env import run_env\n\nrun_env()\n")
    for revision, down, body in revisions:
        filename = (names or {}).get(revision, f"{revision}_step")
        down_text = repr(down) if down is None or isinstance(down, str) else repr(tuple(down))
        (root / "versions" / f"{filename}.py").write_text(
            "from alembic import op\nimport sqlalchemy as sa\n\n"
            f"revision = {revision!r}\ndown_revision = {down_text}\nbranch_labels = None\ndepends_on = None\n"
            + textwrap.dedent(body)
            + "\n\ndef downgrade():\n    pass\n"
        )
    return str(root)


def run(url: str, metadata: sa.MetaData, location: str, **options) -> EnsureResult:
    """ensure_schema on our own target."""
    target = SchemaTarget(metadata=metadata, script_location=location, namespace="gate")
    return ensure_schema(url, target, EnsureOptions(**{**OPTIONS, **options}))


def at_gate1(url: str, tmp_path: Path, rows: int = 2) -> None:
    """The database at gate1 with `rows` accounts."""
    run(url, account_models(), write_scripts(tmp_path / "base", ("gate1", None, ACCOUNT)))
    for n in range(rows):
        execute(url, f"INSERT INTO account (email, nickname, score) VALUES ('u{n}@example.com', 'n{n}', '{n}')")


# --- item 3: whatever writes the SQL, what runs is classified --------------------------------------

DELETES = {
    "text": 'def upgrade():\n    op.execute(sa.text("DELETE FROM account WHERE id > 0"))\n',
    "constant": 'PURGE = "DELETE FROM account"\n\n\ndef upgrade():\n    op.execute(PURGE)\n',
    "core": 'def upgrade():\n    op.get_bind().execute(sa.table("account").delete())\n',
    "driver_sql": 'def upgrade():\n    op.get_bind().exec_driver_sql("DELETE FROM account")\n',
}


@pytest.mark.parametrize("style", sorted(DELETES))
def test_deleting_rows_is_refused_whatever_writes_the_sql(empty_db_url, tmp_path, style):
    at_gate1(empty_db_url, tmp_path)
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", DELETES[style]))
    with pytest.raises(DestructiveMigration) as caught:
        run(empty_db_url, account_models(), scripts)
    assert caught.value.exit_code == 8
    assert "gate2: deletes 2 rows from account" in caught.value.message
    assert "DELETE FROM account" in caught.value.message
    assert scalar(empty_db_url, "SELECT count(*) FROM account") == 2
    assert scalar(empty_db_url, "SELECT version_num FROM alembic_version") == "gate1"
    assert run(empty_db_url, account_models(), scripts, allow_destructive=True).action == "upgraded"
    assert scalar(empty_db_url, "SELECT count(*) FROM account") == 0


def test_deleting_from_an_empty_table_destroys_nothing(empty_db_url, tmp_path):
    at_gate1(empty_db_url, tmp_path, rows=0)
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", DELETES["constant"]))
    assert run(empty_db_url, account_models(), scripts).action == "upgraded"


def test_truncate_through_the_driver_is_refused(pg_empty_url, tmp_path):
    at_gate1(pg_empty_url, tmp_path)
    body = 'def upgrade():\n    op.get_bind().exec_driver_sql("TRUNCATE account")\n'
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", body))
    with pytest.raises(DestructiveMigration) as caught:
        run(pg_empty_url, account_models(), scripts)
    assert "gate2: truncates account" in caught.value.message
    assert scalar(pg_empty_url, "SELECT count(*) FROM account") == 2


DROP_NICKNAME = """
def upgrade():
    with op.batch_alter_table("account") as batch_op:
        batch_op.drop_column("nickname")
"""

WIDEN_EMAIL = """
def upgrade():
    with op.batch_alter_table("account") as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(80), type_=sa.String(200), existing_nullable=False)
        batch_op.create_index("ix_account_email", ["email"])
"""

SCORE_TO_INTEGER = """
def upgrade():
    with op.batch_alter_table("account") as batch_op:
        batch_op.alter_column("score", existing_type=sa.String(20), type_=sa.Integer(),
                              postgresql_using="score::integer")
"""


def test_a_batch_rebuild_that_loses_a_column_is_refused(empty_db_url, tmp_path):
    at_gate1(empty_db_url, tmp_path)
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", DROP_NICKNAME))
    with pytest.raises(DestructiveMigration) as caught:
        run(empty_db_url, account_models(nickname=False), scripts)
    assert "gate2: drops column account.nickname" in caught.value.message
    assert scalar(empty_db_url, "SELECT count(nickname) FROM account") == 2


def test_a_batch_rebuild_that_keeps_every_column_passes(empty_db_url, tmp_path):
    at_gate1(empty_db_url, tmp_path)
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", WIDEN_EMAIL))
    models = account_models()
    models.tables["account"].c.email.type = sa.String(200)
    sa.Index("ix_account_email", models.tables["account"].c.email)
    result = run(empty_db_url, models, scripts)
    assert result.action == "upgraded"
    assert scalar(empty_db_url, "SELECT count(*) FROM account") == 2


def test_a_narrowing_type_change_on_rows_is_refused(empty_db_url, tmp_path):
    at_gate1(empty_db_url, tmp_path)
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", SCORE_TO_INTEGER))
    with pytest.raises(DestructiveMigration) as caught:
        run(empty_db_url, account_models(score=sa.Integer()), scripts)
    assert "gate2: changes the type of account.score" in caught.value.message


def test_adding_an_enum_label_is_not_destructive(pg_empty_url, tmp_path):
    create = """
def upgrade():
    mood = sa.Enum("happy", "sad", name="mood")
    op.create_table("diary", sa.Column("id", sa.Integer, primary_key=True), sa.Column("mood", mood, nullable=False))
"""
    add = 'def upgrade():\n    op.execute("ALTER TYPE mood ADD VALUE \'calm\'")\n'

    def models(*labels: str) -> sa.MetaData:
        metadata = sa.MetaData()
        sa.Table("diary", metadata, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("mood", sa.Enum(*labels, name="mood"), nullable=False))
        return metadata

    run(pg_empty_url, models("happy", "sad"), write_scripts(tmp_path / "a", ("gate1", None, create)))
    execute(pg_empty_url, "INSERT INTO diary (mood) VALUES ('sad')")
    scripts = write_scripts(tmp_path / "b", ("gate1", None, create), ("gate2", "gate1", add))
    assert run(pg_empty_url, models("happy", "sad", "calm"), scripts).action == "upgraded"


# --- item 4: batch steps belong to the real table ----------------------------------------------------

TWO_BATCHES = """
def upgrade():
    with op.batch_alter_table("account") as batch_op:
        batch_op.add_column(sa.Column("level", sa.Integer(), nullable=False))
    with op.batch_alter_table("note") as batch_op:
        batch_op.add_column(sa.Column("pinned", sa.Boolean(), nullable=True))
"""


def test_not_null_added_in_one_batch_of_two_is_charged_to_its_own_table(empty_db_url, tmp_path):
    at_gate1(empty_db_url, tmp_path)  # account has rows, note has none
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", TWO_BATCHES))
    models = account_models(extra=[sa.Column("level", sa.Integer, nullable=False)])
    models.tables["note"].append_column(sa.Column("pinned", sa.Boolean, nullable=True))
    with pytest.raises(DestructiveMigration) as caught:
        run(empty_db_url, models, scripts)
    assert caught.value.exit_code == 8
    assert "gate2: adds NOT NULL column account.level" in caught.value.message or (
        "gate2: sets NOT NULL without a default on account.level" in caught.value.message
    )
    assert "note" not in caught.value.message.split("(`")[0]


def test_touched_tables_follow_each_batch_block(tmp_path):
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", TWO_BATCHES))
    from alembic.script import ScriptDirectory

    from quantum.schema_engine.revisions import alembic_config

    revision = ScriptDirectory.from_config(alembic_config(scripts)).get_revision("gate2")
    assert touched_tables(revision) == {"account", "note"}


# --- item 5: a failure inside batch_alter_table names the revision -------------------------------------

FAILING_BATCH = """
def upgrade():
    with op.batch_alter_table("account") as batch_op:
        batch_op.add_column(sa.Column("flag", sa.Integer(), nullable=True))
        raise RuntimeError("the data is not what this revision expected")
"""


def test_a_failure_inside_batch_alter_table_names_the_revision(empty_db_url, tmp_path):
    at_gate1(empty_db_url, tmp_path)
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("f00d5", "gate1", FAILING_BATCH),
                            names={"f00d5": "a1_rebuild_account"})
    with pytest.raises(MigrationFailed) as caught:
        run(empty_db_url, account_models(), scripts)
    assert caught.value.exit_code == 7
    assert caught.value.message.startswith("migration f00d5 failed and was rolled back")
    assert "contextlib" not in caught.value.message
    assert scalar(empty_db_url, "SELECT version_num FROM alembic_version") == "gate1"


# --- item 6: alembic_version is a set ------------------------------------------------------------------

BRANCHES = [
    ("gate1", None, ACCOUNT),
    ("gate2a", "gate1", "def upgrade():\n    op.create_index('ix_account_email', 'account', ['email'])\n"),
    ("gate2b", "gate1", "def upgrade():\n    op.create_index('ix_note_body', 'note', ['body'])\n"),
]


def branch_models() -> sa.MetaData:
    """The head of the branched history: both indexes."""
    models = account_models()
    sa.Index("ix_account_email", models.tables["account"].c.email)
    sa.Index("ix_note_body", models.tables["note"].c.body)
    return models


@pytest.mark.parametrize("order", ["known_first", "unknown_first"])
def test_an_unknown_row_in_alembic_version_is_ahead_in_any_order(empty_db_url, tmp_path, order):
    scripts = write_scripts(tmp_path / "s", *BRANCHES, ("gate3", ("gate2a", "gate2b"), "def upgrade():\n    pass\n"))
    run(empty_db_url, branch_models(), scripts)
    rows = ["gate3", "ffff0000"] if order == "known_first" else ["ffff0000", "gate3"]
    execute(empty_db_url, "DELETE FROM alembic_version",
            *(f"INSERT INTO alembic_version (version_num) VALUES ('{row}')" for row in rows))
    with pytest.raises(DatabaseAhead) as caught:
        run(empty_db_url, branch_models(), scripts)
    assert caught.value.exit_code == 4 and "ffff0000" in caught.value.message


@pytest.mark.parametrize("order", [("gate2a", "gate2b"), ("gate2b", "gate2a")])
def test_two_branch_rows_are_upgraded_through_their_merge(empty_db_url, tmp_path, order):
    run(empty_db_url, branch_models(), write_scripts(tmp_path / "a", *BRANCHES, ("gate3", ("gate2a", "gate2b"),
                                                                                "def upgrade():\n    pass\n")))
    execute(empty_db_url, "DELETE FROM alembic_version",
            *(f"INSERT INTO alembic_version (version_num) VALUES ('{row}')" for row in order))
    merged = write_scripts(
        tmp_path / "b", *BRANCHES, ("gate3", ("gate2a", "gate2b"), "def upgrade():\n    pass\n"),
        ("gate4", "gate3", "def upgrade():\n    op.add_column('note', sa.Column('title', sa.String(40)))\n"),
    )
    models = branch_models()
    models.tables["note"].append_column(sa.Column("title", sa.String(40)))
    result = run(empty_db_url, models, merged)
    assert result.action == "upgraded" and result.applied == ["gate3", "gate4"]
    assert scalar(empty_db_url, "SELECT count(*) FROM alembic_version") == 1
    assert scalar(empty_db_url, "SELECT version_num FROM alembic_version") == "gate4"


# --- item 7: --check takes the real run's decisions ------------------------------------------------------


def test_check_predicts_the_destructive_refusal_and_changes_nothing(empty_db_url, tmp_path, backend):
    at_gate1(empty_db_url, tmp_path)
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", DELETES["core"]))
    with pytest.raises(DestructiveMigration) as caught:
        run(empty_db_url, account_models(), scripts, check=True, backup_dir=str(tmp_path / "backups"))
    assert caught.value.exit_code == 8 and caught.value.report["check"] is True
    assert scalar(empty_db_url, "SELECT count(*) FROM account") == 2
    assert scalar(empty_db_url, "SELECT version_num FROM alembic_version") == "gate1"
    assert not (tmp_path / "backups").exists()
    assert run(empty_db_url, account_models(), scripts, check=True, allow_destructive=True).exit_code == 1
    assert scalar(empty_db_url, "SELECT count(*) FROM account") == 2


def test_check_predicts_drift_after_upgrade_and_failing_revisions(empty_db_url, tmp_path):
    at_gate1(empty_db_url, tmp_path)
    adds = "def upgrade():\n    op.add_column('note', sa.Column('title', sa.String(40)))\n"
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", adds))
    # The models do not know `note.title`, but do want `account.level`: the real run would exit 6.
    models = account_models(extra=[sa.Column("level", sa.Integer, nullable=True)])
    with pytest.raises(SchemaDrift) as caught:
        run(empty_db_url, models, scripts, check=True)
    assert caught.value.exit_code == 6
    failing = write_scripts(tmp_path / "f", ("gate1", None, ACCOUNT), ("gate2", "gate1", FAILING_BATCH))
    with pytest.raises(MigrationFailed):
        run(empty_db_url, account_models(), failing, check=True)
    assert "title" not in {c["name"] for c in _columns(empty_db_url, "note")}
    result = run(empty_db_url, account_models(extra=[]), write_scripts(tmp_path / "ok", ("gate1", None, ACCOUNT),
                                                                        ("gate2", "gate1", "def upgrade():\n    pass\n")),
                 check=True)
    assert result.exit_code == 1 and result.action == "upgraded"


def test_check_refuses_an_adoption_the_real_run_refuses(empty_db_url, tmp_path):
    legacy = account_models(score=sa.Integer())  # a legacy database with an incompatible column type
    engine = sa.create_engine(empty_db_url)
    legacy.create_all(engine)
    engine.dispose()
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT))
    with pytest.raises(SchemaDrift) as caught:
        run(empty_db_url, account_models(), scripts, check=True)
    assert caught.value.exit_code == 6
    assert "alembic_version" not in table_names(empty_db_url)


def _columns(url: str, table: str) -> list[dict]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return sa.inspect(connection).get_columns(table)
    finally:
        engine.dispose()


# --- item 9: autocommit_block() runs in its own segment ------------------------------------------------


MOOD = """
def upgrade():
    mood = sa.Enum("happy", "sad", name="mood")
    op.create_table("diary", sa.Column("id", sa.Integer, primary_key=True), sa.Column("mood", mood, nullable=False))
"""
ADD_CALM = """
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'calm'")
"""
USE_CALM = """
def upgrade():
    op.execute("INSERT INTO diary (mood) VALUES ('calm')")
    op.alter_column("diary", "mood", server_default="calm")
"""


def diary_models() -> sa.MetaData:
    """The diary at head: three moods, calm by default."""
    metadata = sa.MetaData()
    sa.Table("diary", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("mood", sa.Enum("happy", "sad", "calm", name="mood"), nullable=False, server_default="calm"))
    return metadata


@pytest.mark.parametrize("backend", PG_ONLY, indirect=True)
def test_add_a_label_in_autocommit_then_use_it_in_a_later_revision(empty_db_url, tmp_path, backend):
    scripts = write_scripts(tmp_path / "s", ("gate1", None, MOOD), ("gate2", "gate1", ADD_CALM),
                            ("gate3", "gate2", USE_CALM))
    result = run(empty_db_url, diary_models(), scripts)
    assert result.exit_code == 0 and result.action == "created"
    assert result.segments == [
        {"revisions": ["gate1"], "atomic": True, "committed": True},
        {"revisions": ["gate2"], "atomic": False, "committed": True},
        {"revisions": ["gate3"], "atomic": True, "committed": True},
    ]
    assert result.to_dict()["segments"] == result.segments
    assert scalar(empty_db_url, "SELECT mood::text FROM diary") == "calm"


@pytest.mark.parametrize("backend", PG_ONLY, indirect=True)
def test_check_rehearses_up_to_the_autocommit_revision(empty_db_url, tmp_path, backend):
    scripts = write_scripts(tmp_path / "s", ("gate1", None, MOOD), ("gate2", "gate1", ADD_CALM),
                            ("gate3", "gate2", USE_CALM))
    result = run(empty_db_url, diary_models(), scripts, check=True)
    assert result.exit_code == 1
    assert "not rehearsed: gate2, gate3" in result.message
    assert "diary" not in table_names(empty_db_url)


def test_autocommit_block_on_sqlite_runs_too(tmp_path):
    url = f"sqlite:///{tmp_path / 'auto.db'}"
    index = (
        'def upgrade():\n    with op.get_context().autocommit_block():\n'
        '        op.create_index("ix_note_body", "note", ["body"])\n'
    )
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", index))
    models = account_models()
    sa.Index("ix_note_body", models.tables["note"].c.body)
    result = run(url, models, scripts)
    assert result.action == "created" and [s["atomic"] for s in result.segments] == [True, False]


@pytest.mark.parametrize("backend", PG_ONLY, indirect=True)
def test_a_failure_after_an_autocommit_segment_names_revision_and_state(empty_db_url, tmp_path, backend):
    broken = 'def upgrade():\n    op.execute("INSERT INTO diary (mood) VALUES (\'angry\')")\n'
    scripts = write_scripts(tmp_path / "s", ("gate1", None, MOOD), ("gate2", "gate1", ADD_CALM),
                            ("gate3", "gate2", broken))
    with pytest.raises(MigrationFailed) as caught:
        run(empty_db_url, diary_models(), scripts)
    assert "migration gate3 failed" in caught.value.message and "at gate2" in caught.value.message
    assert "AssertionError" not in caught.value.message
    assert scalar(empty_db_url, "SELECT version_num FROM alembic_version") == "gate2"


# --- item 10: adoption says what it stamped ---------------------------------------------------------------

HASH_PASSWORDS = """
def upgrade():
    bind = op.get_bind()
    for row in bind.execute(sa.text("SELECT id, nickname FROM account")).all():
        bind.execute(sa.text("UPDATE account SET nickname = :h WHERE id = :i"), {"h": "#" + row[1], "i": row[0]})
"""


def test_adoption_lists_the_stamped_revisions_and_flags_data_migrations(empty_db_url, tmp_path):
    engine = sa.create_engine(empty_db_url)
    account_models().create_all(engine)
    engine.dispose()
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", HASH_PASSWORDS))
    result = run(empty_db_url, account_models(), scripts)
    assert result.action == "adopted"
    stamped = {entry["revision"]: entry for entry in result.to_dict()["stamped"]}
    assert stamped["gate1"]["data_migration"] is False
    assert stamped["gate2"]["data_migration"] is True and stamped["gate2"]["steps"]
    assert "gate2" in " ".join(result.notes)
    assert "1 of them data migrations" in result.message


@pytest.mark.parametrize("order", [("gate3", "gate2a"), ("gate2a", "gate3")])
def test_a_row_and_its_ancestor_in_alembic_version_are_refused_in_any_order(empty_db_url, tmp_path, order):
    scripts = write_scripts(tmp_path / "s", *BRANCHES, ("gate3", ("gate2a", "gate2b"), "def upgrade():\n    pass\n"))
    run(empty_db_url, branch_models(), scripts)
    execute(empty_db_url, "DELETE FROM alembic_version",
            *(f"INSERT INTO alembic_version (version_num) VALUES ('{row}')" for row in order))
    with pytest.raises(MigrationFailed) as caught:
        run(empty_db_url, branch_models(), scripts)
    assert "gate3" in caught.value.message and "ancestor gate2a" in caught.value.message
    assert scalar(empty_db_url, "SELECT count(*) FROM alembic_version") == 2


ENUM_REWRITE = """
def upgrade():
    op.execute("CREATE TYPE mood_new AS ENUM ('happy', 'sad', 'calm')")
    op.execute("ALTER TABLE diary ALTER COLUMN mood TYPE mood_new USING mood::text::mood_new")
    op.execute("DROP TYPE mood")
    op.execute("ALTER TYPE mood_new RENAME TO mood")
    op.drop_constraint("uq_diary_id", "diary", type_="unique")
    op.create_unique_constraint("uq_diary_id", "diary", ["id"])
"""


def test_an_enum_rebuilt_under_its_own_name_with_rows_is_not_destructive(pg_empty_url, tmp_path):
    create = MOOD + '    op.create_unique_constraint("uq_diary_id", "diary", ["id"])\n'
    metadata = sa.MetaData()
    sa.Table("diary", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("mood", sa.Enum("happy", "sad", "calm", name="mood"), nullable=False),
             sa.UniqueConstraint("id", name="uq_diary_id"))
    before = sa.MetaData()
    sa.Table("diary", before, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("mood", sa.Enum("happy", "sad", name="mood"), nullable=False),
             sa.UniqueConstraint("id", name="uq_diary_id"))
    run(pg_empty_url, before, write_scripts(tmp_path / "a", ("gate1", None, create)))
    execute(pg_empty_url, "INSERT INTO diary (mood) VALUES ('sad')")
    scripts = write_scripts(tmp_path / "b", ("gate1", None, create), ("gate2", "gate1", ENUM_REWRITE))
    assert run(pg_empty_url, metadata, scripts).action == "upgraded"
    assert scalar(pg_empty_url, "SELECT mood::text FROM diary") == "sad"


@pytest.mark.parametrize(
    ("old", "new", "dialect", "keeps"),
    [
        ("character varying(40)", "character varying(80)", "postgresql", True),
        ("character varying(80)", "character varying(40)", "postgresql", False),
        ("character varying(80)", "text", "postgresql", True),
        ("integer", "bigint", "postgresql", True),
        ("bigint", "integer", "postgresql", False),
        ("numeric(20,8)", "numeric(24,8)", "postgresql", True),
        ("numeric(20,8)", "numeric(20,2)", "postgresql", False),
        ("text", "integer", "postgresql", False),
        ("VARCHAR(80)", "VARCHAR(20)", "sqlite", True),  # SQLite never truncates: same TEXT affinity
        ("VARCHAR(20)", "INTEGER", "sqlite", False),
        ("INTEGER", "REAL", "sqlite", True),
        ("REAL", "INTEGER", "sqlite", False),
        # At the edges: affinities, precision and scale, integer widths into numeric, time zones.
        ("VARCHAR(20)", " varchar(20) ", "postgresql", True),
        ("INTEGER", "NUMERIC", "sqlite", True), ("REAL", "NUMERIC", "sqlite", True),
        ("NUMERIC", "INTEGER", "sqlite", False), ("NUMERIC", "REAL", "sqlite", False),
        ("INTEGER", "TEXT", "sqlite", True), ("REAL", "BLOB", "sqlite", True), ("TEXT", "BLOB", "sqlite", True),
        ("BLOB", "INTEGER", "sqlite", False), ("TEXT", "REAL", "sqlite", False),
        ("integer", "text", "postgresql", True),
        ("character varying(40)", "character varying(40)", "postgresql", True),
        ("character varying(40)", "character varying", "postgresql", True),
        ("text", "character varying(100)", "postgresql", False),
        ("character(10)", "character varying(10)", "postgresql", True),
        ("character(10)", "character varying(9)", "postgresql", False),
        ("smallint", "integer", "postgresql", True), ("integer", "smallint", "postgresql", False),
        ("smallint", "numeric(5,0)", "postgresql", True), ("smallint", "numeric(4,0)", "postgresql", False),
        ("integer", "numeric(10,0)", "postgresql", True), ("integer", "numeric(12,3)", "postgresql", False),
        ("integer", "numeric(13,3)", "postgresql", True), ("bigint", "numeric(19)", "postgresql", True),
        ("bigint", "numeric(18)", "postgresql", False), ("integer", "numeric", "postgresql", True),
        ("numeric(10,2)", "numeric", "postgresql", True), ("numeric", "numeric(10,2)", "postgresql", False),
        ("numeric(10,2)", "numeric(11,3)", "postgresql", True), ("numeric(10,2)", "numeric(10,3)", "postgresql", False),
        ("numeric(10,2)", "numeric(10,1)", "postgresql", False), ("numeric(10)", "numeric(10,0)", "postgresql", True),
        ("real", "double precision", "postgresql", True), ("double precision", "real", "postgresql", False),
        ("integer", "double precision", "postgresql", True), ("bigint", "double precision", "postgresql", False),
        ("date", "timestamp without time zone", "postgresql", True),
        ("date", "timestamp with time zone", "postgresql", True),
        ("timestamp without time zone", "timestamp with time zone", "postgresql", True),
        ("timestamp with time zone", "timestamp without time zone", "postgresql", False),
        ("timestamp without time zone", "date", "postgresql", False),
        ("json", "jsonb", "postgresql", True), ("jsonb", "json", "postgresql", False),
        ("boolean", "integer", "postgresql", False),
        ("text", "character varying", "postgresql", True), ("numeric(10,2)", "integer", "postgresql", False),
        ("numeric(10,0)", "numeric(10)", "postgresql", True), ("smallint", "double precision", "postgresql", True),
    ],
)
def test_which_type_changes_keep_every_value(old, new, dialect, keeps):
    from quantum.schema_engine.ddl import backend_for

    assert backend_for(dialect).lossless_type_change(old, new) is keeps


@pytest.mark.parametrize("backend", PG_ONLY, indirect=True)
def test_a_failure_inside_autocommit_block_names_the_revision(empty_db_url, tmp_path, backend):
    broken = """
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE no_such_type ADD VALUE 'calm'")
"""
    scripts = write_scripts(tmp_path / "s", ("gate1", None, MOOD), ("beef2", "gate1", broken),
                            names={"beef2": "z9_add_label"})
    with pytest.raises(MigrationFailed) as caught:
        run(empty_db_url, diary_models(), scripts)
    message = caught.value.message
    assert message.startswith("migration beef2 failed") and "at gate1" in message
    assert "outside a transaction" in message and "contextlib" not in message
    assert caught.value.report["segments"][0] == {"revisions": ["gate1"], "atomic": True, "committed": True}


def test_not_null_on_a_nullable_column_of_a_filled_table_is_refused_before_it_runs(empty_db_url, tmp_path):
    at_gate1(empty_db_url, tmp_path)
    body = """
def upgrade():
    with op.batch_alter_table("account") as batch_op:
        batch_op.alter_column("nickname", existing_type=sa.String(40), nullable=False)
"""
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", body))
    models = account_models()
    models.tables["account"].c.nickname.nullable = False
    with pytest.raises(DestructiveMigration) as caught:
        run(empty_db_url, models, scripts)
    assert "gate2: sets NOT NULL without a default on account.nickname" in caught.value.message
    assert run(empty_db_url, models, scripts, allow_destructive=True).action == "upgraded"


@pytest.mark.parametrize("backend", PG_ONLY, indirect=True)
def test_a_label_added_without_autocommit_is_committed_before_a_later_revision_uses_it(empty_db_url, tmp_path, backend):
    plain = 'def upgrade():\n    op.execute("ALTER TYPE mood ADD VALUE \'calm\'")\n'
    scripts = write_scripts(tmp_path / "s", ("gate1", None, MOOD), ("gate2", "gate1", plain),
                            ("gate3", "gate2", USE_CALM))
    result = run(empty_db_url, diary_models(), scripts)
    assert result.segments == [
        {"revisions": ["gate1", "gate2"], "atomic": True, "committed": True},
        {"revisions": ["gate3"], "atomic": True, "committed": True},
    ]
    assert scalar(empty_db_url, "SELECT mood::text FROM diary") == "calm"


@pytest.mark.parametrize("backend", PG_ONLY, indirect=True)
def test_check_stops_after_a_revision_that_adds_a_label(empty_db_url, tmp_path, backend):
    plain = 'def upgrade():\n    op.execute("ALTER TYPE mood ADD VALUE \'calm\'")\n'
    scripts = write_scripts(tmp_path / "s", ("gate1", None, MOOD), ("gate2", "gate1", plain),
                            ("gate3", "gate2", USE_CALM))
    result = run(empty_db_url, diary_models(), scripts, check=True)
    assert result.exit_code == 1 and "not rehearsed: gate3 (gate2 adds an enum label" in result.message
    assert "diary" not in table_names(empty_db_url)


RENAME_AND_DEFAULT = """
def upgrade():
    with op.batch_alter_table("account") as batch_op:
        batch_op.alter_column("nickname", new_column_name="handle", existing_type=sa.String(40))
        batch_op.add_column(sa.Column("level", sa.Integer(), nullable=False, server_default="1"))
        batch_op.create_unique_constraint("uq_account_email", ["email"])
"""


def test_a_batch_rename_with_a_defaulted_not_null_column_keeps_everything(empty_db_url, tmp_path):
    at_gate1(empty_db_url, tmp_path)
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", RENAME_AND_DEFAULT))
    models = account_models(nickname=False, extra=[
        sa.Column("handle", sa.String(40), nullable=True),
        sa.Column("level", sa.Integer, nullable=False, server_default="1"),
        sa.UniqueConstraint("email", name="uq_account_email"),
    ])
    assert run(empty_db_url, models, scripts).action == "upgraded"
    assert scalar(empty_db_url, "SELECT count(handle) FROM account") == 2


def test_a_drop_hidden_in_a_multi_action_alter_table_is_refused(pg_empty_url, tmp_path):
    at_gate1(pg_empty_url, tmp_path)
    body = 'def upgrade():\n    op.execute("ALTER TABLE account ADD COLUMN level integer, DROP COLUMN nickname")\n'
    scripts = write_scripts(tmp_path / "s", ("gate1", None, ACCOUNT), ("gate2", "gate1", body))
    with pytest.raises(DestructiveMigration) as caught:
        run(pg_empty_url, account_models(nickname=False, extra=[sa.Column("level", sa.Integer)]), scripts)
    assert "gate2: drops column account.nickname" in caught.value.message
