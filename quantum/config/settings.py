"""`Settings`: every setting, read once from the environment, validated and grouped."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from quantum.config.groups import (
    ENVIRONMENTS,
    AISettings,
    ArchiveSettings,
    AuthSettings,
    DatabaseSettings,
    Group,
    ObservabilitySettings,
    RateLimitSettings,
    ServerSettings,
    apply_rule,
    default_log_format,
    variable,
)
from quantum.config.rules import Choice, ConfigError


class Settings(BaseSettings):
    """All of QuantumLeap's settings, one group per concern; `load_settings()` builds it, `flask_config()` maps it.

    Fields are declared in the order they are checked: the first bad variable is the one reported.
    """

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    instance_path: str = "instance"
    env: Annotated[str, Choice(ENVIRONMENTS)] = variable("QUANTUM_ENV", "development")
    database: DatabaseSettings = Field(default_factory=dict)
    auth: AuthSettings = Field(default_factory=dict)
    rate_limits: RateLimitSettings = Field(default_factory=dict)
    ai: AISettings = Field(default_factory=dict)
    observability: ObservabilitySettings = Field(default_factory=dict)
    archive: ArchiveSettings = Field(default_factory=dict)
    server: ServerSettings = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """`Settings()` reads keyword arguments, then the process environment (flat names, see EnvironmentSource)."""
        return init_settings, EnvironmentSource(settings_cls)

    @field_validator("*", mode="before")
    @classmethod
    def _read(cls, raw: Any, info: ValidationInfo) -> Any:
        group = _group_fields().get(info.field_name)
        if group is None:
            return apply_rule(cls, raw, info)
        # A group's defaults that depend on QUANTUM_ENV and the instance folder are filled in here,
        # where both are known (validated first: they are declared first).
        if not isinstance(raw, Mapping) or "env" not in info.data:
            return raw  # a group built already is used as is; with QUANTUM_ENV wrong, that is the error reported
        if group is AuthSettings and "database" not in info.data:
            return raw  # no development key file written while an earlier setting is already wrong
        try:
            return group.mode_defaults(dict(raw), mode=info.data["env"], instance_path=info.data["instance_path"])
        except ConfigError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="wrap")
    @classmethod
    def _one_error(cls, data: Any, handler: Any) -> Settings:
        try:
            return handler(data)
        except ValidationError as exc:
            raise ConfigError(first_problem(exc)) from None

    @classmethod
    def environment_names(cls) -> frozenset[str]:
        """Every environment variable the settings read."""
        return environment_names()

    @property
    def production(self) -> bool:
        """True in production (QUANTUM_ENV=production)."""
        return self.env == "production"

    def flask_config(self) -> dict[str, Any]:
        """The keys Flask and its extensions read (Flask-SQLAlchemy, flask-jwt-extended, Flask-Limiter), from these settings."""
        limits = self.rate_limits
        return {
            "QUANTUM_SETTINGS": self,
            "TESTING": self.env == "testing",
            "SECRET_KEY": self.auth.jwt_secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database.url,
            "SQLALCHEMY_ENGINE_OPTIONS": self.database.engine_options(),
            "SQLALCHEMY_TRACK_MODIFICATIONS": False,
            "JWT_SECRET_KEY": self.auth.jwt_secret_key,
            "JWT_ACCESS_TOKEN_EXPIRES": self.auth.access_token_expires,
            "JWT_REFRESH_TOKEN_EXPIRES": self.auth.refresh_token_expires,
            "RATELIMIT_ENABLED": limits.enabled,
            "RATELIMIT_STORAGE_URI": limits.storage_uri,
            "RATELIMIT_STORAGE_OPTIONS": limits.storage_options,
            "RATELIMIT_STRATEGY": limits.strategy,
            "RATELIMIT_KEY_PREFIX": limits.key_prefix,
            # Not Flask-Limiter's own: quantum.auth.ratelimit reads the two limits from the config per request.
            "RATELIMIT_LOGIN": limits.login_limit,
            "RATELIMIT_REGISTER": limits.register_limit,
        }


def first_problem(error: ValidationError) -> str:
    """The one line for the first failed setting: the rule's own message, else pydantic's, naming the variable."""
    problem = error.errors()[0]
    cause = problem.get("ctx", {}).get("error")
    if cause is not None:
        return str(cause)
    name = next((str(part) for part in reversed(problem["loc"]) if isinstance(part, str) and part.isupper()), None)
    return f"{name or '.'.join(map(str, problem['loc']))} is not valid: {problem['msg']}"


@cache
def _group_fields() -> dict[str, type[Group]]:
    return {name: field.annotation for name, field in Settings.model_fields.items()
            if isinstance(field.annotation, type) and issubclass(field.annotation, Group)}


@cache
def environment_names() -> frozenset[str]:
    """Every environment variable the settings read: QUANTUM_ENV and each group's."""
    names = {"QUANTUM_ENV"}
    for group in _group_fields().values():
        names.update(group.environment_names())
    return frozenset(names)


class EnvironmentSource(PydanticBaseSettingsSource):
    """Flat environment variables (DB_POOL_SIZE, RATELIMIT_LOGIN, ...) gathered into the groups that declare them.

    An empty variable counts as unset, as it always has.
    """

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, Any] | None = None) -> None:
        """Read `environ`, the process environment by default."""
        super().__init__(settings_cls)
        self.environ = os.environ if environ is None else environ

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: `__call__` reads the groups whole."""
        return None, field_name, False

    def _set(self, name: str) -> bool:
        return self.environ.get(name) not in (None, "")

    def __call__(self) -> dict[str, Any]:
        """The raw values by group, keyed by variable name."""
        data: dict[str, Any] = {}
        if self._set("QUANTUM_ENV"):
            data["QUANTUM_ENV"] = self.environ["QUANTUM_ENV"]
        for name, group in _group_fields().items():
            data[name] = {key: self.environ[key] for key in group.environment_names() if self._set(key)}
        return data


def load_settings(env: Mapping[str, Any] | None = None, *, instance_path: str = "instance") -> Settings:
    """Read and validate every setting from `env` (the process environment by default); ConfigError names the first bad one."""
    return Settings.model_validate({**EnvironmentSource(Settings, env)(), "instance_path": instance_path})


def app_settings(config: Settings | Mapping[str, Any] | None, *, instance_path: str) -> tuple[Settings, dict[str, Any]]:
    """The settings for `create_app(config)` and the plain Flask config keys that come with them.

    A Settings object is used as is. A mapping (the test_config) is split: keys that are settings'
    environment names are validated as settings, layered over the process environment; the rest are
    Flask config keys (SCHEMA_GUARD, RATELIMIT_HEADERS_ENABLED, ...), returned as given.
    """
    if isinstance(config, Settings):
        return config, {}
    config = dict(config or {})
    names = environment_names()
    overrides = {key: value for key, value in config.items() if key in names}
    settings = load_settings({**os.environ, **overrides}, instance_path=instance_path)
    return settings, {key: value for key, value in config.items() if key not in names}


def current_settings() -> Settings:
    """The settings of the app handling the current request or command."""
    from flask import current_app

    return current_app.config["QUANTUM_SETTINGS"]


def log_format_from_environment(env: Mapping[str, str] | None = None) -> str:
    """LOG_FORMAT as the settings resolve it, read without validating anything.

    For lines written when the settings could not be loaded (the configuration error itself) or
    outside the app (gunicorn's own logger).
    """
    env = os.environ if env is None else env
    mode = (env.get("QUANTUM_ENV") or "").strip().lower()
    return (env.get("LOG_FORMAT") or default_log_format(mode)).strip().lower()
