"""Every error, from every layer, has the one JSON shape."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Blueprint, request

from quantum.auth.models import User
from quantum.extensions import db
from tests.conftest import make_app

SHAPE = {"error", "message", "details", "error_code"}


@pytest.fixture
def probe_client(db_url):
    """An app with a few routes that fail in the ways real routes can."""
    app = make_app(db_url)
    probes = Blueprint("probes", __name__)

    @probes.post("/_probe/echo")
    def echo():
        return {"got": request.get_json()}

    @probes.get("/_probe/crash")
    def crash():
        raise RuntimeError("secret internals: SELECT password_hash FROM users")

    @probes.post("/_probe/duplicate")
    def duplicate():
        for _ in range(2):
            db.session.add(User(email="dup@example.com", password_hash="x"))
            db.session.flush()
        return {}

    @probes.get("/_probe/db-down")
    def db_down():
        engine = sa.create_engine("postgresql+psycopg2://postgres@127.0.0.1:9/none", connect_args={"connect_timeout": 1})
        with engine.connect():
            pass
        return {}

    app.register_blueprint(probes)
    return app.test_client()


def _assert_shape(response, status: int, error: str) -> dict:
    assert response.status_code == status
    assert response.is_json
    body = response.get_json()
    assert SHAPE <= set(body), body
    assert body["error"] == error
    assert body["error_code"] == f"GEN_{status}" or body["error_code"]
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "SELECT" not in text and "password_hash" not in text
    return body


def test_404(probe_client):
    _assert_shape(probe_client.get("/no/such/route"), 404, "not_found")


def test_405(probe_client):
    _assert_shape(probe_client.delete("/api/health"), 405, "method_not_allowed")


def test_413(probe_client):
    _assert_shape(
        probe_client.post("/_probe/echo", data="x" * (2 * 1024 * 1024), content_type="application/json"),
        413,
        "payload_too_large",
    )


def test_malformed_json(probe_client):
    _assert_shape(probe_client.post("/_probe/echo", data="{bad", content_type="application/json"), 400, "malformed_json")


def test_500_hides_internals(probe_client):
    _assert_shape(probe_client.get("/_probe/crash"), 500, "internal_error")


def test_integrity_error_is_409(probe_client):
    _assert_shape(probe_client.post("/_probe/duplicate"), 409, "conflict")


def test_unreachable_database_is_503_with_retry_after(probe_client):
    response = probe_client.get("/_probe/db-down")
    body = _assert_shape(response, 503, "database_unavailable")
    assert body["retry_after"] > 0 and response.headers["Retry-After"] == str(body["retry_after"])
