"""The one request parser at the edge: strict JSON bodies and clean strings in bodies, queries and paths.

Every request passes through `check_request` before its view runs (a `before_request` hook), and the
argument parser of every flask-smorest blueprint reads the body this module parsed. Rules:

* a JSON body is UTF-8 JSON as RFC 8259 defines it: no `NaN`/`Infinity`, no duplicate keys (Python's
  `json` keeps the last, so `{"amount": "1", "amount": "1000000"}` credited 1,000,000), nested at most
  `MAX_DEPTH` levels; anything else is 400 `malformed_json` in the one error format;
* a number literal longer than `MAX_NUMBER_CHARS` characters, or one no float can hold (`1e309`), is
  422 naming its field (Python would parse 5,000 digits, then fail converting them);
* a string, or an object key, holding NUL or an unpaired surrogate (neither can be stored in
  PostgreSQL or encoded as UTF-8) is 422 naming its field, in the body, the query string or the path;
* an integer path parameter beyond 2^63 - 1 names no row: 404 (SQLite cannot compare it).

The body size is bounded by `MAX_CONTENT_LENGTH` (413 before anything is parsed).
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import flask_smorest
from flask import Flask, Request, request
from webargs import core
from webargs.flaskparser import FlaskParser

from quantum.errors import APIError, NotFound, ValidationFailed

MAX_DEPTH = 32
MAX_NUMBER_CHARS = 100
MAX_REPORTED = 20  # field problems reported in one answer
MAX_ROW_ID = 2**63 - 1  # the largest id any table's key can hold
BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
# Only these JSON escapes can decode to NUL or a surrogate (raw control characters are refused by the
# decoder, raw surrogates cannot survive strict UTF-8 decoding): without one, no string needs a look.
_RISKY_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
STRING_PROBLEM = "must not contain NUL characters or unpaired surrogates"
KEY_PROBLEM = "keys must not contain NUL characters or unpaired surrogates"
_PARSED = "_quantum_json_body"  # where a request keeps its parsed body


class MalformedJSON(APIError):
    """A body that is not JSON as RFC 8259 defines it, or nests too deeply, or repeats a key."""

    status = 400
    error = "malformed_json"

    def __init__(self, why: str) -> None:
        super().__init__(f"the request body is not valid JSON: {why}", details={"json": why})


class _Refused:
    """A number the decoder would not take; reported with its field once the walk knows the path."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


class _DuplicateKey(Exception):
    pass


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _shown(key: str) -> str:
    """A key as it may be echoed: escaped, and short."""
    text = key.encode("ascii", "backslashreplace").decode("ascii")
    return text if len(text) <= 40 else text[:40] + "..."


_INF = float("inf")
_refusals = threading.local()  # numbers the hooks refused during this thread's current decode


def _refused(reason: str) -> _Refused:
    marker = _Refused(reason)
    _refusals.found = True
    return marker


def _parse_int(text: str) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        return _refused(f"a number of at most {MAX_NUMBER_CHARS} characters")
    return int(text)


def _parse_float(text: str) -> Any:
    value = float(text)
    if len(text) > MAX_NUMBER_CHARS or value in (_INF, -_INF):
        return _refused(f"a finite number of at most {MAX_NUMBER_CHARS} characters")
    return value


_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_object, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_refuse_constant,
)


def nesting_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects in a decoded value nest deeper than `limit` (level by level, containers only)."""
    level = [value] if isinstance(value, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [child for item in level for child in (item.values() if isinstance(item, dict) else item)
                 if isinstance(child, (dict, list))]
    return False


def parse_json(data: bytes) -> Any:
    """The JSON value of `data` under the rules above; raises MalformedJSON (400) or ValidationFailed (422)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedJSON(f"not UTF-8 (byte {exc.start})") from None
    _refusals.found = False
    try:
        value = _DECODER.decode(text)
    except _DuplicateKey as exc:
        raise MalformedJSON(f"the key '{_shown(exc.args[0])}' appears twice in one object") from None
    except RecursionError:
        raise MalformedJSON(f"nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise MalformedJSON(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except ValueError as exc:  # NaN, Infinity
        raise MalformedJSON(str(exc)) from None
    if text.count("[") + text.count("{") > MAX_DEPTH and nesting_exceeds(value):
        raise MalformedJSON(f"nested deeper than {MAX_DEPTH} levels")
    if _refusals.found or _RISKY_ESCAPE.search(text):
        _check_value(value)
    return value


def _nest(details: dict[str, Any], path: tuple[str, ...], message: str) -> None:
    """Put `message` at `path` in marshmallow's nested error shape ({"a": {"0": {"b": [message]}}})."""
    node = details
    for key in path[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            return  # a problem already reported above this one
        node = child
    node.setdefault(path[-1] if path else "_schema", [message])


def _check_value(value: Any) -> None:
    """Walk a decoded body (iteratively: no recursion to exhaust) for depth, refused numbers and bad strings."""
    details: dict[str, Any] = {}
    problems = 0
    stack: list[tuple[Any, tuple[str, ...], int]] = [(value, (), 0)]
    while stack and problems < MAX_REPORTED:
        item, path, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth >= MAX_DEPTH:
                raise MalformedJSON(f"nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                bad_keys = [key for key in item if BAD_CHARACTERS.search(key)]
                if bad_keys:
                    _nest(details, path, KEY_PROBLEM)
                    problems += 1
                stack.extend((child, (*path, key), depth + 1) for key, child in item.items() if key not in bad_keys)
            else:
                stack.extend((child, (*path, str(index)), depth + 1) for index, child in enumerate(item))
        elif isinstance(item, str):
            if BAD_CHARACTERS.search(item):
                _nest(details, path, STRING_PROBLEM)
                problems += 1
        elif isinstance(item, _Refused):
            _nest(details, path, f"must be {item.reason}")
            problems += 1
    if details:
        raise ValidationFailed("invalid input: " + ", ".join(sorted(details)), details=details)


def _check_strings(values: Any, where: str) -> None:
    """422 naming each query or path parameter whose name or value holds NUL or an unpaired surrogate."""
    details: dict[str, list[str]] = {}
    for key, value in values:
        if BAD_CHARACTERS.search(key):
            details[where] = [f"parameter names {STRING_PROBLEM}"]
        elif isinstance(value, str) and BAD_CHARACTERS.search(value):
            details[key] = [STRING_PROBLEM]
    if details:
        raise ValidationFailed("invalid input: " + ", ".join(sorted(details)), details=details)


def _check_ids(values: Any) -> None:
    """404 for an integer path parameter no row id can have (SQLite cannot even compare it: OverflowError)."""
    if any(isinstance(value, int) and value > MAX_ROW_ID for value in values):
        raise NotFound("the requested resource was not found")


def body_json(req: Request) -> Any:
    """The request's JSON body parsed by `parse_json` (once), or `core.missing` when it has none."""
    parsed = req.environ.get(_PARSED, core.missing)
    if parsed is core.missing:
        data = req.get_data(cache=True)
        if not data.strip():
            return core.missing
        parsed = parse_json(data)
        req.environ[_PARSED] = parsed
        req._cached_json = (parsed, parsed)  # Flask's request.get_json() answers the same value
    return parsed


def check_request() -> None:
    """Refuse bad strings in the query and path, and parse and check a JSON body (before any view runs)."""
    if request.routing_exception is not None:
        return  # 404/405 answer first
    if request.args:
        _check_strings(request.args.items(multi=True), "query")
    if request.view_args:
        _check_strings(request.view_args.items(), "path")
        _check_ids(request.view_args.values())
    if request.is_json and request.content_length != 0:
        body_json(request._get_current_object())


class StrictParser(FlaskParser):
    """webargs' Flask parser reading the body `parse_json` checked (flask-smorest uses it for every `arguments`)."""

    def _raw_load_json(self, req: Request) -> Any:
        if not req.is_json:
            return core.missing
        return body_json(req)


# Views are decorated when their module is imported: the parser must be in place before that.
flask_smorest.Blueprint.ARGUMENTS_PARSER = StrictParser()


def install_request_parsing(app: Flask) -> None:
    """Check every request's query, path and JSON body before the views (and the auth hooks) run.

    Call it after the request-id and metrics hooks (so a refused request is still counted and traced)
    and before auth is initialised (so its hooks run after this one).
    """
    app.before_request(check_request)
