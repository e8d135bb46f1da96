"""The gunicorn settings the project reads from the environment, validated like the app's own (exit 2, one line)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping
from dataclasses import dataclass

from quantum.config import ConfigError


@dataclass(frozen=True)
class ServerSettings:
    """Where gunicorn listens and how many workers, threads and seconds it gets."""

    bind: str
    workers: int
    threads: int
    timeout: int


def _whole(env: Mapping[str, str], name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ConfigError(f"{name} must be {bounds}, got {value}")
    return value


def _bind(env: Mapping[str, str]) -> str:
    raw = (env.get("GUNICORN_BIND") or "").strip()
    if not raw:
        return f"0.0.0.0:{_whole(env, 'PORT', 8000, 0, 65535)}"
    if raw.startswith("unix:") and len(raw) > len("unix:"):
        return raw
    host, separator, port = raw.rpartition(":")
    if not separator or not host or not port.isdigit() or int(port) > 65535:
        raise ConfigError(f"GUNICORN_BIND must be HOST:PORT (e.g. 0.0.0.0:8000) or unix:/path/to.sock, got {raw!r}")
    return raw


def server_settings(env: Mapping[str, str] | None = None) -> ServerSettings:
    """Read WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_BIND and PORT; ConfigError names a bad one."""
    env = os.environ if env is None else env
    return ServerSettings(
        bind=_bind(env),
        workers=_whole(env, "WEB_CONCURRENCY", multiprocessing.cpu_count() * 2, 1),
        threads=_whole(env, "GUNICORN_THREADS", 4, 1),
        timeout=_whole(env, "GUNICORN_TIMEOUT", 30, 1),
    )
