"""Error types and the one JSON error format every response uses."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Request, Response, current_app, has_app_context, jsonify
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError, StatementError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# The `error` value for each HTTP status when nothing more specific is known.
STATUS_ERRORS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


class APIError(Exception):
    """An error that becomes a JSON response in the one format."""

    status = 400
    error = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error: str | None = None,
        details: dict | None = None,
        retry_after: int | None = None,
        error_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if error is not None:
            self.error = error
        self.details = details or {}
        self.retry_after = retry_after
        self.error_code = error_code


class NotFound(APIError):
    """A resource that does not exist or is not the caller's."""

    status = 404
    error = "not_found"


class Conflict(APIError):
    """A request that clashes with the current state (duplicates, balances)."""

    status = 409
    error = "conflict"


class ValidationFailed(APIError):
    """Input that parsed but broke a rule; details name each field."""

    status = 422
    error = "validation_error"


class ValueOutOfRange(ValueError):
    """A value a column cannot hold (raised while binding it, before the database sees it)."""


# PostgreSQL's SQLSTATEs for a value out of a column's range: numeric_value_out_of_range and
# string_data_right_truncation. Input validation keeps requests inside the ranges; this is the net.
OUT_OF_RANGE_SQLSTATES = {"22003", "22001"}


class ServiceUnavailable(APIError):
    """A dependency (the database, the schema) is not ready: retry later."""

    status = 503
    error = "service_unavailable"

    def __init__(self, message: str, *, retry_after: int = 5, **kwargs: Any) -> None:
        super().__init__(message, retry_after=retry_after, **kwargs)


def error_response(
    status: int,
    error: str,
    message: str,
    *,
    details: dict | None = None,
    retry_after: int | None = None,
    error_code: str | None = None,
) -> Response:
    """Build the one error body: error, message, details, error_code, retry_after."""
    if status >= 500:
        message, details = _without_database_names(error, message, details)
    body: dict[str, Any] = {
        "error": error,
        "message": message,
        "details": details or {},
        "error_code": error_code or f"GEN_{status}",
    }
    if retry_after is not None:
        body["retry_after"] = int(retry_after)
    response = jsonify(body)
    response.status_code = status
    if retry_after is not None:
        response.headers["Retry-After"] = str(int(retry_after))
    return response


REDACTED = "[database]"


def _database_names_pattern() -> re.Pattern | None:
    """A pattern matching the configured database's host, name, user and file path (cached per app)."""
    cached = current_app.extensions.get("quantum_database_names", False)
    if cached is not False:
        return cached
    names: set[str] = set()
    settings = current_app.config.get("QUANTUM_SETTINGS")
    migration_url = settings.database.migration_url if settings is not None else None
    for raw in (current_app.config.get("SQLALCHEMY_DATABASE_URI"), migration_url):
        if not raw:
            continue
        try:
            url = make_url(str(raw))
        except Exception:  # noqa: BLE001 - an unparsable URL has nothing to hide from this list
            continue
        names.update(name for name in (url.host, url.database, url.username) if name)
        if url.database and "/" in url.database:
            names.add(url.database.rsplit("/", 1)[1])  # a SQLite file's own name
    names = {name for name in names if len(name) >= 2}
    pattern = None
    if names:
        alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w-])")
    current_app.extensions["quantum_database_names"] = pattern
    return pattern


def _without_database_names(error: str, message: str, details: dict | None) -> tuple[str, dict | None]:
    """The message and details of a 5xx with the database's host, name, user and path replaced (logged whole).

    Messages about an unreachable database quote the driver (`connection to server at "db.internal" ...,
    database "quantum" does not exist`); clients get the reason, operators get the names in the log.
    """
    if not has_app_context():
        return message, details
    pattern = _database_names_pattern()
    if pattern is None:
        return message, details
    redacted = pattern.sub(REDACTED, message)
    clean_details = {
        key: pattern.sub(REDACTED, value) if isinstance(value, str) else value for key, value in (details or {}).items()
    }
    if redacted != message or clean_details != (details or {}):
        log.warning("%s (answered without the database names): %s %s", error, message, details or "")
    return redacted, clean_details


class JSONRequest(Request):
    """A request whose malformed JSON body becomes a clear 400, not an HTML page."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        """Raise the one-format error for a body that is not valid JSON."""
        if e is None:
            raise APIError(
                "the request body must be JSON (Content-Type: application/json)",
                status=415,
                error="unsupported_media_type",
            )
        raise APIError("the request body is not valid JSON", error="malformed_json", details={"json": str(e)[:200]})


def _http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    details: dict = {}
    # flask-smorest / webargs put field errors in data["messages"] keyed by location.
    messages = data.get("messages") if isinstance(data, dict) else None
    if isinstance(messages, dict):
        for location_errors in messages.values():
            if isinstance(location_errors, dict):
                details.update(location_errors)
            else:
                details["_schema"] = location_errors
    message = exc.description or STATUS_ERRORS.get(status, "error")
    if status == 422 and details:
        message = "invalid input: " + ", ".join(sorted(details))
    retry_after = None
    if status == 429:
        retry_after = _retry_after_from_headers(exc) or 60
    return error_response(status, STATUS_ERRORS.get(status, "http_error"), message, details=details, retry_after=retry_after)


def _retry_after_from_headers(exc: HTTPException) -> int | None:
    response = getattr(exc, "response", None)
    if response is not None and response.headers.get("Retry-After"):
        try:
            return int(response.headers["Retry-After"])
        except ValueError:
            return None
    return None


def _out_of_range() -> Response:
    return error_response(409, "value_out_of_range",
                          "the request would make an amount larger than the service can store")


def register_error_handlers(app: Flask) -> None:
    """Map every error (ours, Flask's, the extensions', the database's) onto the one format."""

    @app.errorhandler(APIError)
    def _api_error(exc: APIError) -> Response:
        return error_response(
            exc.status, exc.error, exc.message, details=exc.details, retry_after=exc.retry_after, error_code=exc.error_code
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return _http_exception(exc)

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError) -> Response:
        log.warning("integrity error: %s", exc.orig)
        return error_response(409, "conflict", "the request conflicts with existing data")

    @app.errorhandler(OperationalError)
    def _operational_error(exc: OperationalError) -> Response:
        # The runtime's QueryTimeout (quantum.db.deadline) carries the bound it exceeded; errors sit below
        # the runtime in the layers, so the handler reads that attribute instead of importing the class.
        if (timeout_ms := getattr(exc.orig, "timeout_ms", None)) is not None:
            log.error("database timeout: %s", exc.orig)
            return error_response(
                503, "database_timeout", "the database did not answer in time; retry shortly",
                details={"timeout_ms": timeout_ms}, retry_after=max(1, -(-timeout_ms // 1000)),
            )
        log.error("database unavailable: %s", exc.orig)
        return error_response(503, "database_unavailable", "the database is not answering; retry shortly", retry_after=5)

    @app.errorhandler(DataError)
    def _data_error(exc: DataError) -> Response:
        if getattr(exc.orig, "pgcode", None) in OUT_OF_RANGE_SQLSTATES:
            log.warning("value out of a column's range: %s", exc.orig)
            return _out_of_range()
        return _dbapi_error(exc)

    @app.errorhandler(StatementError)
    def _statement_error(exc: StatementError) -> Response:
        if isinstance(exc, DBAPIError):
            return _dbapi_error(exc)
        if isinstance(exc.orig, ValueOutOfRange):
            log.warning("value out of a column's range: %s", exc.orig)
            return _out_of_range()
        log.exception("statement error")
        return error_response(500, "internal_error", "an unexpected error occurred")

    @app.errorhandler(DBAPIError)
    def _dbapi_error(exc: DBAPIError) -> Response:
        if exc.connection_invalidated:
            return error_response(503, "database_unavailable", "the database connection was lost; retry", retry_after=2)
        log.exception("database error")
        return error_response(500, "internal_error", "an unexpected database error occurred")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return error_response(500, "internal_error", "an unexpected error occurred")
