"""The unit of work's retry policy on real conflicts: how many attempts, how long between them, what gives up.

The unit of work (quantum/db/unit_of_work.py) retries a whole transaction on a busy or conflicting
database and never on a lost connection (an order may have landed). The conflicts here are real: a second
connection holding SQLite's write lock, a concurrent update under PostgreSQL's REPEATABLE READ, a server
that terminates the session (issue 21, docs/testing.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from quantum.cash.locks import lock_balance
from quantum.cash.models import Balance
from quantum.db.unit_of_work import unit_of_work
from quantum.errors import ServiceUnavailable
from tests.trading.helpers import install_sqlite_pragmas, new_user


def run_unit(session: Session, work: Callable[[Session], object], **policy: object) -> object:
    """Run `work(session)` as one unit of work with the given retry policy (attempts, delays, sleep)."""

    @unit_of_work(**policy)
    def unit(*, session: Session) -> object:
        return work(session)

    return unit(session=session)


def quick_engine(db_url: str) -> sa.Engine:
    """An engine whose SQLite connections give up on a lock at once (the app's waits 10 s)."""
    if db_url.startswith("sqlite"):
        engine = sa.create_engine(db_url, connect_args={"timeout": 0.05, "check_same_thread": False})
        install_sqlite_pragmas(engine)

        @sa.event.listens_for(engine, "connect")
        def _no_wait(dbapi_connection, _record) -> None:  # noqa: ANN001 - after the app's pragmas
            dbapi_connection.execute("PRAGMA busy_timeout=50")

        return engine
    return sa.create_engine(db_url)


def funded_user(session: Session):
    """A user whose balance row exists (0), so that the conflicts are on an existing row."""
    user = new_user(session)
    lock_balance(session=session, user_id=user.id)
    session.commit()
    return user


def conflicting_work(db_url: str, user_id: int, conflicts: int) -> tuple[Callable[[Session], str], list[int]]:
    """Work that meets a real write conflict on its first `conflicts` attempts, then adds 1 to the balance."""
    calls: list[int] = []
    holder: list[sqlite3.Connection] = []
    writers: list[sa.Engine] = []

    def other_writer() -> sa.Engine:
        """One engine for the other PostgreSQL writer, made on first use (NullPool: nothing left open)."""
        if not writers:
            writers.append(sa.create_engine(db_url, poolclass=sa.pool.NullPool))
        return writers[0]

    def work(session: Session) -> str:
        calls.append(len(calls) + 1)
        conflict = len(calls) <= conflicts
        if db_url.startswith("sqlite"):
            if conflict and not holder:
                other = sqlite3.connect(make_url(db_url).database, isolation_level=None)
                other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
                holder.append(other)
            if not conflict and holder:
                holder.pop().rollback()
            balance = lock_balance(session=session, user_id=user_id)
        else:
            if conflict:  # another transaction changes the row after this one's snapshot, then locking it fails
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                session.execute(sa.text("SELECT 1"))  # the snapshot is taken here
                with other_writer().begin() as other:
                    other.execute(sa.text("UPDATE balances SET updated_at = now() WHERE user_id = :u"), {"u": user_id})
            balance = lock_balance(session=session, user_id=user_id)
        balance.available = balance.available + 1
        session.flush()
        return "done"

    work.release = lambda: [connection.rollback() for connection in holder]  # type: ignore[attr-defined]
    return work, calls


@pytest.fixture
def quick_session(db_url):
    """A session on an engine that does not wait for locks."""
    engine = quick_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def test_a_conflict_is_retried_until_it_clears_with_growing_pauses(db_url, quick_session):
    """Two conflicts, then success: three attempts, two pauses, the second longer, none over max_delay."""
    user = funded_user(quick_session)
    work, calls = conflicting_work(db_url, user.id, conflicts=2)
    pauses: list[float] = []
    assert run_unit(quick_session, work, base_delay=0.01, max_delay=0.5, sleep=pauses.append) == "done"
    assert calls == [1, 2, 3]
    assert len(pauses) == 2
    assert 0 < pauses[0] <= 0.5 and 0 < pauses[1] <= 0.5
    assert quick_session.scalar(sa.select(Balance.available).where(Balance.user_id == user.id)) == 1


def test_a_conflict_that_never_clears_gives_up_after_the_last_attempt_with_database_busy(db_url, quick_session):
    """Conflicts on every attempt: exactly `attempts` tries, one pause fewer, then 503 database_busy, nothing kept."""
    user = funded_user(quick_session)
    work, calls = conflicting_work(db_url, user.id, conflicts=99)
    pauses: list[float] = []
    with pytest.raises(ServiceUnavailable) as caught:
        run_unit(quick_session, work, attempts=3, base_delay=0.01, sleep=pauses.append)
    assert calls == [1, 2, 3]
    assert len(pauses) == 2
    error = caught.value
    assert (error.status, error.error, error.retry_after, error.message) == (
        503, "database_busy", 1, "the database is busy; retry shortly")
    work.release()  # SQLite's other writer lets go
    run_unit(quick_session, conflicting_work(db_url, user.id, conflicts=0)[0])  # nothing else was kept
    assert quick_session.scalar(sa.select(Balance.available).where(Balance.user_id == user.id)) == 1


def test_the_default_policy_makes_eight_attempts(db_url, quick_session):
    """Without arguments the unit of work tries 8 times before database_busy, pausing at most 1 s each time."""
    user = funded_user(quick_session)
    work, calls = conflicting_work(db_url, user.id, conflicts=99)
    pauses: list[float] = []
    with pytest.raises(ServiceUnavailable):
        run_unit(quick_session, work, sleep=pauses.append)
    assert calls == list(range(1, 9))
    assert len(pauses) == 7 and all(0 < pause <= 1.0 for pause in pauses)
    assert pauses[0] <= 0.04  # the first pause starts from base_delay 0.02 (with at most as much jitter)
    work.release()


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_lost_connection_is_not_retried(db_url, backend, quick_session):
    """The server ends the session mid-transaction: one attempt, the error as it is, no database_busy."""
    user = new_user(quick_session)
    calls: list[int] = []

    def work(session: Session) -> None:
        calls.append(1)
        lock_balance(session=session, user_id=user.id)
        session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))

    with pytest.raises(DBAPIError) as caught:
        run_unit(quick_session, work, sleep=lambda _: None)
    assert not isinstance(caught.value, ServiceUnavailable)
    assert calls == [1]


def test_no_pause_is_longer_than_max_delay(db_url, quick_session):
    """max_delay caps every pause, even when base_delay alone is longer."""
    user = funded_user(quick_session)
    work, calls = conflicting_work(db_url, user.id, conflicts=99)
    pauses: list[float] = []
    with pytest.raises(ServiceUnavailable):
        run_unit(quick_session, work, attempts=3, base_delay=1.0, max_delay=0.05, sleep=pauses.append)
    work.release()
    assert len(pauses) == 2 and all(0 < pause <= 0.05 for pause in pauses), pauses


def test_a_session_that_already_holds_the_balance_adds_to_what_another_session_wrote(db_url):
    """The balance lock re-reads the row: a long-lived session never adds to a stale copy (no lost deposit)."""
    from quantum.portfolio import service

    engine = quick_engine(db_url)
    try:
        with Session(engine, expire_on_commit=False) as first, Session(engine, expire_on_commit=False) as second:
            user = funded_user(first)
            service.deposit(session=first, user=user, data={"amount": 10, "currency": "USD"})
            held = lock_balance(session=first, user_id=user.id)  # the first session keeps the row it read (10)
            first.commit()
            service.deposit(session=second, user=user, data={"amount": 5, "currency": "USD"})
            service.deposit(session=first, user=user, data={"amount": 1, "currency": "USD"})
            assert held.available == 16  # the lock re-read the row into the object the session holds
            fresh = engine.connect()
            total = fresh.scalar(sa.select(Balance.available).where(Balance.user_id == user.id))
            fresh.close()
            assert total == 16
    finally:
        engine.dispose()
