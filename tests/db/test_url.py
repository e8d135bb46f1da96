"""quantum.schema_engine.url parses database URLs exactly as SQLAlchemy's make_url does (it must, without importing it)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from quantum.config import ConfigError, normalize_database_url
from quantum.schema_engine.connect import describe_url, sqlite_path
from quantum.schema_engine.url import MalformedURL, parse_database_url

URLS = [
    "sqlite:///relative/app.db",
    "sqlite:////var/data/app.db",
    "sqlite://",
    "sqlite:///:memory:",
    "postgresql://localhost/app",
    "postgresql+psycopg2://user:secret@db.example.com:6543/app",
    "postgresql://user:p%40ss%2Fword@host/app",
    "postgresql://user@[::1]:5432/app",
    "postgresql://host/app?sslmode=require&application_name=x",
    "postgresql:///app",
    "postgresql://user:@host/app",
    "postgresql://u%20ser@host/d%2Fb",
]


@pytest.mark.parametrize("url", URLS)
def test_agrees_with_sqlalchemy(url):
    ours, theirs = parse_database_url(url), make_url(url)
    assert ours.backend == theirs.get_backend_name()
    assert (ours.driver or theirs.get_driver_name()) == theirs.get_driver_name() or ours.driver is None
    assert (ours.username, ours.password, ours.host, ours.port, ours.database) == (
        theirs.username, theirs.password, theirs.host, theirs.port, theirs.database
    )
    assert ours.query == dict(theirs.query)
    assert ours.describe() == describe_url(url)
    assert ours.sqlite_file() == sqlite_path(url)


@pytest.mark.parametrize("url", ["not a url", "://nothing", "postgresql://host:port/app", ""])
def test_malformed(url):
    with pytest.raises(MalformedURL):
        parse_database_url(url)


def test_settings_keep_their_rules():
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg2://u@h/db"
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+psycopg2://u@h/db"
    assert normalize_database_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"
    for bad, words in [("mysql://u@h/db", "unsupported backend"), ("postgresql://u@h", "must name a database"),
                       ("nonsense", "malformed")]:
        with pytest.raises(ConfigError, match=words):
            normalize_database_url(bad)
