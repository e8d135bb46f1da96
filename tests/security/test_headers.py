"""Security headers: nosniff everywhere, no-store on credentials, a content policy; no stock Swagger UI pages."""

from __future__ import annotations

from tests.auth.helpers import PASSWORD, unique_email


def test_every_response_says_nosniff_and_has_a_content_policy(client):
    for method, path in [("get", "/api/health"), ("get", "/no/such/route"), ("get", "/openapi.json"),
                         ("post", "/api/auth/login"), ("get", "/docs"), ("get", "/docs/swagger-initializer.js"),
                         ("delete", "/api/health"), ("get", "/metrics")]:
        response = getattr(client, method)(path)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        assert response.headers.get("Content-Security-Policy"), path
    api = client.get("/api/health").headers["Content-Security-Policy"]
    assert "default-src 'none'" in api and "frame-ancestors 'none'" in api


def test_the_docs_policy_allows_only_this_origin(client):
    policy = client.get("/docs").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"  # no inline script, no eval, no CDN
    assert directives["connect-src"] == "'self'"
    assert "frame-ancestors" in directives
    assert "http" not in policy


def test_responses_with_tokens_or_keys_are_not_stored(client):
    email = unique_email()
    registered = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200 and "access_token" in login.get_json()
    tokens = login.get_json()
    refreshed = client.post("/api/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert refreshed.status_code == 200
    created = client.post("/api/auth/api-keys", json={"name": "bot"},
                          headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert created.status_code == 201 and "key" in created.get_json()
    failed = client.post("/api/auth/login", json={"email": email, "password": "wrong-password-1"})
    for response in (registered, login, refreshed, created, failed):
        assert response.headers.get("Cache-Control") == "no-store", response.request.path


def test_the_bundles_stock_pages_are_not_served(client):
    for name in ("index.html", "swagger-initializer.js", "oauth2-redirect.html", "index.j2", "swagger-ui.js",
                 "../__init__.py"):
        response = client.get(f"/docs/assets/{name}")
        assert response.status_code == 404, name
        assert response.get_json()["error"] == "not_found"
    for name in ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"):
        assert client.get(f"/docs/assets/{name}").status_code == 200, name
    page = client.get("/docs").get_data(as_text=True)
    assert "petstore" not in page and "swagger-initializer.js" in page
