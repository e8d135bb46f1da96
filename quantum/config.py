"""Settings read from the environment and validated once at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from quantum.schema_engine.url import MalformedURL, parse_database_url

ENVIRONMENTS = ("development", "testing", "production")
MIN_SECRET_BYTES = 32


class ConfigError(Exception):
    """A missing or malformed setting; the message names the variable."""

    exit_code = 2


def normalize_database_url(raw: str, variable: str = "DATABASE_URL") -> str:
    """Return a SQLAlchemy URL, rewriting Heroku-style `postgres://`."""
    url = raw.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    try:
        parsed = parse_database_url(url)
    except MalformedURL:
        raise ConfigError(
            f"{variable} is malformed: expected a URL such as "
            "postgresql://user:pass@host:5432/dbname or sqlite:///path/to/file.db"
        ) from None
    backend = parsed.backend
    if backend == "postgresql" and parsed.driver is None:
        # SQLAlchemy 2.1 defaults to psycopg 3; we ship psycopg2-binary.
        url = "postgresql+psycopg2://" + url.split("://", 1)[1]
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(f"{variable} names an unsupported backend {backend!r}: use postgresql or sqlite")
    if backend == "postgresql" and not parsed.database:
        raise ConfigError(f"{variable} is malformed: a PostgreSQL URL must name a database")
    return url


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    """Validated settings; `flask_config()` turns them into Flask config keys."""

    env: str
    database_url: str
    migration_database_url: str | None
    jwt_secret_key: str
    instance_path: str
    pool_size: int | None = None
    max_overflow: int | None = None
    pool_timeout: float = 30.0
    pool_recycle: int = 1800
    connect_retries: int = 5
    retry_base_delay: float = 0.5
    slow_query_ms: float = 100.0
    lock_wait_seconds: float = 300.0
    guard_lock_wait_seconds: float = 5.0
    migration_lock_timeout_ms: int = 5000
    migration_statement_timeout_ms: int = 600000
    backup_dir: str = ""
    backup_keep: int = 7
    log_format: str = "text"
    slow_query_log: str = ""
    alert_webhook_url: str | None = None
    metrics_token: str | None = None
    circuit_threshold: int = 5
    circuit_reset_seconds: float = 5.0
    proxy_hops: int = 0
    query_timeout_ms: int = 10000

    @property
    def backend(self) -> str:
        """The database backend name: `sqlite` or `postgresql`."""
        return parse_database_url(self.database_url).backend

    def flask_config(self) -> dict:
        """Flask and extension config keys derived from these settings."""
        return {
            "QUANTUM_ENV": self.env,
            "TESTING": self.env == "testing",
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(self),
            "SQLALCHEMY_TRACK_MODIFICATIONS": False,
            "JWT_SECRET_KEY": self.jwt_secret_key,
            "SECRET_KEY": self.jwt_secret_key,
            "QUANTUM_SETTINGS": self,
            "METRICS_TOKEN": self.metrics_token,
        }


def engine_options(settings: Settings) -> dict:
    """Pool options for the backend; SQLite files get a small pool with a busy timeout."""
    options: dict = {"pool_pre_ping": True, "pool_recycle": settings.pool_recycle}
    if settings.backend == "postgresql":
        options.update(
            pool_size=settings.pool_size if settings.pool_size is not None else 5,
            max_overflow=settings.max_overflow if settings.max_overflow is not None else 10,
            pool_timeout=settings.pool_timeout,
            connect_args={"connect_timeout": 5, "application_name": "quantum"},
        )
    else:
        options.update(
            pool_size=settings.pool_size if settings.pool_size is not None else 5,
            max_overflow=settings.max_overflow if settings.max_overflow is not None else 10,
            pool_timeout=settings.pool_timeout,
            connect_args={"timeout": 15, "check_same_thread": False},
        )
    return options


DEV_SECRET_FILE = "dev-jwt-secret"


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


MIN_DISTINCT_CHARACTERS = 10


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


def _default_sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path, "quantum.db").resolve())


def load_settings(env: Mapping[str, str] | None = None, *, instance_path: str = "instance") -> Settings:
    """Read and validate settings; raise ConfigError naming the first bad variable."""
    env = os.environ if env is None else env
    mode = (env.get("QUANTUM_ENV") or "development").strip().lower()
    if mode not in ENVIRONMENTS:
        raise ConfigError(f"QUANTUM_ENV must be one of {', '.join(ENVIRONMENTS)}, got {mode!r}")
    production = mode == "production"

    raw_url = env.get("DATABASE_URL", "").strip()
    if raw_url:
        database_url = normalize_database_url(raw_url)
    elif production:
        raise ConfigError("DATABASE_URL is required in production: set it to the PostgreSQL URL")
    else:
        database_url = _default_sqlite_url(instance_path)

    raw_migration_url = env.get("MIGRATION_DATABASE_URL", "").strip()
    migration_url = (
        normalize_database_url(raw_migration_url, "MIGRATION_DATABASE_URL") if raw_migration_url else None
    )

    secret = env.get("JWT_SECRET_KEY", "")
    if production:
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
    elif not secret and mode == "development":
        # Every gunicorn worker and every restart must sign with the same key, or a token only
        # works on the worker that issued it: keep one generated key under instance/.
        secret = development_secret(instance_path)
    elif not secret:
        # Tests that set no key get one per process: nothing written to disk.
        secret = "dev-" + secrets.token_urlsafe(32)

    pool_size = env.get("DB_POOL_SIZE")
    max_overflow = env.get("DB_MAX_OVERFLOW")
    return Settings(
        env=mode,
        database_url=database_url,
        migration_database_url=migration_url,
        jwt_secret_key=secret,
        instance_path=instance_path,
        pool_size=_int(env, "DB_POOL_SIZE", 5, 1) if pool_size else None,
        max_overflow=_int(env, "DB_MAX_OVERFLOW", 10, 0) if max_overflow else None,
        pool_timeout=_float(env, "DB_POOL_TIMEOUT", 30.0, 0.1),
        pool_recycle=_int(env, "DB_POOL_RECYCLE", 1800, 1),
        connect_retries=_int(env, "DB_CONNECT_RETRIES", 5, 1),
        retry_base_delay=_float(env, "DB_RETRY_BASE_DELAY", 0.5, 0.0),
        slow_query_ms=_float(env, "SLOW_QUERY_MS", 100.0, 0.0),
        lock_wait_seconds=_float(env, "MIGRATION_LOCK_WAIT", 300.0, 0.0),
        guard_lock_wait_seconds=_float(env, "SCHEMA_GUARD_WAIT", 5.0, 0.0),
        migration_lock_timeout_ms=_int(env, "MIGRATION_LOCK_TIMEOUT_MS", 5000, 0),
        migration_statement_timeout_ms=_int(env, "MIGRATION_STATEMENT_TIMEOUT_MS", 600000, 0),
        backup_dir=env.get("BACKUP_DIR", "").strip() or str(Path(instance_path, "backups")),
        backup_keep=_int(env, "BACKUP_KEEP", 7, 1),
        log_format=_choice(env, "LOG_FORMAT", ("json", "text"), "json" if production else "text"),
        slow_query_log=env.get("SLOW_QUERY_LOG", "").strip() or str(Path(instance_path, "slow-queries.jsonl")),
        alert_webhook_url=env.get("ALERT_WEBHOOK_URL", "").strip() or None,
        metrics_token=env.get("METRICS_TOKEN", "").strip() or None,
        circuit_threshold=_int(env, "DB_CIRCUIT_THRESHOLD", 5, 1),
        circuit_reset_seconds=_float(env, "DB_CIRCUIT_RESET_SECONDS", 5.0, 0.1),
        proxy_hops=_int(env, "PROXY_FIX_HOPS", 0, 0),
        query_timeout_ms=_int(env, "DB_QUERY_TIMEOUT_MS", 10000, 100),
    )


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = (env.get(name) or default).strip().lower()
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw
