"""Each backend class answers every question of `quantum.schema_engine.ddl.base.Backend`, on a real database.

One case per public name of `Backend`, run on SQLite and on PostgreSQL; a guard test fails when the
base class gains a name without a case here.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from quantum.schema_engine.connect import create_migration_engine
from quantum.schema_engine.ddl import Backend, PostgreSQLBackend, SQLiteBackend, backend_for, backend_name
from quantum.schema_engine.errors import LockTimeout
from quantum.schema_engine.fingerprint import FINGERPRINT_TABLE, catalog_fingerprint, create_table_sql
from quantum.schema_engine.url import parse_database_url

ROOT = Path(__file__).resolve().parents[2]


def _run(url: str, *statements: str) -> None:
    engine = create_migration_engine(url)
    try:
        with engine.connect() as connection:
            connection.info["write"] = True
            with connection.begin():
                for statement in statements:
                    connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _scalar(url: str, sql: str) -> object:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql(sql).scalar()
    finally:
        engine.dispose()


def _connected(url: str, body: Callable[[sa.Connection], None]) -> None:
    engine = create_migration_engine(url)
    try:
        with engine.connect() as connection:
            body(connection)
    finally:
        engine.dispose()


def _query_on(connection: sa.Connection) -> Callable[[str, tuple], list[tuple]]:
    """The gate's `query(sql, params)`: the migration connection's own DBAPI cursor."""

    def query(sql: str, params: tuple) -> list[tuple]:
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []
        finally:
            cursor.close()

    return query


# --- the cases: one per public name of Backend --------------------------------------------------


def case_name(backend: Backend, url: str) -> None:
    assert backend.name == backend_name(url) == sa.make_url(url).get_backend_name()
    assert type(backend) is {"sqlite": SQLiteBackend, "postgresql": PostgreSQLBackend}[backend.name]


def case_dialect(backend: Backend, url: str) -> None:
    engine = sa.create_engine(url)
    try:
        assert backend_for(engine).dialect is engine.dialect  # given an engine: its dialect
    finally:
        engine.dispose()
    assert backend.dialect.name == backend.name  # given a URL: the backend's default dialect


def case_quote(backend: Backend, url: str) -> None:
    assert backend.quote("Order Items") == '"Order Items"' and backend.quote("orders") == "orders"
    _run(url, f"CREATE TABLE {backend.quote('Order Items')} (id INTEGER PRIMARY KEY)")
    assert _scalar(url, f"SELECT count(*) FROM {backend.quote('Order Items')}") == 0


def case_describe(backend: Backend, url: str) -> None:
    parsed = parse_database_url(url)
    if backend.name == "sqlite":
        assert backend.describe(parsed) == f"sqlite file {parsed.database}"
    else:
        assert backend.describe(parsed) == f"{parsed.host}:{parsed.port or 5432}/{parsed.database}"
        assert backend.describe(parse_database_url("postgresql://db.example.com:6543/x")) == "db.example.com:6543/x"
        assert backend.describe(parse_database_url("postgresql:///x")) == "localhost:5432/x"


def case_default_port(backend: Backend, url: str) -> None:
    assert backend.default_port == {"sqlite": None, "postgresql": 5432}[backend.name]
    if backend.default_port is not None:  # the server answers where the URL, or the default, says
        assert _scalar(url, "SELECT inet_server_port()") == (parse_database_url(url).port or backend.default_port)


def case_database_file(backend: Backend, url: str) -> None:
    parsed = parse_database_url(url)
    if backend.name == "sqlite":
        _run(url, "CREATE TABLE t (id INTEGER)")
        path = backend.database_file(parsed)
        assert path is not None and path.is_file() and path == Path(parsed.database).resolve()
        assert backend.database_file(parse_database_url("sqlite://")) is None
    else:
        assert backend.database_file(parsed) is None


def case_create_migration_engine(backend: Backend, url: str) -> None:
    """DDL is transactional on both: a rolled-back CREATE TABLE leaves nothing."""
    engine = backend.create_migration_engine(sa.make_url(url))
    try:
        assert isinstance(engine.pool, sa.pool.NullPool)
        with engine.connect() as connection:
            connection.info["write"] = True
            connection.begin()
            connection.exec_driver_sql("CREATE TABLE t (id INTEGER)")
            connection.rollback()
            assert "t" not in sa.inspect(connection).get_table_names()
    finally:
        engine.dispose()


def case_install_pragmas(backend: Backend, url: str) -> None:
    engine = sa.create_engine(url)
    backend.install_pragmas(engine)
    try:
        with engine.connect() as connection:
            if backend.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
            else:  # nothing to set per connection
                assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    finally:
        engine.dispose()


def case_connect_snapshot(backend: Backend, url: str) -> None:
    """Read-only, one snapshot: a row committed meanwhile is not seen, a write is refused."""
    _run(url, "CREATE TABLE t (id INTEGER)", "INSERT INTO t VALUES (1)")
    snapshot = backend.connect_snapshot(parse_database_url(url), 5)
    try:
        cursor = snapshot.cursor()
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchall()[0][0] == 1
        _run(url, "INSERT INTO t VALUES (2)")
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchall()[0][0] == 1
        with pytest.raises(Exception, match="(?i)read-only|readonly"):
            cursor.execute("INSERT INTO t VALUES (3)")
    finally:
        snapshot.close()
    # No snapshot of a memory database, nor through a driver only SQLAlchemy knows: the full path runs instead.
    other = "sqlite://" if backend.name == "sqlite" else "postgresql+pg8000://u@127.0.0.1/db"
    assert backend.connect_snapshot(parse_database_url(other), 5) is None


_HOLDER = textwrap.dedent("""
    import sys
    from quantum.schema_engine.connect import create_migration_engine
    from quantum.schema_engine.ddl import backend_for

    engine = create_migration_engine(sys.argv[1])
    with engine.connect() as connection:
        with backend_for(connection).schema_lock(connection, namespace="backend-test", wait_seconds=30):
            print("held", flush=True)
            sys.stdin.read()  # until the test closes our stdin
""")


def case_schema_lock(backend: Backend, url: str) -> None:
    """Exclusive across processes: while another process holds it, waiting times out; then it is free."""
    _run(url, "CREATE TABLE t (id INTEGER)")  # the SQLite file exists
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, url], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"

        def wait_briefly(connection: sa.Connection) -> None:
            with pytest.raises(LockTimeout, match="migration lock"):
                with backend.schema_lock(connection, namespace="backend-test", wait_seconds=0.3):
                    pass

        _connected(url, wait_briefly)
    finally:
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0

    def take_it(connection: sa.Connection) -> None:
        with backend.schema_lock(connection, namespace="backend-test", wait_seconds=5):
            _connected(url, wait_briefly_in_process)

    def wait_briefly_in_process(connection: sa.Connection) -> None:  # a second connection of this process
        with pytest.raises(LockTimeout):
            with backend.schema_lock(connection, namespace="backend-test", wait_seconds=0.2):
                pass

    _connected(url, take_it)


def case_set_migration_timeouts(backend: Backend, url: str) -> None:
    """PostgreSQL: SET LOCAL, so the bounds end with the migration's transaction; SQLite has none to set."""

    def body(connection: sa.Connection) -> None:
        connection.begin()
        backend.set_migration_timeouts(connection, lock_timeout_ms=1234, statement_timeout_ms=56789)
        if backend.name == "postgresql":
            assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "1234ms"
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "56789ms"
        connection.rollback()
        if backend.name == "postgresql":
            assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "0"
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1

    _connected(url, body)


def case_foreign_key_violations(backend: Backend, url: str) -> None:
    """SQLite migrates with foreign keys off and checks after; PostgreSQL refuses the orphan as it is written."""
    _run(url, "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
         "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id))",
         "INSERT INTO parent VALUES (1)", "INSERT INTO child VALUES (1, 1)")

    def body(connection: sa.Connection) -> None:
        assert backend.foreign_key_violations(connection) == []
        connection.rollback()
        if backend.name == "sqlite":
            with connection.begin():
                connection.exec_driver_sql("INSERT INTO child VALUES (2, 99)")
            assert [tuple(row)[:3] for row in backend.foreign_key_violations(connection)] == [("child", 2, "parent")]
        else:
            with pytest.raises(sa.exc.IntegrityError), connection.begin():
                connection.exec_driver_sql("INSERT INTO child VALUES (2, 99)")
            assert backend.foreign_key_violations(connection) == []

    _connected(url, body)


def case_refresh_statistics(backend: Backend, url: str) -> None:
    """PostgreSQL: ANALYZE of each table named (pg_class.reltuples set); SQLite: PRAGMA optimize."""
    _run(url, "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20))", "CREATE INDEX ix_t_name ON t (name)",
         *[f"INSERT INTO t VALUES ({i}, 'n{i % 7}')" for i in range(50)])
    statements: list[str] = []

    def body(connection: sa.Connection) -> None:
        if backend.name == "sqlite":
            connection.connection.dbapi_connection.set_trace_callback(statements.append)
        backend.refresh_statistics(connection, {"t", "not_a_table"})
        assert not connection.in_transaction()

    _connected(url, body)
    if backend.name == "postgresql":
        assert _scalar(url, "SELECT reltuples FROM pg_class WHERE relname = 't'") == 50
    else:
        assert "PRAGMA optimize" in statements


def case_backup_before_migrating(backend: Backend, url: str) -> None:
    _run(url, "CREATE TABLE t (id INTEGER)", "INSERT INTO t VALUES (7)")
    backup = backend.backup_before_migrating(url, None, label="pre-test")
    if backend.name == "postgresql":
        assert backup is None  # the migration's transaction is the safety net
        return
    database = Path(parse_database_url(url).database)
    assert backup is not None and backup.parent == database.resolve().parent / "backups"
    assert backup.name.startswith(f"{database.stem}-pre-test-")
    assert _scalar(f"sqlite:///{backup}", "SELECT id FROM t") == 7
    assert backend.backup_before_migrating("sqlite://", None, label="x") is None


def case_schema_snapshot(backend: Backend, url: str) -> None:
    _run(url, "CREATE TABLE t (id INTEGER)")
    before = backend.schema_snapshot(url)
    _run(url, "CREATE INDEX ix_t_id ON t (id)")
    after = backend.schema_snapshot(url)
    if backend.name == "sqlite":
        assert ("table", "t", "CREATE TABLE t (id INTEGER)") in before and before != after
    else:
        assert before is after is None


def case_restore_backup(backend: Backend, url: str, tmp_path: Path) -> None:
    _run(url, "CREATE TABLE t (id INTEGER)")
    if backend.name == "postgresql":
        with pytest.raises(NotImplementedError):
            backend.restore_backup(tmp_path / "none", url)
        return
    backup = backend.backup_before_migrating(url, str(tmp_path / "b"), label="pre")
    _run(url, "CREATE TABLE u (id INTEGER)", "INSERT INTO t VALUES (1)")
    backend.restore_backup(backup, url)
    assert _scalar(url, "SELECT count(*) FROM sqlite_master WHERE name = 'u'") == 0
    assert _scalar(url, "SELECT count(*) FROM t") == 0


def case_batch_migrations(backend: Backend, url: str) -> None:
    """Batch mode exactly where ALTER TABLE cannot change a column's type."""
    _run(url, "CREATE TABLE t (id INTEGER, name VARCHAR(20))")
    alter = "ALTER TABLE t ALTER COLUMN name TYPE VARCHAR(40)"
    if backend.batch_migrations:
        with pytest.raises(sa.exc.OperationalError):
            _run(url, alter)
    else:
        _run(url, alter)
    assert backend.batch_migrations is (backend.name == "sqlite")


def case_types_differ(backend: Backend, url: str) -> None:
    if backend.name == "sqlite":  # affinities: FLOAT and DOUBLE are both REAL
        assert backend.types_differ(sa.Float(), sa.Double()) is False
        assert backend.types_differ(sa.Integer(), sa.Text()) is True
    else:  # Alembic's exact comparison decides
        assert backend.types_differ(sa.Float(), sa.Double()) is None


def case_stores_enum_natively(backend: Backend, url: str) -> None:
    mood = sa.Enum("calm", "busy", name="mood")
    assert backend.stores_enum_natively(mood) is (backend.name == "postgresql")
    assert backend.stores_enum_natively(sa.Enum("calm", "busy", name="mood", native_enum=False)) is False
    table = sa.Table("notes", sa.MetaData(), sa.Column("mood", mood))
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            table.create(connection)
            native = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_type WHERE typname = 'mood'" if backend.name == "postgresql" else "SELECT 0"
            ).scalar()
    finally:
        engine.dispose()
    assert bool(native) is backend.stores_enum_natively(mood)


def case_model_default(backend: Backend, url: str) -> None:
    column = sa.Column("n", sa.Integer, server_default="0")
    sa.Table("t", sa.MetaData(), column)
    assert backend.model_default(column) == "'0'"
    assert backend.model_default(sa.Column("m", sa.Integer, sa.Identity())) is None


def case_normalize_default(backend: Backend, url: str) -> None:
    _run(url, "CREATE TABLE t (n NUMERIC(10, 2) DEFAULT 0, flag BOOLEAN DEFAULT TRUE, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            live = {c["name"]: c["default"] for c in sa.inspect(connection).get_columns("t")}
    finally:
        engine.dispose()
    assert backend.normalize_default(live["n"]) == backend.normalize_default("'0'") == "0"
    assert backend.normalize_default(live["at"]) == backend.normalize_default("now()") == "now()"
    assert backend.normalize_default(live["flag"]) == backend.normalize_default(
        "1" if backend.name == "sqlite" else "true"
    )


def case_index_names(backend: Backend, url: str) -> None:
    """Expression indexes included (SQLAlchemy's SQLite reflection skips them)."""
    _run(url, "CREATE TABLE t (name VARCHAR(20))", "CREATE UNIQUE INDEX ux_t_name_lower ON t (lower(name))",
         "CREATE INDEX ix_t_name ON t (name)")
    _connected(url, lambda connection: _assert_equal(backend.index_names(connection, "t"), {"ux_t_name_lower", "ix_t_name"}))


def _assert_equal(found: object, expected: object) -> None:
    assert found == expected


def case_catalog_queries(backend: Backend, url: str) -> None:
    """The fingerprint follows the catalog, not the rows, and leaves the fingerprint table out."""
    assert backend.catalog_queries
    _run(url, "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20))")

    def fingerprint() -> str:
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                return catalog_fingerprint(lambda sql: connection.exec_driver_sql(sql).fetchall(), backend,
                                           version_table="alembic_version", ledger_table="schema_ledger")
        finally:
            engine.dispose()

    first = fingerprint()
    _run(url, "INSERT INTO t VALUES (1, 'a')", create_table_sql(),
         f"INSERT INTO {FINGERPRINT_TABLE} VALUES ('n', 'r', 'c', 'k', '[]', 'now')", "ANALYZE")
    assert fingerprint() == first
    _run(url, "CREATE INDEX ix_t_name ON t (name)")
    indexed = fingerprint()
    assert indexed != first
    _run(url, "ALTER TABLE t ADD COLUMN note VARCHAR(10)")
    assert fingerprint() != indexed


def case_catalog_object(backend: Backend, url: str) -> None:
    """Each catalog row names its object: the version table is found, so its contents count."""
    _run(url, "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)", "INSERT INTO alembic_version VALUES ('a')")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = [row for query in backend.catalog_queries for row in connection.exec_driver_sql(query).fetchall()]
            assert "alembic_version" in {backend.catalog_object(row) for row in rows}

            def fingerprint() -> str:
                return catalog_fingerprint(lambda sql: connection.exec_driver_sql(sql).fetchall(), backend,
                                           version_table="alembic_version", ledger_table="schema_ledger")

            first = fingerprint()
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'b'")
            assert fingerprint() != first
            connection.rollback()
    finally:
        engine.dispose()


def case_catalog_mentions(backend: Backend, url: str) -> None:
    """Rows of the fingerprint table, its index and its constraints all mention it."""
    _run(url, create_table_sql())
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = [row for query in backend.catalog_queries for row in connection.exec_driver_sql(query).fetchall()]
    finally:
        engine.dispose()
    assert rows and all(FINGERPRINT_TABLE in backend.catalog_mentions(row) for row in rows)


def _gate_case(url: str, body: Callable[[Callable[[str, tuple], list[tuple]]], None]) -> None:
    _connected(url, lambda connection: body(_query_on(connection)))


def case_has_rows(backend: Backend, url: str) -> None:
    """Whatever the table's name: a % in it is no placeholder."""
    odd = backend.quote("odd%name")
    _run(url, "CREATE TABLE t (id INTEGER)", f"CREATE TABLE {odd} (id INTEGER)")
    _gate_case(url, lambda query: _assert_equal([backend.has_rows(query, name) for name in ("t", "odd%name")],
                                                [False, False]))
    _run(url, "INSERT INTO t VALUES (1)", f"INSERT INTO {odd} VALUES (1)")
    _gate_case(url, lambda query: _assert_equal([backend.has_rows(query, name) for name in ("t", "odd%name")],
                                                [True, True]))


def case_table_exists(backend: Backend, url: str) -> None:
    _run(url, "CREATE TABLE t (id INTEGER)", "CREATE VIEW v AS SELECT id FROM t")
    _gate_case(url, lambda query: _assert_equal(
        [backend.table_exists(query, name) for name in ("t", "v", "missing")], [True, False, False]
    ))


def case_type_exists(backend: Backend, url: str) -> None:
    if backend.name == "postgresql":
        _run(url, "CREATE TYPE mood AS ENUM ('calm', 'busy')", "CREATE DOMAIN short_text AS VARCHAR(10)")
    _gate_case(url, lambda query: _assert_equal(
        [backend.type_exists(query, name) for name in ("mood", "short_text", "missing")],
        [backend.name == "postgresql"] * 2 + [False],
    ))


def case_is_enum_type(backend: Backend, url: str) -> None:
    if backend.name == "postgresql":
        _run(url, "CREATE TYPE mood AS ENUM ('calm', 'busy')", "CREATE DOMAIN short_text AS VARCHAR(10)")
    _gate_case(url, lambda query: _assert_equal(
        [backend.is_enum_type(query, name) for name in ("mood", "short_text")], [backend.name == "postgresql", False]
    ))


def case_column_catalog(backend: Backend, url: str) -> None:
    """Declared type, NOT NULL and default of each column, whatever the table's name."""
    _run(url, "CREATE TABLE t (id INTEGER NOT NULL, name VARCHAR(20) DEFAULT 'x', amount NUMERIC(10, 2))",
         "CREATE TABLE " + backend.quote('we"ird') + " (id INTEGER)")
    expected = {
        "sqlite": {"id": ("INTEGER", True, None), "name": ("VARCHAR(20)", False, "'x'"),
                   "amount": ("NUMERIC(10, 2)", False, None)},
        "postgresql": {"id": ("integer", True, None), "name": ("character varying(20)", False, True),
                       "amount": ("numeric(10,2)", False, None)},
    }[backend.name]
    _gate_case(url, lambda query: _assert_equal(backend.column_catalog(query, "t"), expected))
    _gate_case(url, lambda query: _assert_equal(list(backend.column_catalog(query, 'we"ird')), ["id"]))
    if backend.name == "sqlite":  # a column declared without a type (BLOB affinity) has an empty type
        _run(url, "CREATE TABLE untyped (anything, id INTEGER)")
        _gate_case(url, lambda query: _assert_equal(backend.column_catalog(query, "untyped")["anything"],
                                                    ("", False, None)))


def case_lossless_type_change(backend: Backend, url: str) -> None:
    """What the backend's catalog spells, judged by what a conversion keeps."""
    _run(url, "CREATE TABLE t (small SMALLINT, big BIGINT, word VARCHAR(5))")

    def body(query: Callable[[str, tuple], list[tuple]]) -> None:
        types = {name: entry[0] for name, entry in backend.column_catalog(query, "t").items()}
        assert backend.lossless_type_change(types["small"], types["big"]) is True
        assert backend.lossless_type_change(types["word"], types["word"].upper()) is True
        assert backend.lossless_type_change(types["big"], types["word"]) is (backend.name == "sqlite")  # to TEXT
        assert backend.lossless_type_change(types["word"], types["small"]) is False

    _gate_case(url, body)


CASES: dict[str, Callable[..., None]] = {
    name.removeprefix("case_"): function for name, function in dict(globals()).items() if name.startswith("case_")
}


def test_every_question_of_the_base_has_a_case() -> None:
    """A name added to Backend without a case here fails: every backend must be seen answering it."""
    public = {name for name in dir(Backend) if not name.startswith("_")}
    assert public == set(CASES)


@pytest.mark.parametrize("question", sorted(CASES))
def test_each_backend_answers(question: str, backend: str, empty_db_url: str, tmp_path: Path) -> None:
    case = CASES[question]
    answering = backend_for(empty_db_url)
    if "tmp_path" in case.__code__.co_varnames[: case.__code__.co_argcount]:
        case(answering, empty_db_url, tmp_path)
    else:
        case(answering, empty_db_url)


def test_the_lookup_takes_names_urls_connections_engines_and_dialects(empty_db_url: str, backend: str) -> None:
    engine = sa.create_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            sources = [backend, f"{backend}+driver", empty_db_url, sa.make_url(empty_db_url),
                       parse_database_url(empty_db_url), engine, connection, engine.dialect]
            assert {type(backend_for(source)) for source in sources} == {type(backend_for(backend))}
            assert backend_for(connection).dialect is engine.dialect
    finally:
        engine.dispose()
    assert type(backend_for("mysql")) is Backend and backend_for("mysql").name == "generic"
    known = backend_for(backend)
    assert backend_for(known) is known
