"""gunicorn's access log, computing only the atoms the format uses (gunicorn.conf.py's logger_class).

For every request gunicorn's `Logger.atoms` computes all 19 atoms plus one `{name}i`, `{name}o` and
`{name}e` entry per request header, response header and WSGI environ variable (about 40 formatted,
lower-cased keys), and `SafeAtoms` then copies them all: ~45 us of the ~57 us a line costs in-process,
for a default format that reads 9 of them. This logger computes the atoms the format names, each as
gunicorn computes it, so every line is the same. A format that names a header or environ variable
(`%({...}x)s`) or an atom this module does not know gets gunicorn's own `atoms`.
tests/observability/test_accesslog.py compares the lines with gunicorn's for every atom.

With JSON logs (`LOG_FORMAT=json`, production's default) every line gunicorn writes is one JSON
object: its own messages through the app's JsonFormatter, and each access line as fields
(method, path, status, bytes, duration, client) with the request id the app gave the request.
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from gunicorn.glogging import Logger

from quantum.config import log_format_from_environment
from quantum.observability.logs import JsonFormatter
from quantum.observability.request_id import ENVIRON_KEY, HEADER


def _status(resp: Any) -> Any:
    status = resp.status
    return status.split(None, 1)[0] if isinstance(status, str) else status


# Each atom as gunicorn 27's Logger.atoms computes it: (logger, response, environ, request_time) -> value.
ATOMS: dict[str, Callable[[Logger, Any, dict, Any], Any]] = {
    "h": lambda log, resp, env, rt: env.get("REMOTE_ADDR", "-"),
    "l": lambda log, resp, env, rt: "-",
    "u": lambda log, resp, env, rt: log._get_user(env) or "-",
    "t": lambda log, resp, env, rt: log.now(),
    "r": lambda log, resp, env, rt: f"{env['REQUEST_METHOD']} {env['RAW_URI']} {env['SERVER_PROTOCOL']}",
    "s": lambda log, resp, env, rt: _status(resp),
    "m": lambda log, resp, env, rt: env.get("REQUEST_METHOD"),
    "U": lambda log, resp, env, rt: env.get("PATH_INFO"),
    "q": lambda log, resp, env, rt: env.get("QUERY_STRING"),
    "H": lambda log, resp, env, rt: env.get("SERVER_PROTOCOL"),
    "b": lambda log, resp, env, rt: getattr(resp, "sent", None) is not None and str(resp.sent) or "-",
    "B": lambda log, resp, env, rt: getattr(resp, "sent", None),
    "f": lambda log, resp, env, rt: env.get("HTTP_REFERER", "-"),
    "a": lambda log, resp, env, rt: env.get("HTTP_USER_AGENT", "-"),
    "T": lambda log, resp, env, rt: rt.seconds,
    "D": lambda log, resp, env, rt: (rt.seconds * 1000000) + rt.microseconds,
    "M": lambda log, resp, env, rt: (rt.seconds * 1000) + int(rt.microseconds / 1000),
    "L": lambda log, resp, env, rt: f"{rt.seconds:d}.{rt.microseconds:06d}",
    "p": lambda log, resp, env, rt: f"<{os.getpid()}>",
}
_NAMES = re.compile(r"%\(([^)]*)\)")


@lru_cache(maxsize=8)
def used_atoms(log_format: str) -> tuple[str, ...] | None:
    """The atoms `log_format` names, or None when it names one only gunicorn's full set has."""
    names = tuple(dict.fromkeys(_NAMES.findall(log_format)))
    return names if all(name in ATOMS for name in names) else None


class AccessLogger(Logger):
    """gunicorn's Logger; the same access lines, from only the atoms their format uses."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        """The atoms the access log format names (all of gunicorn's when it names a header or variable)."""
        names = used_atoms(self.cfg.access_log_format)
        if names is None:
            return super().atoms(resp, req, environ, request_time)
        return {name: ATOMS[name](self, resp, environ, request_time) for name in names}


    def setup(self, cfg: Any) -> None:
        """gunicorn's handlers; with JSON logs, each of them writes JSON lines."""
        super().setup(cfg)
        self.json_lines = log_format_from_environment() == "json"
        if self.json_lines:
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    if getattr(handler, "_gunicorn", False):
                        handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict, request_time: Any) -> None:
        """One access line: gunicorn's text format, or a JSON object carrying the request id."""
        if not getattr(self, "json_lines", False):
            super().access(resp, req, environ, request_time)
            return
        if not self.access_log_enabled:
            return
        try:
            self.access_log.info("%s %s %s", environ.get("REQUEST_METHOD"), environ.get("RAW_URI"), _status(resp),
                                 extra=json_access_fields(resp, environ, request_time))
        except Exception:  # noqa: BLE001 - a log line must never break a response; gunicorn does the same
            self.error(traceback.format_exc())


def json_access_fields(resp: Any, environ: dict, request_time: Any) -> dict[str, Any]:
    """The fields of a JSON access line; `request_id` is the id the app used (or the client sent)."""
    status = _status(resp)
    return {
        "request_id": environ.get(ENVIRON_KEY) or environ.get("HTTP_" + HEADER.upper().replace("-", "_")) or "-",
        "remote_addr": environ.get("REMOTE_ADDR", "-"),
        "method": environ.get("REQUEST_METHOD"),
        "path": environ.get("PATH_INFO"),
        "query": environ.get("QUERY_STRING") or "",
        "protocol": environ.get("SERVER_PROTOCOL"),
        "status": int(status) if str(status).isdigit() else status,
        "bytes": getattr(resp, "sent", None),
        "duration_ms": round(request_time.total_seconds() * 1000, 3),
        "user_agent": environ.get("HTTP_USER_AGENT", "-"),
        "referer": environ.get("HTTP_REFERER", "-"),
    }
