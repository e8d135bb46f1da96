"""The project's own migrations under pytest-alembic's built-in tests, on SQLite and PostgreSQL.

pytest-alembic's pytest plugin is disabled (it crashes collection under pytest 9), so its library is used:
a runner per test on a connection from the engine's migration engine, fed to the built-in test functions.
Everything is computed from the script directory, so new revisions (0002 auth, ...) are covered as they land.
The last tests break the migrations on purpose and check that each failure names the culprit.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from pytest_alembic import Config, MigrationContext, runner
from pytest_alembic.plugin.error import AlembicTestFailure
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import quantum.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from quantum.core.columns import NAMING_CONVENTION
from quantum.schema import MIGRATIONS_DIR
from quantum.schema_engine.connect import create_migration_engine
from quantum.schema_engine.drift import compare_schema
from quantum.schema_engine.revisions import alembic_config
from tests.schemas import introspection

VERSION_TABLE = "alembic_version"
BOOKKEEPING = {VERSION_TABLE, "schema_ledger"}


class BuiltinTests:
    """pytest-alembic's built-in test functions, imported once the `alembic` marker they carry is registered."""

    def __init__(self, config: pytest.Config) -> None:
        # pytest_alembic.tests decorates its functions with @pytest.mark.alembic at import; under
        # --strict-markers that import fails unless the marker is known (its disabled plugin would register it).
        if not any(line.split(":")[0].strip() == "alembic" for line in config.getini("markers")):
            config.addinivalue_line("markers", "alembic: pytest-alembic's built-in migration tests")
        from pytest_alembic.tests import default, experimental

        self.single_head_revision = default.test_single_head_revision
        self.upgrade = default.test_upgrade
        self.model_definitions_match_ddl = default.test_model_definitions_match_ddl
        self.up_down_consistency = default.test_up_down_consistency
        self.downgrade_leaves_no_trace = experimental.test_downgrade_leaves_no_trace


@pytest.fixture(scope="session")
def builtin(pytestconfig: pytest.Config) -> BuiltinTests:
    """pytest-alembic's built-in tests, called from this module's tests."""
    return BuiltinTests(pytestconfig)


@contextmanager
def open_runner(url: str, script_location: Path, metadata: sa.MetaData) -> Iterator[MigrationContext]:
    """A pytest-alembic runner on one connection of the engine's migration engine, wired as run_env expects."""
    engine = create_migration_engine(url)
    connection = engine.connect()
    alembic_cfg = alembic_config(str(script_location))
    alembic_cfg.attributes.update(version_table=VERSION_TABLE, ignore_tables=BOOKKEEPING)
    # config_options win over the prebuilt config: pytest-alembic always (re)sets target_metadata from them.
    config = Config(
        config_options={"script_location": str(script_location), "target_metadata": metadata},
        alembic_config=alembic_cfg,
    )
    try:
        with runner(config=config, engine=connection) as migration_context:
            yield migration_context
    finally:
        connection.close()
        engine.dispose()


@pytest.fixture
def alembic_runner(empty_db_url: str) -> Iterator[MigrationContext]:
    """pytest-alembic's runner for the project's migrations and SQLModel.metadata, on an empty database."""
    with open_runner(empty_db_url, MIGRATIONS_DIR, SQLModel.metadata) as migration_context:
        yield migration_context


def _connection(alembic_runner: MigrationContext) -> Connection:
    connection = alembic_runner.connection_executor.connection
    assert isinstance(connection, Connection)
    return connection


def _revision_file(alembic_runner: MigrationContext, revision: str) -> str:
    return Path(alembic_runner.command_executor.script.get_revision(revision).path).name


def _state(connection: Connection) -> tuple[dict, list[str]]:
    """The schema (minus the version table) and every object outside it."""
    return (
        introspection.schema_dump(connection, exclude={VERSION_TABLE}),
        introspection.leftover_objects(connection, keep={VERSION_TABLE}),
    )


def assert_each_downgrade_leaves_no_trace(alembic_runner: MigrationContext) -> None:
    """For every revision, oldest first: upgrade then downgrade returns the schema exactly as it was."""
    connection = _connection(alembic_runner)
    for revision in alembic_runner.history.revisions[1:-1]:
        before, objects_before = _state(connection)
        alembic_runner.migrate_up_to(revision)
        alembic_runner.migrate_down_one()
        after, objects_after = _state(connection)
        differences = introspection.dump_differences(before, after)
        differences += [f"{name} was left behind" for name in objects_after if name not in objects_before]
        differences += [f"{name} is gone" for name in objects_before if name not in objects_after]
        if differences:
            raise AssertionError(
                f"revision {revision} ({_revision_file(alembic_runner, revision)}) does not downgrade cleanly "
                f"on {connection.dialect.name}: after its upgrade and downgrade\n  - " + "\n  - ".join(differences)
            )
        alembic_runner.migrate_up_to(revision)


def assert_downgrade_to_base_leaves_only_the_version_table(alembic_runner: MigrationContext) -> None:
    """Upgrade to head, downgrade to base: no table but alembic_version, no index, sequence or enum type."""
    connection = _connection(alembic_runner)
    alembic_runner.migrate_up_to("heads")
    alembic_runner.migrate_down_to("base")
    leftovers = introspection.leftover_objects(connection, keep={VERSION_TABLE})
    assert not leftovers, f"downgrade to base left behind on {connection.dialect.name}: {leftovers}"
    assert alembic_runner.current == "base"


# --- pytest-alembic's built-in tests on the project's migrations ------------------------------------------


def test_single_head(builtin: BuiltinTests, alembic_runner: MigrationContext) -> None:
    """The history has exactly one head (no unmerged branches)."""
    builtin.single_head_revision(alembic_runner)


def test_upgrade_through_every_revision(builtin: BuiltinTests, alembic_runner: MigrationContext) -> None:
    """base -> head runs, one revision at a time, and lands on the head."""
    builtin.upgrade(alembic_runner)
    assert alembic_runner.current == alembic_runner.heads[0]


def test_model_definitions_match_the_migrations(builtin: BuiltinTests, alembic_runner: MigrationContext) -> None:
    """After upgrading to head, autogenerate against SQLModel.metadata finds nothing to do."""
    builtin.model_definitions_match_ddl(alembic_runner)


def test_engine_finds_no_drift_at_head(alembic_runner: MigrationContext) -> None:
    """The engine's own drift check (enum labels and CHECKs too, which autogenerate skips) agrees at head."""
    alembic_runner.migrate_up_to("heads")
    connection = _connection(alembic_runner)
    drift = compare_schema(connection, SQLModel.metadata, ignore_tables=BOOKKEEPING)
    connection.rollback()
    assert not [d for d in drift if d.severity == "error"], [d.detail for d in drift]


def up_down_consistency(builtin: BuiltinTests, alembic_runner: MigrationContext) -> None:
    """pytest-alembic's up/down test, with a downgrade failure blamed on the revision whose downgrade() raised.

    pytest-alembic reports the downgrade *target* as the "Failing Revision" (the revision below the broken one),
    which points a reader at the wrong file; the failure is re-raised naming the revision and file that failed.
    """
    try:
        builtin.up_down_consistency(alembic_runner)
    except AlembicTestFailure as failure:
        context = dict(failure.context or [])
        target = context.get("Failing Revision")
        if not str(failure).startswith("Failed to downgrade") or target is None:
            raise
        culprit = alembic_runner.history.next_revision(target)
        raise AlembicTestFailure(
            f"The downgrade() of revision {culprit} ({_revision_file(alembic_runner, culprit)}) failed "
            f"while going down to {target}.",
            context=[("Failing Revision", culprit), ("Alembic Error", context.get("Alembic Error", ""))],
        ) from failure


def test_up_down_consistency(builtin: BuiltinTests, alembic_runner: MigrationContext) -> None:
    """Every revision upgrades, every downgrade runs, and the history upgrades again after the round trip."""
    up_down_consistency(builtin, alembic_runner)


def test_each_downgrade_leaves_no_trace(alembic_runner: MigrationContext) -> None:
    """Each revision's downgrade exactly undoes its upgrade: tables, columns, indexes, constraints, enum types."""
    assert_each_downgrade_leaves_no_trace(alembic_runner)


def test_downgrade_to_base_leaves_only_the_version_table(alembic_runner: MigrationContext) -> None:
    """After head -> base nothing is left but alembic_version (PostgreSQL: no enum types in pg_type either)."""
    assert_downgrade_to_base_leaves_only_the_version_table(alembic_runner)


def test_pytest_alembic_downgrade_leaves_no_trace(builtin: BuiltinTests, alembic_runner: MigrationContext) -> None:
    """pytest-alembic's experimental check agrees (autogenerate diff before upgrade == after downgrade)."""
    builtin.downgrade_leaves_no_trace(alembic_runner)


def test_migrations_run_from_an_engine_as_pytest_alembic_passes_by_default(
    builtin: BuiltinTests, empty_db_url: str
) -> None:
    """pytest-alembic's own alembic_engine fixture hands env.py an Engine; the migrations must run from it too."""
    engine = create_migration_engine(empty_db_url)
    config = Config(
        config_options={"script_location": str(MIGRATIONS_DIR), "target_metadata": SQLModel.metadata},
        alembic_config=alembic_config(str(MIGRATIONS_DIR)),
    )
    try:
        with runner(config=config, engine=engine) as alembic_runner:
            builtin.upgrade(alembic_runner)
    finally:
        engine.dispose()


# --- broken on purpose: each failure names the model or the revision ----------------------------------------


def _copy_migrations(tmp_path: Path, *revisions: tuple[str, str | None, str]) -> Path:
    """The project's scripts plus extra revisions (id, down_revision or None for the current head, body)."""
    script_dir = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, script_dir, ignore=shutil.ignore_patterns("__pycache__"))
    head = ScriptDirectory.from_config(alembic_config(str(MIGRATIONS_DIR))).get_current_head()
    for revision, down, body in revisions:
        (script_dir / "versions" / f"{revision}_broken.py").write_text(
            "from alembic import op\nimport sqlalchemy as sa\n\n"
            f"revision = {revision!r}\ndown_revision = {(down or head)!r}\n"
            "branch_labels = None\ndepends_on = None\n\n\n"
            + textwrap.dedent(body).strip()
            + "\n"
        )
    return script_dir


def _app_metadata_plus(extra: str) -> sa.MetaData:
    """A copy of SQLModel.metadata with a model added that no migration creates."""
    metadata = sa.MetaData(naming_convention=dict(NAMING_CONVENTION))
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(metadata)
    if extra == "table":
        sa.Table(
            "watchlists",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
            sa.Column("symbol", sa.String(16), nullable=False),
        )
    else:
        metadata.tables["users"].append_column(sa.Column("nickname", sa.String(40), nullable=True))
    return metadata


@pytest.mark.parametrize(("extra", "named"), [("table", "watchlists"), ("column", "nickname")])
def test_a_model_change_without_a_migration_fails_naming_it(
    builtin: BuiltinTests, empty_db_url: str, extra: str, named: str
) -> None:
    """A new model (or column) with no migration fails the model/DDL test, and the message names it."""
    with open_runner(empty_db_url, MIGRATIONS_DIR, _app_metadata_plus(extra)) as alembic_runner:
        with pytest.raises(AlembicTestFailure) as caught:
            builtin.model_definitions_match_ddl(alembic_runner)
    assert named in str(caught.value), str(caught.value)


LEAKY_UPGRADE = """
def upgrade():
    op.create_table(
        'leaky_notes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('state', sa.Enum('open', 'closed', name='leakystate', create_constraint=True), nullable=False),
    )
    op.create_index('ix_leaky_notes_state', 'leaky_notes', ['state'])
"""
FORGETS_THE_TABLE = LEAKY_UPGRADE + """

def downgrade():
    op.drop_index('ix_leaky_notes_state', table_name='leaky_notes')
"""
FORGETS_THE_ENUM = LEAKY_UPGRADE + """

def downgrade():
    op.drop_index('ix_leaky_notes_state', table_name='leaky_notes')
    op.drop_table('leaky_notes')
"""


def test_a_downgrade_that_forgets_a_table_fails_naming_revision_and_table(
    backend: str, empty_db_url: str, tmp_path: Path
) -> None:
    """A downgrade that leaves its table behind fails the no-trace test, naming the revision and the table."""
    script_dir = _copy_migrations(tmp_path, ("9001", None, FORGETS_THE_TABLE))
    with open_runner(empty_db_url, script_dir, SQLModel.metadata) as alembic_runner:
        with pytest.raises(AssertionError) as caught:
            assert_each_downgrade_leaves_no_trace(alembic_runner)
    message = str(caught.value)
    assert "revision 9001 (9001_broken.py)" in message and "table leaky_notes" in message, message


def test_a_downgrade_that_forgets_an_enum_type_fails_on_postgresql(
    backend: str, empty_db_url: str, tmp_path: Path
) -> None:
    """Dropping the table but not its enum type fails on PostgreSQL naming the type; SQLite has nothing left."""
    script_dir = _copy_migrations(tmp_path, ("9001", None, FORGETS_THE_ENUM))
    with open_runner(empty_db_url, script_dir, SQLModel.metadata) as alembic_runner:
        if backend == "sqlite":
            assert_each_downgrade_leaves_no_trace(alembic_runner)
            return
        with pytest.raises(AssertionError) as caught:
            assert_each_downgrade_leaves_no_trace(alembic_runner)
    message = str(caught.value)
    assert "revision 9001 (9001_broken.py)" in message and "leakystate" in message, message


def test_a_downgrade_that_fails_is_named_by_up_down_consistency(
    builtin: BuiltinTests, backend: str, empty_db_url: str, tmp_path: Path
) -> None:
    """A downgrade that raises fails pytest-alembic's up/down test with the failing revision in the message."""
    body = """
    def upgrade():
        op.create_table('doomed', sa.Column('id', sa.Integer(), primary_key=True))


    def downgrade():
        op.drop_table('no_such_table')
    """
    script_dir = _copy_migrations(tmp_path, ("9002", None, body))
    with open_runner(empty_db_url, script_dir, SQLModel.metadata) as alembic_runner:
        with pytest.raises(AlembicTestFailure) as caught:
            up_down_consistency(builtin, alembic_runner)
    message = str(caught.value)
    assert "revision 9002 (9002_broken.py) failed" in message and "no_such_table" in message, message


def test_a_second_head_is_named(builtin: BuiltinTests, empty_db_url: str, tmp_path: Path) -> None:
    """A revision branching off an older one makes two heads; the failure lists both."""
    first = ScriptDirectory.from_config(alembic_config(str(MIGRATIONS_DIR))).get_base()
    body = "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    script_dir = _copy_migrations(tmp_path, ("9003", first, body))
    head = ScriptDirectory.from_config(alembic_config(str(MIGRATIONS_DIR))).get_current_head()
    with open_runner(empty_db_url, script_dir, SQLModel.metadata) as alembic_runner:
        with pytest.raises(AlembicTestFailure) as caught:
            builtin.single_head_revision(alembic_runner)
    message = str(caught.value)
    assert "found 2" in message and "9003" in message and head in message, message
