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
