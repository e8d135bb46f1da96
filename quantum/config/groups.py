"""The groups of settings: each field names its environment variable and the rule that reads it."""

from __future__ import annotations

import multiprocessing
import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticUseDefault

from quantum.config.rules import (
    Age,
    AnnualRate,
    Bind,
    Choice,
    ConfigError,
    DatabaseURL,
    Flag,
    Number,
    RateLimit,
    Rule,
    Seconds,
    Text,
    Whole,
)
from quantum.config.signing import signing_key
from quantum.schema_engine.url import parse_database_url

ENVIRONMENTS = ("development", "testing", "production")


def variable(name: str, default: Any = ..., **kwargs: Any) -> Any:
    """A field read from the environment variable `name` (no default: filled in per mode by `Settings`)."""
    return Field(default, validation_alias=name, **kwargs)


def apply_rule(model: type[BaseModel], raw: Any, info: ValidationInfo) -> Any:
    """Run the field's Rule on `raw`; a blank value keeps the default; a refusal becomes a ValueError."""
    field = model.model_fields[info.field_name]
    rule = next((item for item in field.metadata if isinstance(item, Rule)), None)
    if rule is None:
        return raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise PydanticUseDefault()
    try:
        return rule.parse(str(field.validation_alias), raw)
    except ConfigError as exc:
        # pydantic collects ValueErrors in field order; Settings reports the first as a ConfigError.
        raise ValueError(str(exc)) from None


def blank(value: Any) -> bool:
    """True for an unset setting: missing, None or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


class Group(BaseModel):
    """A frozen group of settings, validated field by field with each field's Rule."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _rule(cls, raw: Any, info: ValidationInfo) -> Any:
        return apply_rule(cls, raw, info)

    @classmethod
    def environment_names(cls) -> tuple[str, ...]:
        """The environment variables this group reads, in field order."""
        return tuple(f.validation_alias for f in cls.model_fields.values() if isinstance(f.validation_alias, str))

    @classmethod
    def mode_defaults(cls, raw: dict[str, Any], *, mode: str, instance_path: str) -> dict[str, Any]:
        """`raw` with the defaults that depend on QUANTUM_ENV or the instance folder filled in."""
        return raw


class DatabaseSettings(Group):
    """Where the database is; the pool, retries, timeouts, circuit breaker, migration locks and backups."""

    url: Annotated[str, DatabaseURL()] = variable("DATABASE_URL")
    migration_url: Annotated[str | None, DatabaseURL()] = variable("MIGRATION_DATABASE_URL", None)
    # Derived from `url` once, here, rather than parsed again on every access.
    backend: str = Field("", validate_default=True)
    pool_size: Annotated[int, Whole(1)] = variable("DB_POOL_SIZE", 5)
    max_overflow: Annotated[int, Whole(0)] = variable("DB_MAX_OVERFLOW", 10)
    pool_timeout: Annotated[float, Number(0.1)] = variable("DB_POOL_TIMEOUT", 30.0)
    pool_recycle: Annotated[int, Whole(1)] = variable("DB_POOL_RECYCLE", 1800)
    connect_retries: Annotated[int, Whole(1)] = variable("DB_CONNECT_RETRIES", 5)
    retry_base_delay: Annotated[float, Number(0.0)] = variable("DB_RETRY_BASE_DELAY", 0.5)
    query_timeout_ms: Annotated[int, Whole(100)] = variable("DB_QUERY_TIMEOUT_MS", 10000)
    circuit_threshold: Annotated[int, Whole(1)] = variable("DB_CIRCUIT_THRESHOLD", 5)
    circuit_reset_seconds: Annotated[float, Number(0.1)] = variable("DB_CIRCUIT_RESET_SECONDS", 5.0)
    lock_wait_seconds: Annotated[float, Number(0.0)] = variable("MIGRATION_LOCK_WAIT", 300.0)
    guard_lock_wait_seconds: Annotated[float, Number(0.0)] = variable("SCHEMA_GUARD_WAIT", 5.0)
    migration_lock_timeout_ms: Annotated[int, Whole(0)] = variable("MIGRATION_LOCK_TIMEOUT_MS", 5000)
    migration_statement_timeout_ms: Annotated[int, Whole(0)] = variable("MIGRATION_STATEMENT_TIMEOUT_MS", 600000)
    backup_dir: Annotated[str, Text()] = variable("BACKUP_DIR")
    backup_keep: Annotated[int, Whole(1)] = variable("BACKUP_KEEP", 7)

    @classmethod
    def mode_defaults(cls, raw: dict[str, Any], *, mode: str, instance_path: str) -> dict[str, Any]:
        """A SQLite file under the instance folder unless production (which must name its database)."""
        if blank(raw.get("DATABASE_URL")):
            if mode == "production":
                raise ConfigError("DATABASE_URL is required in production: set it to the PostgreSQL URL")
            raw["DATABASE_URL"] = "sqlite:///" + str(Path(instance_path, "quantum.db").resolve())
        if blank(raw.get("BACKUP_DIR")):
            raw["BACKUP_DIR"] = str(Path(instance_path, "backups"))
        return raw

    @field_validator("backend", mode="before")
    @classmethod
    def _backend(cls, raw: Any, info: ValidationInfo) -> Any:
        url = info.data.get("url")
        return parse_database_url(url).backend if url else raw

    @property
    def url_for_migrations(self) -> str:
        """The URL migrations run on: MIGRATION_DATABASE_URL (a direct connection past PgBouncer), else DATABASE_URL."""
        return self.migration_url or self.url

    def engine_options(self) -> dict[str, Any]:
        """SQLAlchemy engine options: the pool, and the backend's connect arguments (SQLite: busy timeout)."""
        if self.backend == "postgresql":
            connect_args: dict[str, Any] = {"connect_timeout": 5, "application_name": "quantum"}
        else:
            connect_args = {"timeout": 15, "check_same_thread": False}
        return {
            "pool_pre_ping": True, "pool_recycle": self.pool_recycle, "pool_size": self.pool_size,
            "max_overflow": self.max_overflow, "pool_timeout": self.pool_timeout, "connect_args": connect_args,
        }


class AuthSettings(Group):
    """The JWT signing key, token lifetimes and the API key cap."""

    jwt_secret_key: str = variable("JWT_SECRET_KEY", repr=False)
    access_token_expires: Annotated[timedelta, Seconds()] = variable("JWT_ACCESS_TOKEN_EXPIRES", timedelta(minutes=15))
    refresh_token_expires: Annotated[timedelta, Seconds()] = variable("JWT_REFRESH_TOKEN_EXPIRES", timedelta(days=30))
    api_keys_max_per_user: Annotated[int, Whole(None)] = variable("API_KEYS_MAX_PER_USER", 25)

    @classmethod
    def mode_defaults(cls, raw: dict[str, Any], *, mode: str, instance_path: str) -> dict[str, Any]:
        """The signing key for the mode: refused when weak in production, generated when unset elsewhere."""
        secret = raw.get("JWT_SECRET_KEY")
        raw["JWT_SECRET_KEY"] = signing_key("" if secret is None else str(secret), mode=mode,
                                            instance_path=instance_path)
        return raw

    @field_validator("api_keys_max_per_user")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        return max(1, value)


# The scheme and file of the host-wide SQLite rate-limit storage (quantum.auth.ratelimit_storage).
SCHEME = "quantum-sqlite"
DEFAULT_FILE = "ratelimits.db"


def storage_uri_for(path: str | os.PathLike[str]) -> str:
    """The `RATELIMIT_STORAGE_URI` of a SQLite file at `path` (made absolute)."""
    return f"{SCHEME}:///{Path(path).resolve().as_posix().lstrip('/')}"


def default_storage_uri(mode: str, instance_path: str) -> str:
    """Where rate limits count without RATELIMIT_STORAGE_URI: one SQLite file per host; tests count per app."""
    if mode == "testing":
        return "memory://"  # each test app starts with fresh counters; no file shared between tests
    return storage_uri_for(Path(instance_path, DEFAULT_FILE))


def storage_options(uri: str) -> dict[str, Any]:
    """Options for the storage at `uri`: errors wrapped as StorageError; Redis gives up after 2 s, not never."""
    options: dict[str, Any] = {"wrap_exceptions": True}
    if uri.startswith(("redis://", "rediss://", "redis+unix://")):
        options.update(socket_connect_timeout=2, socket_timeout=2)
    return options


class RateLimitSettings(Group):
    """Flask-Limiter on login and register: on or off, where counts live, the strategy and the limits."""

    enabled: Annotated[bool, Flag()] = variable("RATELIMIT_ENABLED", True)
    storage_uri: Annotated[str, Text()] = variable("RATELIMIT_STORAGE_URI")
    strategy: Annotated[str, Text()] = variable("RATELIMIT_STRATEGY", "fixed-window")
    key_prefix: Annotated[str, Text()] = variable("RATELIMIT_KEY_PREFIX", "")
    login_limit: Annotated[str, RateLimit()] = variable("RATELIMIT_LOGIN", "10 per minute")
    register_limit: Annotated[str, RateLimit()] = variable("RATELIMIT_REGISTER", "10 per minute")

    @classmethod
    def mode_defaults(cls, raw: dict[str, Any], *, mode: str, instance_path: str) -> dict[str, Any]:
        """The host's SQLite file for the counts (in-memory counts per app in tests)."""
        if blank(raw.get("RATELIMIT_STORAGE_URI")):
            raw["RATELIMIT_STORAGE_URI"] = default_storage_uri(mode, instance_path)
        return raw

    @model_validator(mode="after")
    def _strategy_fits_storage(self) -> RateLimitSettings:
        if self.strategy != "fixed-window":
            if self.storage_uri.startswith(SCHEME + ":"):
                raise ValueError(f"RATELIMIT_STRATEGY {self.strategy!r} needs RATELIMIT_STORAGE_URI=redis://...: "
                                 f"the built-in {SCHEME} storage counts fixed windows only")
        return self

    @property
    def storage_options(self) -> dict[str, Any]:
        """Flask-Limiter's RATELIMIT_STORAGE_OPTIONS for `storage_uri`."""
        return storage_options(self.storage_uri)


class AISettings(Group):
    """The AI routes' settings."""

    risk_free_rate: Annotated[float, AnnualRate()] = variable("RISK_FREE_RATE", 0.0)


class ObservabilitySettings(Group):
    """Log format, slow-query threshold and file, the alert webhook and the /metrics token."""

    log_format: Annotated[str, Choice(("json", "text"))] = variable("LOG_FORMAT")
    slow_query_ms: Annotated[float, Number(0.0)] = variable("SLOW_QUERY_MS", 100.0)
    slow_query_log: Annotated[str, Text()] = variable("SLOW_QUERY_LOG")
    alert_webhook_url: Annotated[str | None, Text()] = variable("ALERT_WEBHOOK_URL", None)
    metrics_token: Annotated[str | None, Text()] = variable("METRICS_TOKEN", None, repr=False)

    @classmethod
    def mode_defaults(cls, raw: dict[str, Any], *, mode: str, instance_path: str) -> dict[str, Any]:
        """JSON logs in production, text elsewhere; slow statements appended under the instance folder."""
        if blank(raw.get("LOG_FORMAT")):
            raw["LOG_FORMAT"] = default_log_format(mode)
        if blank(raw.get("SLOW_QUERY_LOG")):
            raw["SLOW_QUERY_LOG"] = str(Path(instance_path, "slow-queries.jsonl"))
        return raw


def default_log_format(mode: str) -> str:
    """`json` in production, `text` elsewhere."""
    return "json" if mode == "production" else "text"


class ArchiveSettings(Group):
    """How old a row gets before `flask db-archive` moves it, per table."""

    portfolio_snapshots_retention: Annotated[str, Age()] = variable("ARCHIVE_RETENTION_PORTFOLIO_SNAPSHOTS", "365d")
    orders_retention: Annotated[str, Age()] = variable("ARCHIVE_RETENTION_ORDERS", "365d")

    def retention(self, table: str) -> str:
        """The retention age (e.g. `365d`) of `table`."""
        return getattr(self, f"{table}_retention")


class ServerSettings(Group):
    """Where gunicorn listens and how many workers, threads and seconds it gets; trusted proxies."""

    gunicorn_bind: Annotated[str | None, Bind()] = variable("GUNICORN_BIND", None)
    port: Annotated[int, Whole(0, 65535)] = variable("PORT", 8000)
    workers: Annotated[int, Whole(1)] = Field(default_factory=lambda: multiprocessing.cpu_count() * 2,
                                              validation_alias="WEB_CONCURRENCY")
    threads: Annotated[int, Whole(1)] = variable("GUNICORN_THREADS", 4)
    timeout: Annotated[int, Whole(1)] = variable("GUNICORN_TIMEOUT", 30)
    proxy_hops: Annotated[int, Whole(0)] = variable("PROXY_FIX_HOPS", 0)

    @model_validator(mode="before")
    @classmethod
    def _port_only_without_bind(cls, raw: Any) -> Any:
        # PORT (which Heroku always sets) only matters when GUNICORN_BIND does not say where to listen.
        if isinstance(raw, dict) and not blank(raw.get("GUNICORN_BIND")):
            raw = {key: value for key, value in raw.items() if key != "PORT"}
        return raw

    @property
    def bind(self) -> str:
        """GUNICORN_BIND, else 0.0.0.0:PORT."""
        return self.gunicorn_bind or f"0.0.0.0:{self.port}"
