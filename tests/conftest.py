"""Fixtures: a fresh app per test on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from quantum import create_app
from quantum.config import normalize_database_url

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = normalize_database_url(
    os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"), "TEST_POSTGRES_URL"
)
# CI sets REQUIRE_POSTGRES=1: a PostgreSQL server that cannot be reached fails the run instead of skipping.
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

_pg_available: bool | None = None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: runs against the PostgreSQL server")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Under REQUIRE_POSTGRES=1 a PostgreSQL case that skips fails, as CI would (run it on one backend instead)."""
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_POSTGRES and report.skipped and "postgresql" in item.name:
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} skipped on PostgreSQL under REQUIRE_POSTGRES=1: {report.longrepr}"


def postgres_available() -> bool:
    """Whether the PostgreSQL test server answers (checked once)."""
    global _pg_available
    if _pg_available is None:
        try:
            engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            engine.dispose()
            _pg_available = True
        except sa.exc.OperationalError:
            _pg_available = False
    return _pg_available


def require_postgres() -> None:
    """Skip (or, under REQUIRE_POSTGRES=1, fail) when PostgreSQL is not reachable."""
    if postgres_available():
        return
    message = f"PostgreSQL is not reachable at {make_url(PG_ADMIN_URL).render_as_string(hide_password=True)}"
    if REQUIRE_POSTGRES:
        pytest.fail(message + " and REQUIRE_POSTGRES=1")
    pytest.skip(message)


def _admin_engine() -> sa.Engine:
    return sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def create_pg_database(template: str | None = None) -> str:
    """Create a fresh PostgreSQL database and return its URL."""
    name = "qt_" + uuid.uuid4().hex[:12]
    engine = _admin_engine()
    with engine.connect() as connection:
        clause = f' TEMPLATE "{template}"' if template else ""
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"{clause}')
    engine.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    """Drop a test database, disconnecting whoever is still on it."""
    name = make_url(url).database
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test that uses it runs once on SQLite and once on PostgreSQL."""
    if request.param == "postgresql":
        require_postgres()
    return request.param


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path):
    """The URL of a brand-new, empty database on the backend under test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    url = create_pg_database()
    yield url
    drop_pg_database(url)


@pytest.fixture(scope="session")
def _migrated_templates(tmp_path_factory: pytest.TempPathFactory):
    """One migrated database per backend per session, copied for each test (fast, seed data included)."""
    from quantum.config import load_settings
    from quantum.schema import ensure_app_schema

    templates: dict[str, str] = {}
    created_pg: list[str] = []

    def get(backend: str) -> str:
        if backend not in templates:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.db'}"
            else:
                url = create_pg_database()
                created_pg.append(url)
            settings = load_settings({"DATABASE_URL": url, "QUANTUM_ENV": "testing"}, instance_path=str(ROOT / "instance"))
            ensure_app_schema(settings)
            templates[backend] = url
        return templates[backend]

    yield get
    for url in created_pg:
        drop_pg_database(url)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, _migrated_templates):
    """A database at head (a copy of the session's migrated template)."""
    template = _migrated_templates(backend)
    if backend == "sqlite":
        target = tmp_path / "app.db"
        shutil.copy(make_url(template).database, target)
        yield f"sqlite:///{target}"
        return
    url = create_pg_database(template=make_url(template).database)
    yield url
    drop_pg_database(url)


@pytest.fixture
def pg_empty_url():
    """A fresh, empty PostgreSQL database, for behaviour only PostgreSQL has."""
    require_postgres()
    url = create_pg_database()
    yield url
    drop_pg_database(url)


@pytest.fixture
def pg_url(_migrated_templates):
    """A migrated PostgreSQL database, for behaviour only PostgreSQL has."""
    require_postgres()
    url = create_pg_database(template=make_url(_migrated_templates("postgresql")).database)
    yield url
    drop_pg_database(url)


def make_app(database_url: str, **config):
    """A fresh app in testing mode on `database_url`."""
    return create_app(
        {"DATABASE_URL": database_url, "QUANTUM_ENV": "testing", "JWT_SECRET_KEY": TEST_SECRET, **config}
    )


@pytest.fixture
def app(db_url: str):
    """A fresh app per test, on a migrated database of the backend under test."""
    application = make_app(db_url)
    yield application
    from quantum.extensions import db

    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client for `app`."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for `app`."""
    return app.test_cli_runner()


def run_flask(args: list[str], database_url: str | None, *, env: dict | None = None, timeout: float = 120):
    """Run `flask ARGS` in a subprocess the way an operator would; return the CompletedProcess."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "QUANTUM_", "JWT_"))}
    full_env.update({"QUANTUM_ENV": "testing", "JWT_SECRET_KEY": TEST_SECRET, "PYTHONUNBUFFERED": "1"})
    if database_url is not None:
        full_env["DATABASE_URL"] = database_url
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout
    )


# --- Accounts and credentials (issue 3); see tests/auth/helpers.py for the functions behind these. ---


@pytest.fixture
def user_factory(app):
    """`user_factory(tier="pro", role="admin", status="suspended", email=..., password=...)` -> a User.

    Made through the account service: no HTTP, so no rate limit is consumed.
    """
    from tests.auth.helpers import create_user

    def make(**kwargs):
        return create_user(app, **kwargs)

    return make


@pytest.fixture
def auth_headers(app, user_factory):
    """`auth_headers(user=None, **user_kwargs)` -> {"Authorization": "Bearer <access token>"}.

    Without `user`, a new user is made with `user_kwargs` (e.g. tier="pro").
    """
    from tests.auth.helpers import bearer

    def make(user=None, **user_kwargs):
        return bearer(app, user if user is not None else user_factory(**user_kwargs))

    return make


@pytest.fixture
def api_key_headers(app, user_factory):
    """`api_key_headers(user=None, scopes=None, **user_kwargs)` -> {"X-API-Key": "<key>"}."""
    from tests.auth.helpers import api_key

    def make(user=None, scopes=None, **user_kwargs):
        return {"X-API-Key": api_key(app, user if user is not None else user_factory(**user_kwargs), scopes=scopes)}

    return make
