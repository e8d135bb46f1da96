"""The access logger writes exactly gunicorn's access line, for every atom, with or without header atoms."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger, SafeAtoms

from quantum.observability.accesslog import ATOMS, AccessLogger, used_atoms

FORMATS = [
    Config().access_log_format,  # gunicorn's default, which gunicorn.conf.py keeps
    '%(h)s "%(r)s" %(s)s %({x-request-id}i)s %({x-request-id}o)s %({remote_port}e)s',  # header atoms: full set
    " ".join(f"%({name})s" for name in ATOMS),  # every atom this module computes
    '%(h)s %(unknown)s %(s)s',  # a name gunicorn renders as '-': gunicorn's own atoms
]
ENVIRONS = [
    {"REMOTE_ADDR": "10.0.0.7", "REQUEST_METHOD": "GET", "RAW_URI": "/api/portfolio/latest?x=1",
     "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/api/portfolio/latest", "QUERY_STRING": "x=1",
     "HTTP_AUTHORIZATION": "Bearer abc", "HTTP_USER_AGENT": 'wrk "quoted"', "HTTP_REFERER": "https://a.example/",
     "REMOTE_PORT": "5123", "HTTP_X_REQUEST_ID": "rid-1", "wsgi.url_scheme": "http"},
    {"REQUEST_METHOD": "POST", "RAW_URI": "/api/auth/login", "SERVER_PROTOCOL": "HTTP/1.0",
     "HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},  # Basic auth: the user atom
]


def _line(logger_class: type, fmt: str, environ: dict, monkeypatch: pytest.MonkeyPatch, sent: int | None = 1234,
          status: object = "200 OK") -> str:
    config = Config()
    config.set("access_log_format", fmt)
    logger = logger_class(config)
    monkeypatch.setattr(logger, "now", lambda: "[22/Nov/2026:07:00:00 +0000]")
    response = SimpleNamespace(status=status, sent=sent, headers=[("Content-Type", "application/json"),
                                                                  ("X-Request-ID", "rid-1")])
    request = SimpleNamespace(headers=[("HOST", "localhost"), ("X-REQUEST-ID", "rid-1")])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(seconds=1, microseconds=2345))
    return fmt % SafeAtoms(atoms)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("environ", ENVIRONS)
@pytest.mark.parametrize(("sent", "status"), [(1234, "200 OK"), (None, "304 Not Modified"), (0, 503)])
def test_same_line_as_gunicorn(fmt: str, environ: dict, sent: int | None, status: object,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _line(Logger, fmt, environ, monkeypatch, sent, status)
    assert _line(AccessLogger, fmt, environ, monkeypatch, sent, status) == expected


def test_the_lines_hold_what_they_should(monkeypatch: pytest.MonkeyPatch) -> None:
    default, with_headers, _all, _unknown = FORMATS
    line = _line(AccessLogger, default, ENVIRONS[0], monkeypatch)
    assert line == ('10.0.0.7 - - [22/Nov/2026:07:00:00 +0000] "GET /api/portfolio/latest?x=1 HTTP/1.1" 200 1234 '
                    '"https://a.example/" "wrk \\"quoted\\""')
    assert _line(AccessLogger, default, ENVIRONS[1], monkeypatch).startswith('- - user [')
    assert _line(AccessLogger, with_headers, ENVIRONS[0], monkeypatch).endswith(" 200 rid-1 rid-1 5123")


def test_which_formats_take_the_short_way() -> None:
    assert used_atoms(FORMATS[0]) == ("h", "l", "u", "t", "r", "s", "b", "f", "a")
    assert used_atoms(FORMATS[1]) is None and used_atoms(FORMATS[3]) is None
    # The module knows every atom gunicorn computes, besides the header and environ ones.
    gunicorn_atoms = Logger(Config()).atoms(SimpleNamespace(status="200 OK", headers=[]), [], {
        "REQUEST_METHOD": "GET", "RAW_URI": "/", "SERVER_PROTOCOL": "HTTP/1.1"}, datetime.timedelta())
    assert set(used_atoms(FORMATS[2])) == {name for name in gunicorn_atoms if "{" not in name}


def test_gunicorn_conf_uses_it() -> None:
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "gunicorn.conf.py").read_text()
    assert 'logger_class = "quantum.observability.accesslog.AccessLogger"' in source
