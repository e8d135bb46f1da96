"""Rate limits on login and register (Flask-Limiter), configured per app.

Limits are read from the app config on each request, so tests and operators can change them:
`RATELIMIT_LOGIN` and `RATELIMIT_REGISTER` (e.g. "10 per minute"), storage in
`RATELIMIT_STORAGE_URI`: by default one SQLite file per host (quantum.auth.ratelimit_storage),
so every worker counts against the same limit; redis://host:6379 for several hosts.
"""

from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# Re-exported for init_auth: the gate on the before_request hook touches Flask-Limiter internals (the adapter).
from quantum.auth.adapters.flask_limiter import gate_request_hook, needs_request_hook

__all__ = ["gate_request_hook", "limiter", "login_limit", "needs_request_hook", "register_limit"]

# One extension object, bound to each app by init_app (every app gets its own storage).
limiter = Limiter(key_func=get_remote_address)


def login_limit() -> str:
    """The login limit of the current app."""
    return current_app.config["RATELIMIT_LOGIN"]


def register_limit() -> str:
    """The register limit of the current app."""
    return current_app.config["RATELIMIT_REGISTER"]
