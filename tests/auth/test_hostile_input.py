"""SQL, very long strings, odd types and odd characters in every field: always 4xx, never 500."""

from __future__ import annotations

import itertools
from urllib.parse import urlencode

import sqlalchemy as sa

from quantum.auth.models import User
from quantum.extensions import db
from tests.auth.helpers import PASSWORD, api_key, bearer, unique_email

HOSTILE_STRINGS = [
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    "admin'--",
    "\" OR \"\"=\"",
    "1; SELECT pg_sleep(5)",
    "%' OR email LIKE '%",
    "\\",
    "x" * 300,
    "y" * 100_000,
    "\x00",
    "nul\x00inside@example.com",
    "\ud800",
    "\u202eevil",
    "😀" * 200,
    "",
    " ",
]
HOSTILE_VALUES = [*HOSTILE_STRINGS, 0, -1, 2**63, 1e308, True, None, [], ["x"], {}, {"$ne": None}]


def _no_500(response, what: str) -> None:
    assert 400 <= response.status_code < 500, (what, response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert body is not None and {"error", "message", "details", "error_code"} <= set(body), (what, body)
    assert "Traceback" not in response.get_data(as_text=True)


def _qs(params: dict[str, str]) -> str:
    # The raw bytes a client would send, lone surrogates included (the test client refuses to encode them).
    return urlencode(params, encoding="utf-8", errors="surrogatepass")


def _valid_bodies(app, user) -> dict[tuple[str, str], dict]:
    return {
        ("post", "/api/auth/register"): {"email": unique_email(), "password": PASSWORD, "username": None},
        ("post", "/api/auth/login"): {"email": user.email, "password": PASSWORD},
        ("post", "/api/auth/api-keys"): {"name": "bot", "scopes": ["trading:read"]},
        ("post", "/api/auth/logout"): {"refresh_token": "x.y.z"},
        ("patch", f"/api/admin/users/{user.id}"): {"tier": "pro", "account_status": "active", "role": "user"},
    }


def test_hostile_values_in_every_body_field(app, client, user_factory, backend):
    user = user_factory()
    admin = user_factory(role="admin")
    for value, ((method, path), valid) in itertools.product(HOSTILE_VALUES, _valid_bodies(app, user).items()):
        headers = bearer(app, admin)  # fresh per route: logout revokes its token
        for field in valid:
            body = {**valid, field: value}
            if path == "/api/auth/register" and field != "email":
                body["email"] = unique_email()
            response = getattr(client, method)(path, json=body, headers=headers)
            what = f"{method} {path} {field}={value!r:.40}"
            if response.status_code < 400:
                # SQL-looking text is just text: where it is acceptable it is stored literally.
                assert isinstance(value, str) or value is None, what
                assert len(value or "") <= 300, what
                echoed = response.get_json().get(field)
                if field in ("name", "username") and value is not None:
                    assert echoed == value.strip(), what
                continue
            _no_500(response, what)
            if isinstance(value, str) and len(value) > 300:
                assert field in response.get_json()["details"] or response.status_code == 401, what


def test_hostile_values_in_query_paths_and_headers(app, client, user_factory, backend):
    headers = bearer(app, user_factory(role="admin"))
    for value in HOSTILE_STRINGS:
        _check_query_paths_and_headers(client, headers, value)


def _check_query_paths_and_headers(client, headers, value):
    for params in ({"email": value}, {"limit": value}, {"offset": value}):
        response = client.get("/api/admin/users", query_string=_qs(params), headers=headers)
        assert response.status_code < 500, (params, response.get_json())
    for params in ({"user_id": value}, {"action": value}, {"limit": value}, {"before_id": value}):
        response = client.get("/api/admin/audit-log", query_string=_qs(params), headers=headers)
        assert response.status_code < 500, (params, response.get_json())
    safe_path = value.encode("utf-8", "surrogatepass").hex()[:200] if value else "x"
    for path in (f"/api/auth/api-keys/{safe_path}", f"/api/admin/users/{safe_path}"):
        assert client.delete(path, headers=headers).status_code < 500
        assert client.patch(path, headers=headers, json={"tier": "pro"}).status_code < 500
    latin1 = value.encode("utf-8", "surrogatepass").decode("latin-1")
    for header in ({"Authorization": f"Bearer {latin1}"}, {"Authorization": latin1}, {"X-API-Key": latin1}):
        response = client.get("/api/auth/me", headers=header)
        _no_500(response, f"header {header!r:.60}")
        assert response.status_code in (400, 401)


def test_non_object_bodies_and_non_json(app, client, user_factory, backend):
    user = user_factory()
    headers = bearer(app, user)
    for path in ("/api/auth/register", "/api/auth/login", "/api/auth/api-keys"):
        for body in ([], ["a"], "string", 42, None, True):
            _no_500(client.post(path, json=body, headers=headers), f"{path} {body!r}")
        _no_500(client.post(path, data="{not json", content_type="application/json", headers=headers), path)
        _no_500(client.post(path, data="email=a@b.c", content_type="application/x-www-form-urlencoded",
                            headers=headers), path)
    big = {"email": unique_email(), "password": "p" * (2 * 1024 * 1024)}
    response = client.post("/api/auth/register", json=big)
    _no_500(response, "2 MiB body")
    assert response.status_code == 413


def test_injection_attempts_leave_the_data_alone(app, client, user_factory, backend):
    victim = user_factory()
    for email in ("' OR '1'='1", f"{victim.email}' --", f"{victim.email}'; DROP TABLE users; --"):
        response = client.post("/api/auth/login", json={"email": email, "password": "' OR '1'='1"})
        assert response.status_code in (401, 422)
    key = api_key(app, victim)
    assert client.get("/api/auth/me", headers={"X-API-Key": key + "' OR '1'='1"}).status_code == 401
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(User.id))).scalar_one() == 1
