"""A `limits` storage on one SQLite file: rate limit counts shared by every process of a host.

`memory://` counts per process, so four gunicorn workers allowed four times the limit. Every worker
of a host (and every restart) opens the same file under `instance/`, so "10 per minute" is 10 for the
host. Registered with `limits` under the scheme `quantum-sqlite` (`quantum-sqlite:////abs/path.db`);
the default `RATELIMIT_STORAGE_URI` outside tests. Fixed-window strategy only. Several hosts need a
shared server: `redis://...`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from limits.storage import Storage

from quantum.config.groups import SCHEME

# One in this many increments also deletes expired windows, so the file stays small without a job.
PURGE_EVERY = 200

_SCHEMA = "CREATE TABLE IF NOT EXISTS rate_limits (key TEXT PRIMARY KEY, hits INTEGER NOT NULL, expires_at REAL NOT NULL)"
# One statement, so one atomic write even with several processes: a window that has expired
# starts again at `amount`, a live one adds `amount`; the count after the write comes back.
_INCREMENT = """
INSERT INTO rate_limits (key, hits, expires_at) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN rate_limits.expires_at <= :now THEN :amount ELSE rate_limits.hits + :amount END,
    expires_at = CASE WHEN rate_limits.expires_at <= :now THEN :now + :expiry ELSE rate_limits.expires_at END
RETURNING hits
"""


class SQLiteStorage(Storage):
    """Fixed-window counters in a SQLite file (WAL, busy timeout), one connection per thread and process."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        """Open nothing yet: each worker thread connects on first use (after gunicorn's fork)."""
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        parsed = urlparse(uri or "")
        path = unquote(parsed.path)
        if parsed.scheme != SCHEME or not path or path == "/":
            raise ValueError(f"expected {SCHEME}:///path/to/file.db, got {uri!r}")
        self.path = Path(path)
        self.timeout = float(options.get("busy_timeout", 5.0))
        self._local = threading.local()
        self._increments = 0

    @property
    def base_exceptions(self) -> tuple[type[Exception], ...]:
        """Errors that mean the storage cannot answer (wrapped in limits' StorageError)."""
        return (sqlite3.Error, OSError)  # OSError: the folder cannot be made

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is not None and self._local.pid == os.getpid():
            return connection
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")  # counters: losing the last hit in a power cut is fine
        connection.execute(_SCHEMA)
        self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` hits to `key`'s window (a new window of `expiry` seconds if none is live)."""
        connection = self._connection()
        now = time.time()
        (hits,) = connection.execute(_INCREMENT, {"key": key, "amount": amount, "now": now, "expiry": expiry}).fetchone()
        self._increments += 1
        if self._increments % PURGE_EVERY == 0:
            connection.execute("DELETE FROM rate_limits WHERE expires_at <= ?", (now,))
        return int(hits)

    def get(self, key: str) -> int:
        """Hits in `key`'s live window (0 when none)."""
        row = self._connection().execute(
            "SELECT hits FROM rate_limits WHERE key = ? AND expires_at > ?", (key, time.time())
        ).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        """When `key`'s live window ends (now when none)."""
        now = time.time()
        row = self._connection().execute(
            "SELECT expires_at FROM rate_limits WHERE key = ? AND expires_at > ?", (key, now)
        ).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        """Whether the file can be read."""
        try:
            self._connection().execute("SELECT 1 FROM rate_limits LIMIT 1").fetchall()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter; returns how many there were."""
        return self._connection().execute("DELETE FROM rate_limits").rowcount

    def clear(self, key: str) -> None:
        """Forget `key`'s counter."""
        self._connection().execute("DELETE FROM rate_limits WHERE key = ?", (key,))
