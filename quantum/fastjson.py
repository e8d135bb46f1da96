"""JSON responses for hot routes: the bytes Flask's `jsonify` would send, serialized by orjson.

`jsonify` runs the stdlib encoder from Python (sort_keys, ensure_ascii, compact separators, then a
newline): for a page of 20 snapshots that is ~0.1 ms of CPU more than orjson. orjson with sorted keys
writes the same bytes for what these bodies hold (dicts, lists, strings, ints, None). What it would
write differently goes to `jsonify` itself: non-ASCII text (the stdlib escapes it), floats (the two
libraries spell exponents differently; the caller says when a body may hold one) and anything orjson
refuses (Decimal, non-string keys, huge ints). So does a debug app, which pretty-prints, and an app
with another JSON provider.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response, current_app, jsonify
from flask.json.provider import DefaultJSONProvider

_SORTED = orjson.OPT_SORT_KEYS


def _compact_default_provider() -> bool:
    provider = current_app.json
    if type(provider) is not DefaultJSONProvider or not (provider.sort_keys and provider.ensure_ascii):
        return False
    return provider.compact is True or (provider.compact is None and not current_app.debug)


def has_float(value: Any) -> bool:
    """Whether a JSON-like value holds a float anywhere (for data that comes from a JSON column)."""
    if isinstance(value, dict):
        return _any_float(value.values())
    if isinstance(value, (list, tuple)):
        return _any_float(value)
    return isinstance(value, float)


def _any_float(items: Any) -> bool:
    for item in items:
        kind = type(item)
        # Strings and ints are by far the most common leaves: no call for them.
        if kind is str or kind is int or item is None:
            continue
        if has_float(item):
            return True
    return False


def json_response(body: Any, status: int = 200, *, may_hold_floats: bool = False) -> Response:
    """`jsonify(body)` with `status`, byte for byte, serialized by orjson where that gives the same bytes."""
    if not may_hold_floats and _compact_default_provider():
        try:
            data = orjson.dumps(body, option=_SORTED)
        except orjson.JSONEncodeError:
            data = b"\xff"  # not ASCII: jsonify below
        if data.isascii():
            return current_app.response_class(data + b"\n", status=status, mimetype=current_app.json.mimetype)
    response = jsonify(body)
    response.status_code = status
    return response
