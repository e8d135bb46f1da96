"""Request ids, structured logs, slow-query plans, Prometheus metrics and alert webhooks."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Blueprint
from prometheus_client.parser import text_string_to_metric_families

from quantum.extensions import db
from quantum.observability.alerts import Alerter
from quantum.observability.logs import JsonFormatter, RequestIdFilter
from tests.conftest import ROOT, TEST_SECRET, make_app


def test_request_id_is_echoed_or_made(client):
    given = client.get("/api/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"
    made = client.get("/api/health", headers={"X-Request-ID": "bad id with spaces"})
    assert len(made.headers["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_request_id(db_url, caplog):
    app = make_app(db_url, SLOW_QUERY_MS="0")
    probes = Blueprint("probes", __name__)

    @probes.get("/_probe/scan")
    def scan():
        return {"n": db.session.execute(sa.text("SELECT count(*) FROM users WHERE username = 'x'")).scalar()}

    app.register_blueprint(probes)
    client = app.test_client()
    client.get("/api/health/ready")
    with caplog.at_level(logging.WARNING, logger="quantum.db.slow"):
        response = client.get("/_probe/scan", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 200
    records = [r for r in caplog.records if "count(*) FROM users" in r.getMessage()]
    assert records, caplog.text
    record = records[-1]
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "quantum.db.slow"
    assert "plan:" in line["message"]


def test_slow_query_log_recommends_an_index_for_a_full_scan(db_url, caplog):
    app = make_app(db_url, SLOW_QUERY_MS="0")
    probes = Blueprint("probes", __name__)

    @probes.get("/_probe/fullscan")
    def fullscan():
        # password_hash has no index: the plan is a full scan of users.
        return {"n": db.session.execute(sa.text("SELECT id FROM users WHERE password_hash = 'zz'")).all().__len__()}

    app.register_blueprint(probes)
    client = app.test_client()
    client.get("/api/health/ready")
    with caplog.at_level(logging.WARNING, logger="quantum.db.slow"):
        client.get("/_probe/fullscan")
    messages = [r.getMessage() for r in caplog.records if "password_hash = 'zz'" in r.getMessage()]
    assert messages and "recommendation: full scan of users" in messages[-1], caplog.text


def test_metrics_parse_with_prometheus_parser(client):
    client.get("/api/health")
    client.get("/api/health")
    client.get("/no/such/route")
    response = client.get("/metrics")
    assert response.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(response.get_data(as_text=True))}
    for name in ("quantum_http_requests", "quantum_http_request_duration_seconds", "quantum_db_query_duration_seconds",
                 "quantum_db_pool_connections_in_use", "quantum_db_circuit_state", "quantum_schema_ready"):
        assert name in families, sorted(families)
    health = [s for s in families["quantum_http_requests"].samples
              if s.labels.get("route") == "/api/health" and s.name.endswith("_total")]
    assert sum(s.value for s in health) >= 2
    unmatched = [s for s in families["quantum_http_requests"].samples if s.labels.get("route") == "unmatched"]
    assert unmatched  # unknown paths share one label: no cardinality explosion


def test_metrics_token(db_url):
    client = make_app(db_url, METRICS_TOKEN="s3cret").test_client()
    denied = client.get("/metrics")
    assert denied.status_code == 401 and denied.get_json()["error"] == "unauthorized"
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200


class _Recorder(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # noqa: ANN002
        pass


def test_alert_webhook_posts_once_per_transition():
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.received = []
    try:
        alerter = Alerter(f"http://127.0.0.1:{server.server_port}/hook")
        alerter.raise_alert("db_circuit_open", "circuit opened")
        alerter.raise_alert("db_circuit_open", "circuit opened")  # already firing: no second post
        alerter.clear_alert("db_circuit_open", "closed")
        deadline = time.monotonic() + 10
        while len(_Recorder.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        statuses = sorted(p["status"] for p in _Recorder.received)
        assert statuses == ["firing", "resolved"]
        assert all(p["alert"] == "db_circuit_open" for p in _Recorder.received)
    finally:
        server.shutdown()


def test_dead_webhook_never_blocks(caplog):
    alerter = Alerter("http://127.0.0.1:9/nothing", timeout=0.5)
    with caplog.at_level(logging.WARNING, logger="quantum.alerts"):
        alerter.raise_alert("readiness", "schema not ready")  # returns at once; the post fails in its thread
        assert any(r.getMessage().startswith("ALERT readiness") for r in caplog.records)
        deadline = time.monotonic() + 10
        while not any("alert webhook failed" in r.getMessage() for r in caplog.records):
            assert time.monotonic() < deadline, "the failed webhook post was never reported"
            time.sleep(0.05)


@pytest.mark.slow
def test_metrics_are_summed_across_gunicorn_workers(db_url, tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "QUANTUM_", "PROMETHEUS"))},
           "DATABASE_URL": db_url, "QUANTUM_ENV": "testing", "JWT_SECRET_KEY": TEST_SECRET, "WEB_CONCURRENCY": "3",
           "GUNICORN_THREADS": "1", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "wsgi:app", "-c", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/health", timeout=30).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        for _ in range(29):
            urllib.request.urlopen(base + "/api/health", timeout=30).read()
        text = urllib.request.urlopen(base + "/metrics", timeout=30).read().decode()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    total = sum(
        s.value
        for family in text_string_to_metric_families(text)
        if family.name == "quantum_http_requests"
        for s in family.samples
        if s.labels.get("route") == "/api/health" and s.name.endswith("_total")
    )
    assert total == 30


def test_labelled_children_are_the_metrics_own() -> None:
    from quantum.observability import metrics

    child = metrics.labelled(metrics.HTTP_REQUESTS, "GET", "/labelled-test", "200")
    assert child is metrics.HTTP_REQUESTS.labels("GET", "/labelled-test", "200")
    assert metrics.labelled(metrics.HTTP_REQUESTS, "GET", "/labelled-test", "200") is child
