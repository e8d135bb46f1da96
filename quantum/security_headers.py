"""Security headers on every response: no MIME sniffing, no caching of credentials, a content policy.

* `X-Content-Type-Options: nosniff` everywhere: a browser never runs a JSON body as a script or page;
* `Cache-Control: no-store` on every `/api/auth/...` response: login, refresh and registration carry
  tokens, API-key creation carries the key in clear, and no proxy or browser cache may keep them;
* `Content-Security-Policy`: every response, being data, may load nothing and be framed by nobody;
  the `/docs` pages set their own policy (`quantum.openapi.DOCS_POLICY`), which this one keeps.
"""

from __future__ import annotations

from flask import Flask, Response, request

NO_STORE_PREFIXES = ("/api/auth/",)
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def add_security_headers(response: Response) -> Response:
    """Set the headers above on `response` (a view's own value for a header is kept)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    path = request.path
    if path.startswith(NO_STORE_PREFIXES):
        headers["Cache-Control"] = "no-store"
    headers.setdefault("Content-Security-Policy", API_POLICY)
    return response


def install_security_headers(app: Flask) -> None:
    """Add the security headers to every response the app sends, errors included."""
    app.after_request(add_security_headers)
