"""Settings: one typed object, read from the environment and validated once at start-up.

`load_settings()` builds a `Settings` with one group per concern (`database`, `auth`, `rate_limits`,
`ai`, `observability`, `archive`, `server`); `create_app(settings)` takes it (or a test_config
mapping), `current_settings()` returns the running app's. A bad value is a `ConfigError` whose one
line names the variable (exit code 2).
"""

from quantum.config.groups import (
    ENVIRONMENTS,
    AISettings,
    ArchiveSettings,
    AuthSettings,
    DatabaseSettings,
    ObservabilitySettings,
    RateLimitSettings,
    ServerSettings,
    default_storage_uri,
    storage_options,
)
from quantum.config.rules import ConfigError, normalize_database_url, parse_age
from quantum.config.settings import (
    EnvironmentSource,
    Settings,
    app_settings,
    current_settings,
    environment_names,
    load_settings,
    log_format_from_environment,
)
from quantum.config.signing import (
    DEV_SECRET_FILE,
    MIN_DISTINCT_CHARACTERS,
    MIN_SECRET_BYTES,
    development_secret,
    secret_weakness,
)

__all__ = [
    "DEV_SECRET_FILE",
    "ENVIRONMENTS",
    "MIN_DISTINCT_CHARACTERS",
    "MIN_SECRET_BYTES",
    "AISettings",
    "ArchiveSettings",
    "AuthSettings",
    "ConfigError",
    "DatabaseSettings",
    "EnvironmentSource",
    "ObservabilitySettings",
    "RateLimitSettings",
    "ServerSettings",
    "Settings",
    "app_settings",
    "current_settings",
    "default_storage_uri",
    "development_secret",
    "environment_names",
    "load_settings",
    "log_format_from_environment",
    "normalize_database_url",
    "parse_age",
    "secret_weakness",
    "storage_options",
]
