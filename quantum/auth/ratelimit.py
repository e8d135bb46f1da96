"""Rate limits on login and register (Flask-Limiter), configured per app.

Limits are read from the app config on each request, so tests and operators can change them:
`RATELIMIT_LOGIN` and `RATELIMIT_REGISTER` (e.g. "10 per minute"), storage in
`RATELIMIT_STORAGE_URI`: by default one SQLite file per host (quantum.auth.ratelimit_storage),
so every worker counts against the same limit; redis://host:6379 for several hosts.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# One extension object, bound to each app by init_app (every app gets its own storage).
limiter = Limiter(key_func=get_remote_address)


def login_limit() -> str:
    """The login limit of the current app."""
    return current_app.config["RATELIMIT_LOGIN"]


def register_limit() -> str:
    """The register limit of the current app."""
    return current_app.config["RATELIMIT_REGISTER"]


def needs_request_hook(active: Limiter) -> bool:
    """Whether any limit applies outside the decorated views: application, default, blueprint or meta limits.

    Decorated limits (login, register) are checked by their decorator when the view runs, not by the
    before_request hook; the hook only ever enforces these other kinds (and the in-memory fallback).
    """
    manager = active.limit_manager
    return bool(
        manager._application_limits or manager._default_limits or manager._blueprint_limits
        or active._meta_limits or active._in_memory_fallback_enabled
    )


def gate_request_hook(app: Flask, active: Limiter) -> None:
    """Let Flask-Limiter's before_request check run only while `needs_request_hook` says it can do anything.

    With no such limit configured it resolves, for every request, that there is nothing to check:
    ~60 us of CPU on each request to every route. The gate asks on every request (a few attribute
    reads), so limits added later, or set in the config (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION,
    RATELIMIT_META), are enforced as before.
    """
    hooks = app.before_request_funcs.setdefault(None, [])
    check = active._check_request_limit

    def _rate_limit_check() -> None:
        if needs_request_hook(active):
            check()

    hooks[hooks.index(check)] = _rate_limit_check
