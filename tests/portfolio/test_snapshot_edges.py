"""Portfolio rules at their edges: whose holdings a snapshot holds, missing cash, duplicates, deposits, pages.

Each test pins one condition of quantum/portfolio/service.py so that flipping a comparison, dropping a
filter or changing a constant there makes it fail (see issue 21). The service is called directly on
a real database, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from quantum.auth.models import User
from quantum.cash.models import Payment
from quantum.errors import Conflict, ValidationFailed
from quantum.portfolio import service
from quantum.portfolio.models import PortfolioSnapshot
from tests.trading.helpers import assert_conserved, fund, new_user, place, twin_committed_before

D = Decimal


def holding(symbol: str, quantity: str, price: str, value: str) -> dict[str, str]:
    """A snapshot line as stored: exact decimal strings at the money scale."""
    return {"symbol": symbol, "quantity": quantity, "price": price, "value": value}


def snapshot_count(session: Session, user: User) -> int:
    """How many snapshots `user` has stored."""
    session.rollback()
    return session.scalar(
        sa.select(sa.func.count()).select_from(PortfolioSnapshot).where(PortfolioSnapshot.user_id == user.id)
    )


def deposit(session: Session, user: User, amount: str, **extra: Any) -> Payment:
    """Deposit through the service (no HTTP)."""
    return service.deposit(session=session, user=user, data={"amount": D(amount), "currency": "USD", **extra})


# -- snapshots of positions ----------------------------------------------------------------------


def test_a_snapshot_of_positions_holds_only_the_callers_holdings(session):
    """Two users hold the same symbol at different prices: each snapshot has its own lines, priced at its own fills."""
    alice, bob = new_user(session, "alice"), new_user(session, "bob")
    fund(session, alice, "1000")
    fund(session, bob, "2000")
    place(session, alice, "buy", "1", "100", symbol="AAPL")  # exactly 1: an open position
    place(session, alice, "buy", "0.5", "200", symbol="TSLA")
    place(session, alice, "buy", "2", "10", symbol="NFLX")
    place(session, alice, "sell", "2", "12", symbol="NFLX")  # flat: left out
    place(session, bob, "buy", "3", "110", symbol="AAPL")
    place(session, bob, "buy", "2", "50", symbol="MSFT")

    mine = service.snapshot_from_positions(session=session, user=alice)
    assert mine.user_id == alice.id
    assert mine.snapshot_data == {
        "holdings": [holding("AAPL", "1.00000000", "100.00000000", "100.00000000"),
                     holding("TSLA", "0.50000000", "200.00000000", "100.00000000")],
        "cash": "804.00000000",
    }
    assert mine.total_value == D("1004")
    theirs = service.snapshot_from_positions(session=session, user=bob)
    assert theirs.snapshot_data == {
        "holdings": [holding("AAPL", "3.00000000", "110.00000000", "330.00000000"),
                     holding("MSFT", "2.00000000", "50.00000000", "100.00000000")],
        "cash": "1570.00000000",
    }
    assert theirs.total_value == D("2000")
    assert_conserved(session, alice.id)


def test_a_snapshot_of_no_positions_is_just_the_cash(session):
    """A user without positions (while another user has some) snapshots their cash alone."""
    alice, bob = new_user(session, "alice"), new_user(session, "bob")
    fund(session, alice, "1000")
    place(session, alice, "buy", "1", "100")
    fund(session, bob, "7.5")
    snapshot = service.snapshot_from_positions(session=session, user=bob)
    assert snapshot.snapshot_data == {"holdings": [], "cash": "7.50000000"}
    assert snapshot.total_value == D("7.5")


# -- snapshots the client sends ------------------------------------------------------------------


@pytest.mark.parametrize("cash", [{}, {"cash": None}, {"cash": D(0)}])
def test_a_snapshot_without_cash_holds_zero_cash(session, cash):
    """Missing cash is zero, not some default amount: the total is the holdings' value exactly."""
    user = new_user(session)
    data = {"holdings": [{"symbol": "AAPL", "quantity": D("2"), "price": D("10.5")}], **cash}
    snapshot = service.create_snapshot(session=session, user=user, data=data)
    assert snapshot.snapshot_data == {"holdings": [holding("AAPL", "2.00000000", "10.50000000", "21.00000000")],
                                      "cash": "0.00000000"}
    assert snapshot.total_value == D(21)


def test_a_snapshot_repeating_a_symbol_is_refused_and_nothing_is_stored(session):
    """The second line with a symbol already seen is named in the 422; distinct symbols are fine."""
    user = new_user(session)
    lines = [{"symbol": s, "quantity": D(1), "price": D(2)} for s in ("AAPL", "MSFT", "AAPL", "TSLA")]
    with pytest.raises(ValidationFailed) as caught:
        service.create_snapshot(session=session, user=user, data={"holdings": lines, "cash": D(1)})
    assert caught.value.message == "invalid input: holdings[2] repeats AAPL"
    assert caught.value.details == {"holdings": {"2": {"symbol": ["duplicate symbol AAPL"]}}}
    assert snapshot_count(session, user) == 0
    distinct = [line for index, line in enumerate(lines) if index != 2]
    snapshot = service.create_snapshot(session=session, user=user, data={"holdings": distinct, "cash": D(1)})
    assert [line["symbol"] for line in snapshot.snapshot_data["holdings"]] == ["AAPL", "MSFT", "TSLA"]
    assert snapshot.total_value == D(7)
    assert snapshot_count(session, user) == 1


# -- snapshot pages ------------------------------------------------------------------------------


def test_a_page_that_ends_exactly_at_the_last_snapshot_has_no_next_cursor(session):
    """next_before appears only when more snapshots remain; limits below 1 mean 1."""
    user = new_user(session)
    made = [service.create_snapshot(session=session, user=user, data={"cash": D(i)}).id for i in range(4)]
    items, next_before = service.list_snapshots(session=session, user=user, limit=2)
    assert ([item.id for item in items], next_before) == (made[:1:-1], made[2])
    items, next_before = service.list_snapshots(session=session, user=user, limit=2, before=next_before)
    assert ([item.id for item in items], next_before) == ([made[1], made[0]], None)
    items, next_before = service.list_snapshots(session=session, user=user, limit=4)
    assert ([item.id for item in items], next_before) == (made[::-1], None)
    items, next_before = service.list_snapshots(session=session, user=user, limit=0)
    assert ([item.id for item in items], next_before) == ([made[3]], made[3])
    assert service.latest_snapshot(session=session, user=user).id == made[3]


def test_a_page_holds_at_most_100_snapshots(session):
    """A larger limit is cut to 100, and the 101st snapshot is on the next page."""
    user = new_user(session)
    for i in range(101):
        session.add(PortfolioSnapshot(user_id=user.id, snapshot_data={"holdings": [], "cash": str(i)},
                                      total_value=D(i)))
    session.commit()
    items, next_before = service.list_snapshots(session=session, user=user, limit=1000)
    assert len(items) == 100 and next_before == items[-1].id
    rest, last = service.list_snapshots(session=session, user=user, limit=1000, before=next_before)
    assert (len(rest), last) == (1, None)


# -- deposits ------------------------------------------------------------------------------------


def test_two_deposits_with_different_tx_hashes_both_credit(session):
    """A different on-chain transaction is a different deposit; deposits without a hash never clash."""
    user, other = new_user(session), new_user(session, "other")
    deposit(session, user, "10", tx_hash="aa" * 32)
    deposit(session, user, "5.25", tx_hash="bb" * 32)
    deposit(session, user, "1")
    deposit(session, user, "2")
    assert service.get_balance(session=session, user=user) == D("18.25")
    assert service.get_balance(session=session, user=other) == D(0)
    assert_conserved(session, user.id)


def test_the_same_tx_hash_is_credited_once(session):
    """A tx_hash already credited (to anyone) is a 409 duplicate_transaction, and no cash moves."""
    alice, bob = new_user(session, "alice"), new_user(session, "bob")
    deposit(session, alice, "10", tx_hash="cc" * 32)
    for user in (alice, bob):
        with pytest.raises(Conflict) as caught:
            deposit(session, user, "10", tx_hash="cc" * 32)
        assert (caught.value.error, caught.value.details) == ("duplicate_transaction", {"tx_hash": "cc" * 32})
    assert service.get_balance(session=session, user=alice) == D(10)
    assert service.get_balance(session=session, user=bob) == D(0)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Payment).where(Payment.tx_hash == "cc" * 32)) == 1


def test_a_twin_deposit_committed_after_the_check_is_a_duplicate_not_an_error(session, engine):
    """Two users crediting one tx_hash at once: the unique constraint's loser gets the same 409."""
    alice, bob = new_user(session, "alice"), new_user(session, "bob")
    first = deposit(session, alice, "10")
    with twin_committed_before(engine, "UPDATE balances", "UPDATE payments SET tx_hash = :hash WHERE id = :id",
                               {"hash": "dd" * 32, "id": first.id}) as fired:
        with pytest.raises(Conflict) as caught:
            deposit(session, bob, "10", tx_hash="dd" * 32)
    assert fired, "the twin was never committed"
    assert (caught.value.error, caught.value.details) == ("duplicate_transaction", {"tx_hash": "dd" * 32})
    assert service.get_balance(session=session, user=bob) == D(0)
    assert service.get_balance(session=session, user=alice) == D(10)
