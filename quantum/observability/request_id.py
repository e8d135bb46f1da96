"""A request id on every request, every response and every log line."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from flask import Flask, Response, g, request

_current: ContextVar[str] = ContextVar("request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEADER = "X-Request-ID"
# Where the id is left in the WSGI environ, for gunicorn's access line (written after the response).
ENVIRON_KEY = "quantum.request_id"


def current_request_id() -> str:
    """The id of the request being served, or '-' outside a request."""
    return _current.get()


def install_request_ids(app: Flask) -> None:
    """Take a well-formed incoming X-Request-ID or make one; echo it on the response."""

    @app.before_request
    def _assign() -> None:
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        g.request_id = request_id
        request.environ[ENVIRON_KEY] = request_id
        g.request_id_token = _current.set(request_id)

    @app.after_request
    def _echo(response: Response) -> Response:
        response.headers[HEADER] = g.get("request_id", "-")
        return response

    @app.teardown_request
    def _reset(_exc: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            _current.reset(token)
