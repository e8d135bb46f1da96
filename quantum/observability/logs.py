"""Structured logging: JSON lines (or plain text in development), each with the request id."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from datetime import datetime, timezone

from quantum.config import log_format_from_environment
from quantum.observability.request_id import current_request_id


class RequestIdFilter(logging.Filter):
    """Stamp every record with the current request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `request_id` to the record; never drops it."""
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message and extras."""

    RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"request_id", "message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as a JSON line."""
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self.RESERVED and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def config_error_line(message: str, env: Mapping[str, str] | None = None) -> str:
    """The one line a configuration error stops the start with: a JSON object when the logs are JSON."""
    line = f"quantum: configuration error: {message}"
    if log_format_from_environment(env) != "json":
        return line
    return json.dumps({"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), "level": "CRITICAL",
                       "logger": "quantum.config", "request_id": "-", "message": line})


def configure_logging(log_format: str, level: str = "INFO") -> None:
    """Install one stderr handler on the root logger, with request ids; idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_quantum", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._quantum = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # Library warnings (warnings.warn) become log records, so they are JSON lines too.
    logging.captureWarnings(True)
    # Alembic narrates every context it opens; our one summary line says what happened.
    logging.getLogger("alembic").setLevel(logging.WARNING)
