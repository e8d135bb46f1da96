"""Fixtures for PostgreSQL-only engine tests."""

import pytest

from tests.conftest import create_pg_database, drop_pg_database, require_postgres


@pytest.fixture
def pg_empty_url():
    """A fresh, empty PostgreSQL database (for behaviour only PostgreSQL has)."""
    require_postgres()
    url = create_pg_database()
    yield url
    drop_pg_database(url)
