"""What a deposit records and what the portfolio routes answer when there is nothing to show.

Each test pins what a user reads back (the payment's fields, the 404s' messages and details), so that a
mutant dropping a field or a message fails (see issue 21 and docs/testing.md). Real databases, both backends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa

from quantum.cash.models import Payment, PaymentStatus
from quantum.portfolio import service
from tests.trading.helpers import fund, new_user, place

D = Decimal


def test_a_deposit_keeps_everything_it_was_sent_and_when_it_completed(session):
    """network, tx_hash, block_number and the amount come back as sent; created and completed at one instant, now."""
    user = new_user(session)
    before = datetime.now(UTC)
    payment = service.deposit(session=session, user=user, data={
        "amount": D("12.5"), "currency": "USD", "network": "ethereum", "tx_hash": "ab" * 32,
        "block_number": 19_000_001})
    after = datetime.now(UTC)
    session.rollback()
    stored = session.get(Payment, payment.id)
    assert (stored.user_id, stored.amount, stored.currency, stored.network, stored.tx_hash, stored.block_number,
            stored.status) == (user.id, D("12.5"), "USD", "ethereum", "ab" * 32, 19_000_001, PaymentStatus.completed)
    assert stored.completed_at is not None and stored.created_at is not None
    assert stored.created_at == stored.completed_at
    assert before <= stored.completed_at.replace(tzinfo=stored.completed_at.tzinfo or UTC) <= after


def test_a_deposit_without_network_or_block_stores_none_of_them(session):
    """Optional fields left out are stored as NULL, not as another deposit's values."""
    user = new_user(session)
    payment = service.deposit(session=session, user=user, data={"amount": D(3), "currency": "USD"})
    session.rollback()
    stored = session.get(Payment, payment.id)
    assert (stored.network, stored.tx_hash, stored.block_number) == (None, None, None)


def test_a_deposit_over_http_answers_its_fields(client, auth_headers):
    """POST /api/portfolio/deposits answers 201 with the network, block and both timestamps."""
    auth_headers = auth_headers()
    response = client.post("/api/portfolio/deposits", headers=auth_headers, json={
        "amount": "7.25", "network": "solana", "tx_hash": "cd" * 32, "block_number": 42})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["amount"], body["network"], body["tx_hash"], body["block_number"], body["status"]) == (
        "7.25000000", "solana", "cd" * 32, 42, "completed")
    assert body["completed_at"] is not None


def test_the_same_tx_hash_twice_is_a_409_that_says_so(client, auth_headers):
    """The duplicate's 409 names the rule in words and the hash in details."""
    auth_headers = auth_headers()
    first = client.post("/api/portfolio/deposits", headers=auth_headers, json={"amount": "1", "tx_hash": "ef" * 32})
    assert first.status_code == 201
    again = client.post("/api/portfolio/deposits", headers=auth_headers, json={"amount": "1", "tx_hash": "ef" * 32})
    body = again.get_json()
    assert again.status_code == 409
    assert body == {"error": "duplicate_transaction", "error_code": body["error_code"],
                    "message": "this transaction has already been credited", "details": {"tx_hash": "ef" * 32}}


def test_latest_without_any_snapshot_is_a_404_that_says_how_to_take_one(client, auth_headers):
    """No snapshot at all: 404 whose message points at the route that takes one."""
    auth_headers = auth_headers()
    response = client.get("/api/portfolio/latest", headers=auth_headers)
    assert response.status_code == 404
    assert response.get_json()["message"] == "no portfolio snapshot yet: POST /api/portfolio/snapshots takes one"


def test_paging_from_a_snapshot_that_is_not_yours_is_a_404_naming_the_cursor(client, auth_headers):
    """`before` must be one of your snapshots: another user's or an unknown id is 404 with details.before."""
    auth_headers = auth_headers()
    mine = client.post("/api/portfolio/snapshots", headers=auth_headers, json={"cash": "1", "holdings": []})
    assert mine.status_code == 201
    for cursor in (mine.get_json()["id"] + 1000, 999_999):
        response = client.get(f"/api/portfolio/snapshots?before={cursor}", headers=auth_headers)
        assert response.status_code == 404
        body = response.get_json()
        assert (body["message"], body["details"]) == ("no such snapshot to page from", {"before": cursor})


def test_snapshot_lines_are_listed_symbol_by_symbol(session):
    """A snapshot of positions lists its lines in symbol order, whatever order they were bought in."""
    user = new_user(session)
    fund(session, user, "10000")
    for symbol in ("TSLA", "AAPL", "MSFT", "BABA"):
        place(session, user, "buy", "1", "10", symbol=symbol)
    snapshot = service.snapshot_from_positions(session=session, user=user)
    session.rollback()
    symbols = [line["symbol"] for line in snapshot.snapshot_data["holdings"]]
    assert symbols == ["AAPL", "BABA", "MSFT", "TSLA"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Payment)) >= 1
