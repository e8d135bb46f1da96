"""With LOG_FORMAT=json (production's default) every line gunicorn writes is JSON; access lines carry the request id."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET
from tests.serve.harness import Server, project_copy, quickstart_env


def _get(url: str, request_id: str | None = None) -> tuple[int, str]:
    headers = {"X-Request-ID": request_id} if request_id else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return response.status, response.headers["X-Request-ID"]
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["X-Request-ID"]


@pytest.mark.slow
def test_every_server_line_is_json_and_access_lines_carry_the_request_id(tmp_path: Path) -> None:
    project = project_copy(tmp_path / "app")
    env = quickstart_env(project, QUANTUM_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
                         JWT_SECRET_KEY=TEST_SECRET, WEB_CONCURRENCY="2")
    log = tmp_path / "server.log"
    server = Server(project, env, log)
    try:
        server.start()
        served = [_get(server.url + "/api/health", "client-chosen-id-1"), _get(server.url + "/api/health"),
                  _get(server.url + "/api/no-such-route")]
    finally:
        server.stop()

    lines = [line for line in log.read_text().splitlines() if line.strip()]
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}")
    assert all(isinstance(record, dict) and record.get("message") for record in records)
    assert any(record["logger"] == "gunicorn.error" and "Booting worker" in record["message"] for record in records)

    access = {record["request_id"]: record for record in records if record["logger"] == "gunicorn.access"}
    assert [status for status, _ in served] == [200, 200, 404]
    assert served[0][1] == "client-chosen-id-1"
    for (status, request_id), path in zip(served, ["/api/health", "/api/health", "/api/no-such-route"], strict=True):
        line = access[request_id]
        assert (line["status"], line["path"], line["method"]) == (status, path, "GET")
        assert line["remote_addr"] == "127.0.0.1" and line["duration_ms"] >= 0
