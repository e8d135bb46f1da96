"""Alerts: one ERROR log line per state change, and a JSON POST to ALERT_WEBHOOK_URL off the request path."""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from datetime import datetime, timezone

log = logging.getLogger("quantum.alerts")


class Alerter:
    """Raises and clears named alerts; each transition is logged once and posted to the webhook."""

    def __init__(self, webhook_url: str | None = None, *, timeout: float = 3.0) -> None:
        self.webhook_url = webhook_url
        self.timeout = timeout
        self._active: set[str] = set()
        self._lock = threading.Lock()

    def raise_alert(self, name: str, message: str, **details: object) -> None:
        """Fire `name` unless it is already firing."""
        with self._lock:
            if name in self._active:
                return
            self._active.add(name)
        log.error("ALERT %s: %s", name, message, extra={"alert": name})
        self._post({"alert": name, "status": "firing", "message": message, "details": details})

    def clear_alert(self, name: str, message: str) -> None:
        """Resolve `name` if it was firing."""
        with self._lock:
            if name not in self._active:
                return
            self._active.discard(name)
        log.warning("RESOLVED %s: %s", name, message, extra={"alert": name})
        self._post({"alert": name, "status": "resolved", "message": message, "details": {}})

    def _post(self, payload: dict) -> None:
        if not self.webhook_url:
            return
        payload["time"] = datetime.now(timezone.utc).isoformat()
        # A daemon thread: a slow or dead webhook never blocks a request.
        threading.Thread(target=self._send, args=(payload,), daemon=True).start()

    def _send(self, payload: dict) -> None:
        request = urllib.request.Request(
            self.webhook_url,  # type: ignore[arg-type]
            data=json.dumps(payload, default=str).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout):
                pass
        except OSError as exc:
            log.warning("alert webhook failed: %s", exc)
