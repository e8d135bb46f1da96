"""gunicorn's access log, computing only the atoms the format uses (gunicorn.conf.py's logger_class).

For every request gunicorn's `Logger.atoms` computes all 19 atoms plus one `{name}i`, `{name}o` and
`{name}e` entry per request header, response header and WSGI environ variable (about 40 formatted,
lower-cased keys), and `SafeAtoms` then copies them all: ~45 us of the ~57 us a line costs in-process,
for a default format that reads 9 of them. This logger computes the atoms the format names, each as
gunicorn computes it, so every line is the same. A format that names a header or environ variable
(`%({...}x)s`) or an atom this module does not know gets gunicorn's own `atoms`.
tests/observability/test_accesslog.py compares the lines with gunicorn's for every atom.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from gunicorn.glogging import Logger


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
