"""The JWT signing key: refused when weak in production, kept on disk in development, random in tests."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from quantum.config.rules import ConfigError

MIN_SECRET_BYTES = 32
DEV_SECRET_FILE = "dev-jwt-secret"
MIN_DISTINCT_CHARACTERS = 10


def development_secret(instance_path: str) -> str:
    """The development signing key kept in `instance/dev-jwt-secret`, created once (owner-only)."""
    path = Path(instance_path, DEV_SECRET_FILE)
    try:
        existing = path.read_text().strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write a private temporary file, then link it into place: the link fails if another worker
    # won the race, so every process ends up reading the one complete key.
    candidate = "dev-" + secrets.token_urlsafe(32)
    temporary = path.with_name(f".{DEV_SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(candidate + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)
    winner = path.read_text().strip()
    if not winner:
        raise ConfigError(f"JWT_SECRET_KEY is unset and {path} is empty: delete the file or set JWT_SECRET_KEY")
    return winner


def secret_weakness(secret: str) -> str | None:
    """Why `secret` is obviously not random (whitespace, few distinct characters, a repeated run), or None.

    Catches what a person types instead of generating a key: 48 x "x", 32 spaces, "abcabcabc...".
    `secrets.token_urlsafe(32)` has about 30 distinct characters in 43; any random key of 32+ bytes
    passes easily.
    """
    if any(ch.isspace() for ch in secret):
        return "it contains whitespace"
    distinct = len(set(secret))
    if distinct < MIN_DISTINCT_CHARACTERS:
        return f"only {distinct} distinct characters"
    for size in range(1, len(secret) // 2 + 1):
        if len(secret) % size == 0 and secret == secret[:size] * (len(secret) // size):
            return f"a {size}-character sequence repeated"
    return None


def signing_key(secret: str, *, mode: str, instance_path: str) -> str:
    """The key to sign with in `mode`: `secret` (checked in production) or, when it is empty, a generated one."""
    if mode == "production":
        if not secret:
            raise ConfigError("JWT_SECRET_KEY is required in production: set it to 32 or more random bytes")
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(
                f"JWT_SECRET_KEY is too short ({len(secret.encode())} bytes): production needs {MIN_SECRET_BYTES} or more"
            )
        if secret.startswith("dev-"):
            raise ConfigError("JWT_SECRET_KEY is a development key: production needs its own secret")
        weakness = secret_weakness(secret)
        if weakness:
            raise ConfigError(f"JWT_SECRET_KEY is weak ({weakness}): production needs 32 or more random bytes")
        return secret
    if secret:
        return secret
    if mode == "development":
        # Every gunicorn worker and every restart must sign with the same key, or a token only
        # works on the worker that issued it: keep one generated key under instance/.
        return development_secret(instance_path)
    # Tests that set no key get one per process: nothing written to disk.
    return "dev-" + secrets.token_urlsafe(32)
