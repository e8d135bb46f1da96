"""Clients cannot grow the metric label sets: unknown methods and unmatched routes share one value each."""

from __future__ import annotations

import secrets

from prometheus_client.parser import text_string_to_metric_families

from quantum.db.querylog import operation_of
from tests.conftest import make_app


def _samples(client) -> list:
    text = client.get("/metrics").get_data(as_text=True)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    return [s for s in families["quantum_http_requests"].samples if s.name.endswith("_total")]


def test_random_methods_and_paths_fold_into_one_label_each(client):
    before = {tuple(sorted(s.labels.items())) for s in _samples(client)}
    for _ in range(5):
        method = secrets.token_hex(4).upper()
        client.open(f"/api/{secrets.token_hex(4)}", method=method)
        client.open("/api/health", method=method)
    after = _samples(client)
    methods = {s.labels["method"] for s in after}
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}
    assert "other" in methods
    new = {tuple(sorted(s.labels.items())) for s in after} - before
    # Only what this test's requests added (other tests' apps share the registry): a route of the table or
    # "unmatched", never the random path.
    rules = {rule.rule for rule in client.application.url_map.iter_rules()}
    routes = {dict(labels)["route"] for labels in new}
    assert routes <= rules | {"unmatched"}, routes - rules
    assert len(new) <= 3, new  # other x unmatched x 404, other x unmatched x 405, and nothing per random value


def test_sql_operation_label_is_bounded():
    assert operation_of("SELECT 1") == "select"
    assert operation_of("  insert into t values (1)") == "insert"
    assert operation_of("random_" + secrets.token_hex(4)) == "other"


def test_metrics_token_is_checked_exactly(db_url):
    client = make_app(db_url, METRICS_TOKEN="s3cret-token").test_client()
    for given in ("Bearer s3cret-toke", "Bearer s3cret-token ", "bearer s3cret-token", "s3cret-token",
                  "Bearer s3cret-t\u00f6ken", ""):
        response = client.get("/metrics", headers={"Authorization": given})
        assert response.status_code == 401, given
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200


def test_refused_requests_are_counted_and_traced(client):
    response = client.post("/api/portfolio/deposits", data='{"amount": 1, "amount": 2}',
                           content_type="application/json", headers={"X-Request-ID": "edge-trace-1"})
    assert response.status_code == 400 and response.headers["X-Request-ID"] == "edge-trace-1"
    counted = [s for s in _samples(client)
               if s.labels["route"] == "/api/portfolio/deposits" and s.labels["status"] == "400"]
    assert counted and counted[0].value >= 1
