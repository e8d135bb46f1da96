"""A corpus of hostile input against every route that takes a body, query or path parameters: never a 5xx.

The routes come from the app's own OpenAPI document, so a new route is covered the day it is added (and
`test_every_body_route_has_a_valid_base` makes its author give it a valid body to start from). Each body
field, each nested field of a list of objects, each query parameter and each path parameter gets every
value below, one at a time, with the rest of the request valid; whole bodies get malformed, duplicated,
deep and non-UTF-8 forms. Every answer must be below 500 and, when an error, in the one error format.
Runs on SQLite and PostgreSQL (NUL and number ranges are PostgreSQL problems).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from quantum.openapi import build_document
from tests.auth.helpers import PASSWORD, access_token, api_key, refresh_token, unique_email
from tests.conftest import make_app

FORMAT = {"error", "message", "details", "error_code"}

# Values a JSON encoder can carry (NUL and lone surrogates as \u escapes, as clients send them).
HOSTILE_VALUES: list[Any] = [
    "\x00", "a\x00b", "\ud800", "x\udfffy", "\u0663", "\uff11", "1_000", " 1 ", "1e3", "NaN", "-0", "0x1F",
    "' OR '1'='1", "'; DROP TABLE users; --", "x" * 5000, "", "\u202e", True, False, None, [], {}, {"$gt": ""},
    ["\x00"], {"\x00": 1}, {"\ud800": "x"}, 10**40, -(10**40), 2**63, 2**31, 1e308, -1, 0, 1.5,
    "99999999999999999999999", "1000000000000", "999999999999.99999999",
]
# Literals no JSON encoder writes; spliced into the body text in place of a field's value.
HOSTILE_LITERALS = [
    "NaN", "Infinity", "-Infinity", "1e309", "-1e309", "9" * 5000, "1e-400", "[" * 1000 + "]" * 1000,
    "{\"a\": " * 40 + "1" + "}" * 40,
]
# Whole bodies.
HOSTILE_BODIES: list[bytes] = [
    b"{", b"}", b"[", b"null", b"[]", b"\"x\"", b"0", b"{}", b"\xff\xfe", b"\xed\xa0\x80", b"{\"a\": \"\xed\xa0\x80\"}",
    b"\xef\xbb\xbf{}", b"{\"\\u0000\": 1}", b"[" * 100_000 + b"]" * 100_000, b"{\"a\":" * 5000 + b"1" + b"}" * 5000,
    b"{'a': 1}", b"{\"a\": 1,}", b"\x00",
]
# Path segments for string and integer path parameters (raw, percent-encoded here).
HOSTILE_SEGMENTS = ["\x00", "a\x00b", "\ud800", "\u0663", "99999999999999999999999", "-1", "0", "%", "..", " "]


def _valid_bodies(ctx: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid body for every operation that takes one: hostile values replace one field at a time."""
    return {
        ("post", "/api/auth/register"): {"email": unique_email(), "password": PASSWORD, "username": None},
        ("post", "/api/auth/login"): {"email": ctx["admin_email"], "password": PASSWORD},
        ("post", "/api/auth/logout"): {"refresh_token": "x.y.z"},
        ("post", "/api/auth/api-keys"): {"name": "bot", "scopes": ["trading:read"]},
        ("patch", "/api/admin/users/{user_id}"): {"tier": "pro"},
        ("post", "/api/ai/price-bars"): {"bars": [{
            "symbol": "HOSTILE", "ts": "2024-01-02T00:00:00Z", "open": "10", "high": "11", "low": "9", "close": "10",
            "volume": "100"}]},
        ("post", "/api/ai/backtests"): {"template_id": 1, "symbol": "HOSTILE", "parameters": {"fast": 2, "slow": 3},
                                        "start": None, "end": None},
        ("post", "/api/ai/requests/{request_id}/reject"): {"note": "no"},
        ("put", "/api/ai/policies/tiers/{tier}"): {"allowed_templates": None, "daily_limits": None,
                                                   "approval_cost": None, "max_cost": None},
        ("put", "/api/ai/policies/users/{user_id}"): {"allowed_templates": ["sma_crossover"],
                                                      "daily_limits": {"backtests": 5}, "approval_cost": "1",
                                                      "max_cost": "10"},
        ("post", "/api/portfolio/snapshots"): {"holdings": [{"symbol": "AAPL", "quantity": "1", "price": "1"}],
                                               "cash": "1"},
        ("post", "/api/portfolio/deposits"): {"amount": "1", "currency": "USD", "network": "eth", "tx_hash": None,
                                              "block_number": 1},
        ("post", "/api/trading/orders"): {"symbol": "AAPL", "side": "buy", "quantity": "1", "price": "1"},
        ("put", "/api/trading/limits"): {"per_order_limit": "100", "daily_limit": None},
    }


def _operations(app) -> list[tuple[str, str, dict, list[dict]]]:
    """(method, path, operation, parameters) of every operation in the app's document."""
    document = build_document(app)
    operations = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and method in ("get", "post", "put", "patch", "delete"):
                parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
                operations.append((method, path, operation, parameters))
    return operations


class Corpus:
    """Sends requests as an admin (every route reachable) and collects every answer that breaks the rules."""

    def __init__(self, app, client, ctx: dict[str, Any]) -> None:
        self.app, self.client, self.ctx = app, client, ctx
        self.failures: list[str] = []
        self.sent = 0

    def headers(self, path: str) -> dict[str, str]:
        if path == "/api/auth/refresh":
            token = refresh_token(self.app, self.ctx["admin"])
        else:
            token = access_token(self.app, self.ctx["admin"])  # fresh: logout revokes the one it gets
        return {"Authorization": f"Bearer {token}"}

    def send(self, method: str, url: str, what: str, path: str, data: bytes | None = None) -> None:
        self.sent += 1
        kwargs: dict[str, Any] = {"headers": self.headers(path)}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        response = self.client.open(url, method=method.upper(), **kwargs)
        text = response.get_data(as_text=True)
        problem = None
        if response.status_code >= 500:
            problem = f"{response.status_code}"
        elif response.status_code >= 400:
            body = response.get_json(silent=True)
            if not isinstance(body, dict) or not FORMAT <= set(body):
                problem = f"{response.status_code} not in the error format"
        if "Traceback" in text:
            problem = "a traceback in the body"
        if problem:
            self.failures.append(f"{method.upper()} {url[:80]!r} {what[:80]}: {problem}: {text[:200]}")


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: quote(values[m.group(1)], safe="", errors="surrogatepass"), path)


def _body_text(body: Any) -> bytes:
    return json.dumps(body).encode("ascii")  # ensure_ascii: NUL and surrogates as \u escapes


def _spliced(body: dict[str, Any], setter, literal: str) -> bytes:
    """`body` with one field's value replaced by a raw literal (a marker string swapped in the text)."""
    marker = f"__hostile_{uuid.uuid4().hex}__"
    return _body_text(setter(body, marker)).replace(f'"{marker}"'.encode(), literal.encode())


def _setters(body: dict[str, Any]):
    """(name, function returning a copy of `body` with that field set) for every field and nested field."""
    for name, value in body.items():
        yield name, lambda b, v, n=name: {**b, n: v}
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for inner in value[0]:
                yield f"{name}[0].{inner}", lambda b, v, n=name, i=inner: {**b, n: [{**b[n][0], i: v}]}
        if isinstance(value, dict):
            for inner in value:
                yield f"{name}.{inner}", lambda b, v, n=name, i=inner: {**b, n: {**b[n], i: v}}
            yield f"{name} key", lambda b, v, n=name: {**b, n: {**b[n], str(v)[:50]: 1}}


@pytest.fixture
def corpus(db_url):
    app = make_app(db_url, RATELIMIT_ENABLED=False)
    client = app.test_client()
    from quantum.extensions import db
    from tests.auth.helpers import create_user

    admin = create_user(app, role="admin", tier="enterprise")
    target = create_user(app)
    api_key(app, admin)
    headers = {"Authorization": f"Bearer {access_token(app, admin)}"}
    key_id = client.get("/api/auth/api-keys", headers=headers).get_json()["items"][0]["id"]
    client.post("/api/ai/backtests", headers=headers, json={"template_id": 1, "symbol": "NOBARS"})  # a request row
    requests = client.get("/api/ai/requests", headers=headers).get_json()["items"]
    request_id = requests[0]["request_id"] if requests else str(uuid.uuid4())
    ctx = {"admin": admin, "admin_email": admin.email, "paths": {
        "user_id": str(target.id), "key_id": str(key_id), "template_id": "1", "tier": "free", "order_id": "1",
        "request_id": request_id}}
    yield Corpus(app, client, ctx)
    with app.app_context():
        db.engine.dispose()


def test_every_body_route_has_a_valid_base(db_url):
    app = make_app(db_url, RATELIMIT_ENABLED=False)
    with_body = {(method, path) for method, path, operation, _ in _operations(app) if "requestBody" in operation}
    known = set(_valid_bodies({"admin_email": "x@example.com"}))
    assert with_body <= known, f"give these routes a valid body in _valid_bodies: {sorted(with_body - known)}"


def test_hostile_bodies_queries_and_paths_never_give_a_5xx(corpus, backend):
    app, ctx = corpus.app, corpus.ctx
    operations = _operations(app)
    for method, path, operation, parameters in operations:
        url = _fill(path, ctx["paths"])
        if "requestBody" in operation:
            base = _valid_bodies(ctx)[(method, path)]
            for name, setter in list(_setters(base)):
                for value in HOSTILE_VALUES:
                    corpus.send(method, url, f"{name}={value!r}", path, _body_text(setter(base, value)))
                for literal in HOSTILE_LITERALS:
                    corpus.send(method, url, f"{name}={literal[:20]}", path, _spliced(base, setter, literal))
            first = next(iter(base))
            duplicate = _body_text(base)[:-1] + b", " + json.dumps(first).encode() + b": " + _body_text(base[first]) + b"}"
            for raw in [*HOSTILE_BODIES, duplicate]:
                corpus.send(method, url, f"body {raw[:30]!r}", path, raw)
        for parameter in parameters:
            if parameter["in"] == "query":
                for value in HOSTILE_VALUES:
                    if isinstance(value, (dict, list)):
                        continue
                    query = urlencode({parameter["name"]: str(value)}, encoding="utf-8", errors="surrogatepass")
                    corpus.send(method, f"{url}?{query}", f"{parameter['name']}={value!r}", path)
            elif parameter["in"] == "path":
                for segment in HOSTILE_SEGMENTS:
                    hostile = _fill(path, {**ctx["paths"], parameter["name"]: segment})
                    corpus.send(method, hostile, f"{parameter['name']}={segment!r}", path)
    assert corpus.sent > 2000
    assert not corpus.failures, f"{len(corpus.failures)} of {corpus.sent} broke the rules:\n" + "\n".join(
        corpus.failures[:40])
