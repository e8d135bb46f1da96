"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import secrets
import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

MIN_LENGTH = 8
MAX_LENGTH = 128
# A few of the most common passwords; a real deployment would check a breach corpus.
COMMON_PASSWORDS = frozenset(
    {
        "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwerty123",
        "qwertyuiop", "iloveyou", "11111111", "abc12345", "letmein1", "welcome1", "admin123", "passw0rd",
    }
)


@cache
def _hasher(fast: bool) -> PasswordHasher:
    if fast:
        # Testing only: the cheapest valid argon2id parameters keep the suite fast.
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()  # argon2-cffi's RFC 9106 low-memory profile


def _testing() -> bool:
    settings = current_app.config.get("QUANTUM_SETTINGS") if has_app_context() else None
    return settings is not None and settings.env == "testing"


def hasher() -> PasswordHasher:
    """The app's argon2id hasher: cheap parameters under QUANTUM_ENV=testing, strong otherwise."""
    return _hasher(_testing())


@cache
def _dummy_hash(fast: bool) -> str:
    return _hasher(fast).hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """Hash a password with argon2id (salted, encoded with its parameters)."""
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash, spend the same time on a dummy and return False."""
    ph = hasher()
    # Bytes, so that a password no stored hash can match (lone surrogates) still costs a verification.
    secret = password.encode("utf-8", "surrogatepass")
    if password_hash is None:
        try:
            ph.verify(_dummy_hash(_testing()), secret)
        except VerificationError:
            pass
        return False
    try:
        return ph.verify(password_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than the current hasher's."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """Every rule the password breaks, as sentences; empty when it is acceptable."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters long")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters long")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in password):
        problems.append("must not contain control characters or unpaired surrogates")
    if not any(ch.isalpha() for ch in password) or all(ch.isalpha() for ch in password):
        problems.append("must contain at least one letter and at least one digit or symbol")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        problems.append("is one of the most common passwords")
    if email and len(email) >= 3 and (lowered == email.lower() or email.split("@")[0].lower() == lowered):
        problems.append("must not be your email address")
    return problems
