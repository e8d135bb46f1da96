"""A 503 says why, not where: the database's host, name and user stay in the log."""

from __future__ import annotations

import json
import logging

from tests.conftest import make_app


def test_unreachable_database_503_names_no_host_or_database(caplog):
    url = "postgresql://quantum_owner@127.0.0.9:9/ledger_prod_db"
    client = make_app(url, DB_CONNECT_RETRIES="1").test_client()
    with caplog.at_level(logging.WARNING):
        responses = [client.get("/api/health/ready"), client.get("/api/trading/status"),
                     client.get("/api/portfolio/balance")]
    for response in responses:
        assert response.status_code in (200, 401, 503), response.get_data(as_text=True)
        text = response.get_data(as_text=True)
        for secret in ("127.0.0.9", "ledger_prod_db", "quantum_owner"):
            assert secret not in text, text
    ready = responses[0]
    assert ready.status_code == 503 and json.loads(ready.get_data())["details"]["reason"]
    assert "ledger_prod_db" in caplog.text  # the operator still sees where
