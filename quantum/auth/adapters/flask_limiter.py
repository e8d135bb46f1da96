"""Flask-Limiter internals behind two things the public API cannot do, in one place.

1. Skip Flask-Limiter's before_request check while it cannot enforce anything (`gate_request_hook`).
   Our only limits decorate login and register, and the decorator checks those itself when the view
   runs; the global before_request hook still resolves, on every request to every route, that there is
   nothing to check. No public API skips it: `request_filter` and `exempt` are consulted inside that
   same check (after the work), and a filter cannot tell the hook's call from the decorator's.
   Saves 0.11 to 0.14 ms of CPU and 271 Python calls on every request to every route
   (`.venv/bin/python bench/library_adapters.py`; docs/PERFORMANCE.md, "Library internals"): an
   in-process `GET /api/health` makes 1,437 calls instead of 1,708 and costs 20 to 29% less CPU.
2. Give each app its own RATELIMIT_KEY_PREFIX (`forget_key_prefix`). The project has one Limiter
   object (views decorate with it at import time), and `init_app` keeps a key prefix it already has:
   without this, every app after the first would count under the first app's prefix.

Private names used (Flask-Limiter 4.1.1, pinned in requirements.txt):

* `Limiter._check_request_limit`: the hook `init_app` registers with `app.before_request`;
* `Limiter._meta_limits`, `Limiter._in_memory_fallback_enabled`, and the limit manager's
  `_application_limits`, `_default_limits`, `_blueprint_limits`: whether any limit other than a
  decorated one exists (the only ones the hook enforces);
* `Limiter._key_prefix`: what `init_app` keeps instead of reading RATELIMIT_KEY_PREFIX.

tests/auth/test_library_contracts.py checks each of them (existence, signature, and the same answers
with and without the gate on real requests) and names the installed version when one changed.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version

from flask import Flask
from flask_limiter import Limiter


def forget_key_prefix(active: Limiter) -> None:
    """Make the next `init_app` read RATELIMIT_KEY_PREFIX from the app it binds (it keeps one it already has)."""
    active._key_prefix = ""


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


def library_request_hook(active: Limiter) -> Callable[[], None]:
    """The before_request hook `init_app` registers: the check of every limit that is not a decorator's."""
    return active._check_request_limit


def gate_request_hook(app: Flask, active: Limiter) -> None:
    """Let Flask-Limiter's before_request check run only while `needs_request_hook` says it can do anything.

    The gate asks on every request (a few attribute reads), so limits added later, or set in the
    config (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION, RATELIMIT_META), are enforced as before.
    """
    hooks = app.before_request_funcs.setdefault(None, [])
    check = library_request_hook(active)
    if check not in hooks:
        raise RuntimeError(
            f"Flask-Limiter {version('Flask-Limiter')} registered no `_check_request_limit` before_request hook "
            "on this app: quantum/auth/adapters/flask_limiter.py must follow its new internals"
        )

    def _rate_limit_check() -> None:
        if needs_request_hook(active):
            check()

    hooks[hooks.index(check)] = _rate_limit_check
