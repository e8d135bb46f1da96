"""Liveness and readiness."""


def test_health_is_ok(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_reports_backend_and_revision(client, backend):
    response = client.get("/api/health/ready")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["database"]["backend"] == backend
    assert body["database"]["revision"]


def test_proxy_fix_takes_the_client_address_from_the_trusted_proxy(db_url):
    from flask import request

    from tests.conftest import make_app

    for hops, expected in (("0", "127.0.0.1"), ("1", "203.0.113.9")):
        app = make_app(db_url, PROXY_FIX_HOPS=hops)
        app.add_url_rule("/_probe/ip", "ip", lambda: {"ip": request.remote_addr})
        response = app.test_client().get("/_probe/ip", headers={"X-Forwarded-For": "203.0.113.9"})
        assert response.get_json() == {"ip": expected}
