"""One settings object: typed groups, parsed once, one line naming the first bad variable (issue 16)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

import quantum.config.groups as groups
from quantum import create_app
from quantum.config import (
    DEV_SECRET_FILE,
    AISettings,
    ArchiveSettings,
    AuthSettings,
    ConfigError,
    DatabaseSettings,
    ObservabilitySettings,
    RateLimitSettings,
    ServerSettings,
    Settings,
    current_settings,
    environment_names,
    load_settings,
)
from tests.conftest import ROOT, TEST_SECRET, make_app

TESTING = {"QUANTUM_ENV": "testing"}


def test_every_group_is_present_and_typed(tmp_path: Path) -> None:
    settings = load_settings(
        {**TESTING, "DB_POOL_SIZE": "3", "DB_POOL_TIMEOUT": "2", "JWT_ACCESS_TOKEN_EXPIRES": "60",
         "RATELIMIT_ENABLED": "off", "RISK_FREE_RATE": "0.04", "SLOW_QUERY_MS": "5", "GUNICORN_THREADS": "2",
         "ARCHIVE_RETENTION_ORDERS": "30d", "PROXY_FIX_HOPS": "1"},
        instance_path=str(tmp_path),
    )
    assert isinstance(settings.database, DatabaseSettings) and isinstance(settings.auth, AuthSettings)
    assert isinstance(settings.rate_limits, RateLimitSettings) and isinstance(settings.ai, AISettings)
    assert isinstance(settings.observability, ObservabilitySettings) and isinstance(settings.archive, ArchiveSettings)
    assert isinstance(settings.server, ServerSettings)
    assert settings.env == "testing" and settings.instance_path == str(tmp_path)
    assert settings.database.pool_size == 3 and settings.database.pool_timeout == 2.0
    assert isinstance(settings.database.pool_timeout, float)
    assert settings.database.backup_dir == str(tmp_path / "backups")
    assert settings.auth.access_token_expires == timedelta(seconds=60)
    assert settings.auth.refresh_token_expires == timedelta(days=30)
    assert settings.rate_limits.enabled is False and settings.rate_limits.storage_uri == "memory://"
    assert settings.ai.risk_free_rate == 0.04
    assert settings.observability.slow_query_ms == 5.0 and settings.observability.log_format == "text"
    assert settings.observability.slow_query_log == str(tmp_path / "slow-queries.jsonl")
    assert settings.archive.retention("orders") == "30d" and settings.archive.retention("portfolio_snapshots") == "365d"
    assert (settings.server.threads, settings.server.proxy_hops, settings.server.bind) == (2, 1, "0.0.0.0:8000")
    with pytest.raises(ValidationError):
        settings.database.pool_size = 1  # frozen: what was validated is what runs


def test_the_backend_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings({**TESTING, "DATABASE_URL": "postgres://u@h/db"})
    calls: list[str] = []
    monkeypatch.setattr(groups, "parse_database_url", lambda url: calls.append(url))
    assert [settings.database.backend for _ in range(3)] == ["postgresql"] * 3
    assert calls == []  # a validated field, not a property that parses the URL on each access
    assert "backend" in DatabaseSettings.model_fields


def test_the_migration_url_is_one_property() -> None:
    plain = load_settings({**TESTING, "DATABASE_URL": "postgres://u@pooler/db"}).database
    assert plain.migration_url is None and plain.url_for_migrations == plain.url == "postgresql+psycopg2://u@pooler/db"
    direct = load_settings({**TESTING, "DATABASE_URL": "postgres://u@pooler/db",
                            "MIGRATION_DATABASE_URL": "postgres://u@direct/db"}).database
    assert direct.url_for_migrations == "postgresql+psycopg2://u@direct/db"
    assert direct.url == "postgresql+psycopg2://u@pooler/db"


def test_every_module_takes_the_migration_url_from_the_property() -> None:
    spelled = re.compile(r"migration_url\s+or\b|migration_database_url\s+or\b")
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "quantum").rglob("*.py") if spelled.search(path.read_text())]
    assert offenders == [str(Path("quantum/config/groups.py"))]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"QUANTUM_ENV": "staging"}, "QUANTUM_ENV must be one of development, testing, production, got 'staging'"),
        ({**TESTING, "DB_POOL_SIZE": "many"}, "DB_POOL_SIZE must be a whole number, got 'many'"),
        ({**TESTING, "DB_POOL_TIMEOUT": "0"}, "DB_POOL_TIMEOUT must be at least 0.1, got 0.0"),
        ({**TESTING, "DB_QUERY_TIMEOUT_MS": "10"}, "DB_QUERY_TIMEOUT_MS must be at least 100, got 10"),
        ({**TESTING, "MIGRATION_DATABASE_URL": "mysql://u@h/db"},
         "MIGRATION_DATABASE_URL names an unsupported backend 'mysql': use postgresql or sqlite"),
        ({**TESTING, "LOG_FORMAT": "xml"}, "LOG_FORMAT must be one of json, text, got 'xml'"),
        ({**TESTING, "JWT_ACCESS_TOKEN_EXPIRES": "15m"}, "JWT_ACCESS_TOKEN_EXPIRES must be a whole number of seconds, got '15m'"),
        ({**TESTING, "JWT_REFRESH_TOKEN_EXPIRES": "0"}, "JWT_REFRESH_TOKEN_EXPIRES must be at least 1 second, got 0"),
        ({**TESTING, "API_KEYS_MAX_PER_USER": "x"}, "API_KEYS_MAX_PER_USER must be a whole number, got 'x'"),
        ({**TESTING, "RATELIMIT_ENABLED": "maybe"}, "RATELIMIT_ENABLED must be true or false, got 'maybe'"),
        ({**TESTING, "RATELIMIT_LOGIN": "lots"},
         "RATELIMIT_LOGIN is malformed: expected a rate such as '10 per minute' or '5/second', got 'lots'"),
        ({**TESTING, "RATELIMIT_STORAGE_URI": "quantum-sqlite:///tmp/x.db", "RATELIMIT_STRATEGY": "moving-window"},
         "RATELIMIT_STRATEGY 'moving-window' needs RATELIMIT_STORAGE_URI=redis://...: "
         "the built-in quantum-sqlite storage counts fixed windows only"),
        ({**TESTING, "RISK_FREE_RATE": "lots"}, "RISK_FREE_RATE must be an annual rate such as 0.04, got 'lots'"),
        ({**TESTING, "RISK_FREE_RATE": "2"}, "RISK_FREE_RATE must be a fraction between -1 and 1 (0.04 = 4%), got '2'"),
        ({**TESTING, "ARCHIVE_RETENTION_ORDERS": "forever"},
         "ARCHIVE_RETENTION_ORDERS: 'forever' is not an age: use a number followed by d, h or m (e.g. 365d)"),
        ({**TESTING, "GUNICORN_BIND": "nowhere"},
         "GUNICORN_BIND must be HOST:PORT (e.g. 0.0.0.0:8000) or unix:/path/to.sock, got 'nowhere'"),
        ({**TESTING, "PORT": "99999"}, "PORT must be between 0 and 65535, got 99999"),
        ({**TESTING, "WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY must be at least 1, got 0"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert str(caught.value) == message and caught.value.exit_code == 2


def test_the_first_bad_variable_is_the_one_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="^QUANTUM_ENV"):
        load_settings({"QUANTUM_ENV": "staging", "DB_POOL_SIZE": "many", "RISK_FREE_RATE": "lots"})
    with pytest.raises(ConfigError, match="^DATABASE_URL is required in production"):
        load_settings({"QUANTUM_ENV": "production", "JWT_SECRET_KEY": "short", "PORT": "http"})
    with pytest.raises(ConfigError, match="^DATABASE_URL is malformed"):
        load_settings({"QUANTUM_ENV": "development", "DATABASE_URL": "not a url"}, instance_path=str(tmp_path))
    assert not (tmp_path / DEV_SECRET_FILE).exists()  # no key written for settings that were refused


def test_empty_variables_are_unset_and_production_logs_json() -> None:
    settings = load_settings({**TESTING, "DB_POOL_SIZE": "", "LOG_FORMAT": "", "RATELIMIT_LOGIN": ""})
    assert settings.database.pool_size == 5 and settings.rate_limits.login_limit == "10 per minute"
    production = load_settings({"QUANTUM_ENV": "production", "DATABASE_URL": "postgres://u@h/db", "JWT_SECRET_KEY": TEST_SECRET})
    assert production.observability.log_format == "json" and production.production


def test_port_is_only_read_without_gunicorn_bind() -> None:
    assert load_settings({**TESTING, "GUNICORN_BIND": "127.0.0.1:9000", "PORT": "http"}).server.bind == "127.0.0.1:9000"


def test_settings_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QUANTUM_ENV", "testing")
    monkeypatch.setenv("DB_POOL_SIZE", "7")
    assert Settings(instance_path=str(tmp_path)).database.pool_size == 7
    assert load_settings(instance_path=str(tmp_path)).database.pool_size == 7
    monkeypatch.setenv("DB_POOL_SIZE", "many")
    with pytest.raises(ConfigError, match="^DB_POOL_SIZE must be a whole number"):
        Settings(instance_path=str(tmp_path))


def test_the_environment_names_come_from_the_model() -> None:
    names = environment_names()
    assert names == Settings.environment_names()
    for group in (DatabaseSettings, AuthSettings, RateLimitSettings, AISettings, ObservabilitySettings,
                  ArchiveSettings, ServerSettings):
        assert set(group.environment_names()) <= names
    assert {"QUANTUM_ENV", "DATABASE_URL", "JWT_SECRET_KEY", "RATELIMIT_LOGIN", "RISK_FREE_RATE", "LOG_FORMAT",
            "ARCHIVE_RETENTION_ORDERS", "WEB_CONCURRENCY", "PROXY_FIX_HOPS"} <= names


def test_the_readme_documents_every_variable() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    missing = sorted(name for name in environment_names() if f"`{name}`" not in section)
    assert missing == []


def test_create_app_takes_a_settings_object_as_is(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings({**TESTING, "DATABASE_URL": db_url, "JWT_SECRET_KEY": TEST_SECRET, "RISK_FREE_RATE": "0.04",
                              "JWT_ACCESS_TOKEN_EXPIRES": "120"}, instance_path=str(tmp_path))
    monkeypatch.setenv("RISK_FREE_RATE", "lots")  # not read again: the object is used as is
    app = create_app(settings)
    try:
        assert app.config["QUANTUM_SETTINGS"] is settings
        assert app.config["SQLALCHEMY_DATABASE_URI"] == settings.database.url
        assert app.config["JWT_ACCESS_TOKEN_EXPIRES"] == timedelta(seconds=120)
        assert app.config["RATELIMIT_STORAGE_URI"] == "memory://" and app.config["TESTING"] is True
        with app.app_context():
            assert current_settings() is settings and current_settings().ai.risk_free_rate == 0.04
        assert app.test_client().get("/api/health").status_code == 200
    finally:
        _dispose(app)


def test_a_mapping_is_validated_like_the_environment(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError) as caught:
        make_app(db_url, DB_POOL_SIZE="many")
    assert str(caught.value) == "DB_POOL_SIZE must be a whole number, got 'many'"
    with pytest.raises(ConfigError) as caught:
        make_app(db_url, RISK_FREE_RATE="lots")
    assert str(caught.value) == "RISK_FREE_RATE must be an annual rate such as 0.04, got 'lots'"

    monkeypatch.setenv("RISK_FREE_RATE", "0.02")
    monkeypatch.setenv("API_KEYS_MAX_PER_USER", "9")
    app = make_app(db_url, RISK_FREE_RATE="0.03", RATELIMIT_ENABLED=False, JWT_REFRESH_TOKEN_EXPIRES=600,
                   SCHEMA_GUARD=False, SOMETHING_ELSE="kept")
    try:
        settings = app.config["QUANTUM_SETTINGS"]
        assert settings.ai.risk_free_rate == 0.03  # the mapping over the environment
        assert settings.auth.api_keys_max_per_user == 9  # the environment under it
        assert settings.rate_limits.enabled is False and app.config["RATELIMIT_ENABLED"] is False
        assert settings.auth.refresh_token_expires == timedelta(seconds=600)
        assert app.config["SCHEMA_GUARD"] is False and app.config["SOMETHING_ELSE"] == "kept"  # plain Flask config
        assert "RISK_FREE_RATE" not in app.config and "SOMETHING_ELSE" not in environment_names()
    finally:
        _dispose(app)


def _dispose(app) -> None:  # noqa: ANN001
    from quantum.extensions import db

    with app.app_context():
        db.engine.dispose()
