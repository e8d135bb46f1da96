"""How each kind of setting becomes a value from its environment text; every refusal names the variable."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from quantum.schema_engine.url import MalformedURL, parse_database_url


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


_AGE = re.compile(r"^\s*(\d+)\s*([dhm])\s*$")


def parse_age(text: str) -> timedelta:
    """'365d', '12h' or '30m' as a timedelta; ValueError otherwise."""
    match = _AGE.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not an age: use a number followed by d, h or m (e.g. 365d)")
    amount, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=amount), "h": timedelta(hours=amount), "m": timedelta(minutes=amount)}[unit]


def _text(raw: Any) -> str:
    # Values come from the environment (text) or from a test_config mapping (sometimes already typed).
    return raw if isinstance(raw, str) else str(raw)


class Rule:
    """How one setting's raw value (text, or a typed value from a test_config) becomes its value.

    Put in a field's `Annotated[...]`; the settings models apply it before pydantic's own checks.
    A blank value means "not set": the field keeps its default.
    """

    def parse(self, name: str, raw: Any) -> Any:
        """The value of the setting `name`; ConfigError naming `name` when `raw` is not acceptable."""
        raise NotImplementedError


@dataclass(frozen=True)
class Whole(Rule):
    """A whole number within bounds (None: unbounded on that side)."""

    minimum: int | None = 0
    maximum: int | None = None

    def parse(self, name: str, raw: Any) -> int:
        """An int; "must be a whole number" or "must be at least / between" otherwise."""
        if isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        else:
            text = _text(raw)
            try:
                value = int(text)
            except ValueError:
                raise ConfigError(f"{name} must be a whole number, got {text!r}") from None
        too_low = self.minimum is not None and value < self.minimum
        if too_low or (self.maximum is not None and value > self.maximum):
            bounds = f"between {self.minimum} and {self.maximum}" if self.maximum is not None else f"at least {self.minimum}"
            raise ConfigError(f"{name} must be {bounds}, got {value}")
        return value


@dataclass(frozen=True)
class Number(Rule):
    """A number of at least `minimum`."""

    minimum: float = 0.0

    def parse(self, name: str, raw: Any) -> float:
        """A float; "must be a number" or "must be at least" otherwise."""
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            value = float(raw)
        else:
            text = _text(raw)
            try:
                value = float(text)
            except ValueError:
                raise ConfigError(f"{name} must be a number, got {text!r}") from None
        if value < self.minimum:
            raise ConfigError(f"{name} must be at least {self.minimum}, got {value}")
        return value


@dataclass(frozen=True)
class Choice(Rule):
    """One of a few words, case-insensitive."""

    choices: tuple[str, ...]

    def parse(self, name: str, raw: Any) -> str:
        """The word in lower case; "must be one of" otherwise."""
        value = _text(raw).strip().lower()
        if value not in self.choices:
            raise ConfigError(f"{name} must be one of {', '.join(self.choices)}, got {value!r}")
        return value


@dataclass(frozen=True)
class Text(Rule):
    """Free text, stripped."""

    def parse(self, name: str, raw: Any) -> str:
        """The text without surrounding whitespace."""
        return _text(raw).strip()


@dataclass(frozen=True)
class DatabaseURL(Rule):
    """A PostgreSQL or SQLite URL, normalized (see `normalize_database_url`)."""

    def parse(self, name: str, raw: Any) -> str:
        """The SQLAlchemy URL; ConfigError naming `name` when malformed or unsupported."""
        return normalize_database_url(_text(raw), name)


@dataclass(frozen=True)
class Seconds(Rule):
    """A lifetime in whole seconds (at least 1), as a timedelta."""

    def parse(self, name: str, raw: Any) -> timedelta:
        """A timedelta; a timedelta given in a test_config is taken as is."""
        if isinstance(raw, timedelta):
            return raw
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a whole number of seconds, got {raw!r}") from None
        if value < 1:
            raise ConfigError(f"{name} must be at least 1 second, got {value}")
        return timedelta(seconds=value)


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Flag(Rule):
    """true/false, yes/no, on/off or 1/0."""

    def parse(self, name: str, raw: Any) -> bool:
        """A bool; "must be true or false" otherwise."""
        if isinstance(raw, bool):
            return raw
        text = _text(raw).strip().lower()
        if text not in _TRUE | _FALSE:
            raise ConfigError(f"{name} must be true or false, got {raw!r}")
        return text in _TRUE


@dataclass(frozen=True)
class RateLimit(Rule):
    """A rate in the `limits` notation: "10 per minute", "5/second", "100/hour;1000/day"."""

    def parse(self, name: str, raw: Any) -> str:
        """The rate text; "is malformed" otherwise."""
        from limits import parse_many  # only when a limit is set: the defaults are known to parse

        text = _text(raw)
        try:
            if not parse_many(text):
                raise ValueError
        except ValueError:
            raise ConfigError(
                f"{name} is malformed: expected a rate such as '10 per minute' or '5/second', got {raw!r}"
            ) from None
        return text


@dataclass(frozen=True)
class AnnualRate(Rule):
    """An annual rate as a fraction strictly between -1 and 1 (0.04 = 4%)."""

    def parse(self, name: str, raw: Any) -> float:
        """A float; "must be an annual rate" or "must be a fraction between -1 and 1" otherwise."""
        try:
            rate = float(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be an annual rate such as 0.04, got {raw!r}") from None
        if not -1.0 < rate < 1.0:
            raise ConfigError(f"{name} must be a fraction between -1 and 1 (0.04 = 4%), got {raw!r}")
        return rate


@dataclass(frozen=True)
class Age(Rule):
    """An age such as 365d, 12h or 30m (see `parse_age`), kept as its text."""

    def parse(self, name: str, raw: Any) -> str:
        """The age text; "NAME: '...' is not an age" otherwise."""
        text = _text(raw).strip()
        try:
            parse_age(text)
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}") from None
        return text


@dataclass(frozen=True)
class Bind(Rule):
    """Where gunicorn listens: HOST:PORT or unix:/path/to.sock."""

    def parse(self, name: str, raw: Any) -> str:
        """The address; "must be HOST:PORT" otherwise."""
        text = _text(raw).strip()
        if text.startswith("unix:") and len(text) > len("unix:"):
            return text
        host, separator, port = text.rpartition(":")
        if not separator or not host or not port.isdigit() or int(port) > 65535:
            raise ConfigError(f"{name} must be HOST:PORT (e.g. 0.0.0.0:8000) or unix:/path/to.sock, got {text!r}")
        return text
