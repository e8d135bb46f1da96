"""Archival: batches, audit, include_archived, and a killed archiver leaves every row in exactly one place."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import sqlalchemy as sa

from tests.conftest import ROOT, TEST_SECRET, run_flask
from tests.db.helpers import execute, scalar

OLD = "2020-01-01 00:00:00"


def _ids(url: str, table: str) -> list[int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [r[0] for r in connection.exec_driver_sql(f"SELECT id FROM {table} ORDER BY id")]
    finally:
        engine.dispose()


def _trade(client, headers) -> None:
    assert client.post("/api/portfolio/deposits", json={"amount": "10000", "currency": "USD"},
                       headers=headers).status_code == 201
    for i in range(3):
        response = client.post("/api/trading/orders", headers=headers,
                               json={"symbol": "AAPL", "side": "buy", "quantity": "1", "price": f"{100 + i}"})
        assert response.status_code == 201, response.get_json()
        snap = client.post("/api/portfolio/snapshots", headers=headers,
                           json={"holdings": [{"symbol": "AAPL", "quantity": "1", "price": "100"}], "cash": "5"})
        assert snap.status_code == 201, snap.get_json()


def test_archive_moves_old_rows_audits_and_keeps_them_reachable(app, client, auth_headers, db_url):
    headers = auth_headers()
    _trade(client, headers)
    orders = client.get("/api/trading/orders", headers=headers).get_json()["items"]
    old_order = min(o["id"] for o in orders)
    execute(db_url, f"UPDATE orders SET created_at = '{OLD}' WHERE id = {old_order}",
            f"UPDATE fills SET created_at = '{OLD}' WHERE order_id = {old_order}",
            f"UPDATE portfolio_snapshots SET created_at = '{OLD}' WHERE id IN (SELECT min(id) FROM portfolio_snapshots)")

    dry = run_flask(["db-archive", "--older-than", "365d", "--dry-run"], db_url)
    assert dry.returncode == 0, dry.stderr
    assert "orders: would archive 1 row older than 365d" in dry.stdout
    assert "portfolio_snapshots: would archive 1 row older than 365d" in dry.stdout
    assert scalar(db_url, "SELECT count(*) FROM orders_archive") == 0

    done = run_flask(["db-archive", "--older-than", "365d", "--actor", "ops-test"], db_url)
    assert done.returncode == 0, done.stderr
    assert "orders: archived 1 row older than 365d in 1 batch, with 1 fill\n" in done.stdout
    assert scalar(db_url, "SELECT count(*) FROM orders") == 2
    assert scalar(db_url, "SELECT count(*) FROM orders_archive") == 1
    assert scalar(db_url, "SELECT count(*) FROM fills_archive") == 1
    assert scalar(db_url, "SELECT count(*) FROM portfolio_snapshots_archive") == 1
    assert scalar(db_url, "SELECT count(*) FROM audit_log WHERE action = 'archive.orders'") == 1
    details = scalar(db_url, "SELECT details FROM audit_log WHERE action = 'archive.orders'")
    assert "ops-test" in str(details) and "created_at <" in str(details)

    live = client.get("/api/trading/orders", headers=headers).get_json()["items"]
    assert old_order not in [o["id"] for o in live]
    everything = client.get("/api/trading/orders?include_archived=true", headers=headers).get_json()["items"]
    assert sorted(o["id"] for o in everything) == sorted(o["id"] for o in orders)
    archived = next(o for o in everything if o["id"] == old_order)
    assert archived["side"] == "buy" and archived["status"] == "filled"
    first_page = client.get("/api/trading/orders?include_archived=true&limit=2", headers=headers).get_json()
    second = client.get(f"/api/trading/orders?include_archived=true&limit=2&before={first_page['next_before']}",
                        headers=headers).get_json()
    assert [o["id"] for o in first_page["items"] + second["items"]] == [o["id"] for o in everything]
    snaps = client.get("/api/portfolio/snapshots?include_archived=true", headers=headers).get_json()["items"]
    assert len(snaps) == 3
    assert len(client.get("/api/portfolio/snapshots", headers=headers).get_json()["items"]) == 2


def test_a_killed_archiver_leaves_every_row_in_exactly_one_place(app, user_factory, db_url):
    user = user_factory()
    values = ", ".join(f"({user.id}, '{{}}', 1.5, '{OLD}')" for _ in range(400))
    execute(db_url, f"INSERT INTO portfolio_snapshots (user_id, snapshot_data, total_value, created_at) VALUES {values}")
    original = set(_ids(db_url, "portfolio_snapshots"))
    env = {"QUANTUM_ENV": "testing", "JWT_SECRET_KEY": TEST_SECRET, "DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}
    for _ in range(2):
        already = len(_ids(db_url, "portfolio_snapshots_archive"))
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "db-archive", "--table", "portfolio_snapshots", "--older-than", "365d",
             "--batch-size", "7", "--pause", "0.02"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        # Kill it once it has made progress, i.e. in the middle of the run (each batch sleeps 0.02 s after).
        deadline = time.monotonic() + 60
        while len(_ids(db_url, "portfolio_snapshots_archive")) <= already and time.monotonic() < deadline:
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
        live, archived = set(_ids(db_url, "portfolio_snapshots")), _ids(db_url, "portfolio_snapshots_archive")
        assert len(archived) == len(set(archived)), "an archived row was duplicated"
        assert not live & set(archived), "a row is in both places"
        assert live | set(archived) == original, "a row was lost"
        assert live, "the archiver finished before it was killed: the test proved nothing"
    finished = run_flask(["db-archive", "--table", "portfolio_snapshots", "--older-than", "365d"], db_url)
    assert finished.returncode == 0, finished.stderr
    assert set(_ids(db_url, "portfolio_snapshots_archive")) == original
    audited = scalar(db_url, "SELECT count(*) FROM audit_log WHERE action = 'archive.portfolio_snapshots'")
    assert audited >= 1


def test_bad_retention_setting_is_a_clear_error(db_url):
    process = run_flask(["db-archive"], db_url, env={"ARCHIVE_RETENTION_ORDERS": "forever"})
    assert process.returncode == 2 and "ARCHIVE_RETENTION_ORDERS" in process.stderr


def _snapshot(client, headers, cash: str) -> int:
    response = client.post("/api/portfolio/snapshots", headers=headers, json={"holdings": [], "cash": cash})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _risk(client, headers) -> dict:
    response = client.get("/api/ai/risk-metrics", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    body.pop("request_id")
    return body


def test_archival_never_hides_the_latest_snapshot_or_the_risk_window(app, client, auth_headers, db_url):
    headers = auth_headers()
    ids = [_snapshot(client, headers, cash) for cash in ("100", "90", "120", "108")]
    # Three of them two years old (a day apart), the newest one recent.
    execute(db_url, *[f"UPDATE portfolio_snapshots SET created_at = '2020-01-0{day}' WHERE id = {snapshot_id}"
                      for day, snapshot_id in enumerate(ids[:3], start=1)])
    risk_before = _risk(client, headers)
    assert risk_before["observations"] == 4

    done = run_flask(["db-archive", "--table", "portfolio_snapshots", "--older-than", "365d"], db_url)
    assert done.returncode == 0, done.stderr
    assert scalar(db_url, "SELECT count(*) FROM portfolio_snapshots_archive") == 3
    assert client.get("/api/portfolio/latest", headers=headers).get_json()["id"] == ids[3]
    assert _risk(client, headers) == risk_before  # the window reads through to the archive

    # A user quiet for years: archival moves every snapshot they have.
    execute(db_url, f"UPDATE portfolio_snapshots SET created_at = '2020-01-04' WHERE id = {ids[3]}")
    risk_old = _risk(client, headers)
    done = run_flask(["db-archive", "--table", "portfolio_snapshots", "--older-than", "365d"], db_url)
    assert done.returncode == 0, done.stderr
    assert scalar(db_url, "SELECT count(*) FROM portfolio_snapshots") == 0
    latest = client.get("/api/portfolio/latest", headers=headers)
    assert latest.status_code == 200, latest.get_json()
    assert latest.get_json()["id"] == ids[3] and latest.get_json()["cash"] == "108.00000000"
    assert _risk(client, headers) == risk_old and risk_old["observations"] == 4
    # A window smaller than what is archived takes the newest of the archive.
    small = client.get("/api/ai/risk-metrics?window=2", headers=headers).get_json()
    assert small["observations"] == 2 and small["start"].startswith("2020-01-03")


def test_the_summary_counts_in_words() -> None:
    from quantum.archive.cli import archive_summary
    from quantum.ops.archive import ArchiveResult

    assert archive_summary(ArchiveResult("orders"), "365d") == "nothing older than 365d to archive"
    assert archive_summary(ArchiveResult("orders", rows=2, dry_run=True), "30d") == "would archive 2 rows older than 30d"
    moved = ArchiveResult("orders", rows=1001, children={"fills": 1}, batches=2)
    assert archive_summary(moved, "365d") == "archived 1001 rows older than 365d in 2 batches, with 1 fill"
