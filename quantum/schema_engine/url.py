"""Database URLs parsed with the standard library only, the way SQLAlchemy's `make_url` parses them.

Settings are validated and `flask db-ensure` checks an up-to-date database before SQLAlchemy is
imported (importing it costs more than the whole no-op check), so this module must stay free of
SQLAlchemy. The pattern is SQLAlchemy's own (`sqlalchemy.engine.url._parse_url`);
tests/db/test_url.py checks that both agree on every URL form we accept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote

if TYPE_CHECKING:
    from quantum.schema_engine.ddl.base import Backend

_PATTERN = re.compile(
    r"""
        (?P<name>[\w\+]+)://
        (?:
            (?P<username>[^:/]*)
            (?::(?P<password>[^@]*))?
        @)?
        (?:
            (?:
                \[(?P<ipv6host>[^/\?]+)\] |
                (?P<ipv4host>[^/:\?]+)
            )?
            (?::(?P<port>[^/\?]*))?
        )?
        (?:/(?P<database>[^\?]*))?
        (?:\?(?P<query>.*))?
    """,
    re.X,
)


class MalformedURL(ValueError):
    """The string is not a database URL."""


@dataclass(frozen=True)
class DatabaseURL:
    """The parts of a database URL."""

    backend: str
    driver: str | None
    username: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    database: str | None = None
    query: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """A short, password-free name: host:port/db or the SQLite path (as the engine names it)."""
        return _backend(self).describe(self)

    def sqlite_file(self) -> Path | None:
        """The file behind a SQLite URL, or None for memory databases and other backends."""
        return _backend(self).database_file(self)


def _backend(url: DatabaseURL) -> Backend:
    # Imported here: the backends parse URLs with this module. Both stay free of SQLAlchemy.
    from quantum.schema_engine.ddl import backend_for

    return backend_for(url)


def parse_database_url(url: str) -> DatabaseURL:
    """Split a URL into its parts; MalformedURL when it is not one."""
    match = _PATTERN.match(url)
    if match is None:
        raise MalformedURL(url)
    parts = match.groupdict()
    name = parts["name"]
    backend, _, driver = name.partition("+")
    port = parts["port"]
    if port and not port.isdigit():
        raise MalformedURL(url)
    return DatabaseURL(
        backend=backend,
        driver=driver or None,
        username=unquote(parts["username"]) if parts["username"] is not None else None,
        password=unquote(parts["password"]) if parts["password"] is not None else None,
        host=parts["ipv4host"] or parts["ipv6host"],
        port=int(port) if port else None,
        database=unquote(parts["database"]) if parts["database"] is not None else None,
        query=dict(parse_qsl(parts["query"])) if parts["query"] else {},
    )
