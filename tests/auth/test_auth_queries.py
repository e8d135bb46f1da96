"""Authentication reads the blocklist and the user in one statement (quantum.auth.tokens)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from quantum.extensions import db
from tests.auth.helpers import access_token


@pytest.mark.parametrize("path", ["/api/portfolio/latest", "/api/trading/positions", "/api/auth/me"])
def test_one_query_authenticates(app, client, user_factory, backend, path):
    """The blocklist and the user are read in one statement (plus the route's own)."""
    user = user_factory()
    token = access_token(app, user)
    client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def _count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        client.get(path, headers={"Authorization": f"Bearer {token}"})
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    auth = [s for s in statements if "token_blocklist" in s or "FROM users" in s]
    assert len(auth) == 1, statements
    assert "token_blocklist" in auth[0] and "users" in auth[0]


def test_no_cookie_session(app, client, user_factory, backend):
    """The API is authenticated per request; Flask's cookie session is never opened nor sent."""
    from flask import session
    from flask.sessions import NullSession

    user = user_factory()
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {access_token(app, user)}"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    with app.test_request_context("/"):
        assert isinstance(session._get_current_object(), NullSession)
