"""The unit of work (quantum/db/unit_of_work.py) on a real SQLite file and a real PostgreSQL database.

Commit on success, roll back on an error, retry the whole function on a real conflict (another writer
holding SQLite's write lock; a concurrent update under PostgreSQL's REPEATABLE READ), 503 database_busy
once the attempts run out, never a retry of a non-transient error or a lost connection, and a nested
call that joins the outer unit: one commit, one retry loop, one rollback. The work functions raise the
error paths' exceptions themselves where the database has nothing to do with them.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from quantum.db.unit_of_work import ACTIVE, RaiseAfterCommit, is_transient, unit_of_work
from quantum.errors import ServiceUnavailable
from quantum.schema_engine.connect import install_sqlite_pragmas

metadata = sa.MetaData()
counters = sa.Table(
    "counters", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(40), nullable=False, unique=True),
    sa.Column("value", sa.Integer, nullable=False),
)


def no_pause(_: float) -> None:
    """A sleep for retries the test does not want to wait for."""


def never_pauses(_: float) -> None:
    """A sleep for a unit of work that must not retry by itself."""
    raise AssertionError("this unit of work retried on its own")


@pytest.fixture
def engine(empty_db_url: str) -> Iterator[sa.Engine]:
    """An engine on a fresh database with a `counters` table holding `total` = 0.

    SQLite connections give up on a lock after 50 ms (the app waits 15 s): a held lock is a quick error.
    """
    if empty_db_url.startswith("sqlite"):
        engine = sa.create_engine(empty_db_url, connect_args={"timeout": 0.05})
        install_sqlite_pragmas(engine)

        @sa.event.listens_for(engine, "connect")
        def _no_wait(dbapi_connection, _record) -> None:  # noqa: ANN001 - after the app's pragmas
            dbapi_connection.execute("PRAGMA busy_timeout=50")
    else:
        engine = sa.create_engine(empty_db_url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(counters.insert().values(name="total", value=0))
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    """A session like the app's (objects stay readable after commit)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def commits(session: Session) -> list[int]:
    """One entry per COMMIT the session makes."""
    made: list[int] = []
    sa.event.listen(session, "after_commit", lambda _session: made.append(1))
    return made


def committed(engine: sa.Engine) -> dict[str, int]:
    """The rows another connection sees: name -> value."""
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(counters.c.name, counters.c.value)).all())


def add(session: Session, name: str, value: int = 1) -> None:
    """Insert one row (flushed at once, so a constraint fails here)."""
    session.execute(counters.insert().values(name=name, value=value))


def bump(session: Session) -> None:
    """Add 1 to `total`: the write that meets the conflict."""
    session.execute(counters.update().where(counters.c.name == "total").values(value=counters.c.value + 1))


class Conflicts:
    """A real write conflict on the first `count` attempts that call `before_write`, none after."""

    def __init__(self, engine: sa.Engine, count: int) -> None:
        self.engine, self.count, self.attempts = engine, count, 0
        self.holder: sqlite3.Connection | None = None
        self.other: sa.Engine | None = None

    def before_write(self, session: Session) -> None:
        """Call first in the work function: sets up this attempt's conflict, if it gets one."""
        self.attempts += 1
        conflict = self.attempts <= self.count
        if self.engine.dialect.name == "sqlite":
            if conflict and self.holder is None:
                self.holder = sqlite3.connect(make_url(self.engine.url).database, isolation_level=None)
                self.holder.execute("BEGIN IMMEDIATE")  # another writer holds the database's write lock
            if not conflict:
                self.release()
            return
        if conflict:
            # This transaction's snapshot is taken, then another one changes the row and commits:
            # writing the row now is a serialization failure.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            session.execute(sa.select(counters.c.value))
            if self.other is None:
                self.other = sa.create_engine(self.engine.url, poolclass=sa.pool.NullPool)
            with self.other.begin() as connection:
                connection.execute(counters.update().where(counters.c.name == "total").values(value=counters.c.value))

    def release(self) -> None:
        """Let go of SQLite's write lock and PostgreSQL's other engine."""
        if self.holder is not None:
            self.holder.rollback()
            self.holder.close()
            self.holder = None
        if self.other is not None:
            self.other.dispose()
            self.other = None


@pytest.fixture
def conflicts(engine: sa.Engine) -> Iterator:
    """`conflicts(count)` -> Conflicts; every one is released at the end."""
    made: list[Conflicts] = []

    def make(count: int) -> Conflicts:
        made.append(Conflicts(engine, count))
        return made[-1]

    yield make
    for conflict in made:
        conflict.release()


def test_success_commits_and_returns_the_result(engine, session, commits):
    @unit_of_work
    def open_account(*, session: Session, name: str) -> str:
        add(session, name)
        return f"opened {name}"

    assert open_account(session=session, name="alice") == "opened alice"
    assert committed(engine) == {"total": 0, "alice": 1}
    assert commits == [1]
    assert not session.in_transaction()
    assert ACTIVE not in session.info


def test_an_error_rolls_back_everything_and_propagates(engine, session, commits):
    calls: list[int] = []

    @unit_of_work(sleep=never_pauses)
    def open_then_fail(*, session: Session) -> None:
        calls.append(1)
        add(session, "alice")
        bump(session)
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        open_then_fail(session=session)
    assert calls == [1]
    assert committed(engine) == {"total": 0}
    assert commits == []
    assert not session.in_transaction()
    assert ACTIVE not in session.info


def test_a_real_conflict_is_retried_whole_until_it_clears(engine, session, commits, conflicts, caplog):
    conflict = conflicts(2)
    pauses: list[float] = []
    calls: list[int] = []

    @unit_of_work(attempts=5, base_delay=0.01, max_delay=0.5, sleep=pauses.append)
    def deposit(*, session: Session) -> str:
        calls.append(len(calls) + 1)
        conflict.before_write(session)
        add(session, f"attempt-{len(calls)}", 0)  # each attempt's own write: only the last one's is kept
        bump(session)
        return "done"

    with caplog.at_level(logging.INFO, logger="quantum.db.unit_of_work"):
        assert deposit(session=session) == "done"
    assert calls == [1, 2, 3]
    assert committed(engine) == {"total": 1, "attempt-3": 0}
    assert commits == [1]
    assert len(pauses) == 2 and all(0 < pause <= 0.5 for pause in pauses)
    retries = [record.getMessage() for record in caplog.records if record.name == "quantum.db.unit_of_work"]
    assert [message.split(", retrying")[0] for message in retries] == [
        "transient database conflict (attempt 1/5)", "transient database conflict (attempt 2/5)"]
    assert all(f"retrying in {pause:.3f}s: " in message for pause, message in zip(pauses, retries, strict=True))
    reason = "database is locked" if engine.dialect.name == "sqlite" else "could not serialize access"
    assert all(message.split("s: ", 1)[1].startswith(reason) for message in retries), retries
    assert ACTIVE not in session.info


def test_the_bare_decorator_retries_with_the_default_policy(engine, session, conflicts):
    """`@unit_of_work` without arguments, as services use it: a real pause, then success."""
    conflict = conflicts(1)
    calls: list[int] = []

    @unit_of_work
    def deposit(*, session: Session) -> None:
        calls.append(1)
        conflict.before_write(session)
        bump(session)

    deposit(session=session)
    assert calls == [1, 1]
    assert committed(engine) == {"total": 1}


def test_a_conflict_that_never_clears_is_database_busy_after_the_last_attempt(engine, session, commits, conflicts):
    conflict = conflicts(99)
    pauses: list[float] = []
    calls: list[int] = []

    @unit_of_work(attempts=3, base_delay=0.01, sleep=pauses.append)
    def deposit(*, session: Session) -> None:
        calls.append(1)
        conflict.before_write(session)
        add(session, f"attempt-{len(calls)}")
        bump(session)

    with pytest.raises(ServiceUnavailable) as caught:
        deposit(session=session)
    error = caught.value
    assert (error.status, error.error, error.retry_after, error.message) == (
        503, "database_busy", 1, "the database is busy; retry shortly")
    assert isinstance(error.__cause__, DBAPIError) and is_transient(error.__cause__)
    assert len(calls) == 3 and len(pauses) == 2
    assert commits == []
    conflict.release()
    assert committed(engine) == {"total": 0}
    assert ACTIVE not in session.info


def test_a_nested_call_joins_the_outer_unit_one_commit(engine, session, commits):
    seen_inside: list[dict[str, int]] = []

    @unit_of_work(sleep=never_pauses)
    def credit(*, session: Session, name: str) -> str:
        add(session, name)
        return name

    @unit_of_work
    def transfer(*, session: Session) -> list[str]:
        first = credit(session=session, name="alice")
        seen_inside.append(committed(engine))  # the inner call committed nothing
        assert session.info[ACTIVE] is True
        return [first, credit(session=session, name="bob")]

    assert transfer(session=session) == ["alice", "bob"]
    assert seen_inside == [{"total": 0}]
    assert committed(engine) == {"total": 0, "alice": 1, "bob": 1}
    assert commits == [1]
    assert ACTIVE not in session.info


def test_an_inner_failure_rolls_back_the_outer_units_writes_too(engine, session, commits):
    @unit_of_work(sleep=never_pauses)
    def credit(*, session: Session) -> None:
        add(session, "bob")
        raise ValueError("inner refused")

    @unit_of_work
    def transfer(*, session: Session) -> None:
        add(session, "alice")
        bump(session)
        credit(session=session)

    with pytest.raises(ValueError, match="inner refused"):
        transfer(session=session)
    assert committed(engine) == {"total": 0}
    assert commits == []
    assert ACTIVE not in session.info


def test_a_conflict_inside_a_nested_call_reruns_the_outer_unit_whole(engine, session, commits, conflicts):
    """The inner call does not retry on its own (its sleep would fail the test): the outer unit runs again."""
    conflict = conflicts(1)
    pauses: list[float] = []
    outer_calls: list[int] = []
    inner_calls: list[int] = []

    @unit_of_work(sleep=never_pauses)
    def credit(*, session: Session) -> None:
        inner_calls.append(1)
        bump(session)  # the write that meets the conflict

    @unit_of_work(sleep=pauses.append)
    def transfer(*, session: Session) -> None:
        outer_calls.append(1)
        conflict.before_write(session)
        credit(session=session)
        add(session, f"transfer-{len(outer_calls)}")

    transfer(session=session)
    assert (len(outer_calls), len(inner_calls), len(pauses)) == (2, 2, 1)
    assert committed(engine) == {"total": 1, "transfer-2": 1}
    assert commits == [1]


def test_a_non_transient_database_error_is_not_retried(engine, session, commits):
    calls: list[int] = []

    @unit_of_work(sleep=never_pauses)
    def open_twice(*, session: Session) -> None:
        calls.append(1)
        bump(session)
        add(session, "alice")
        add(session, "alice")  # the unique name: an IntegrityError, the same on every attempt

    with pytest.raises(IntegrityError):
        open_twice(session=session)
    assert calls == [1]
    assert committed(engine) == {"total": 0}
    assert commits == []
    assert ACTIVE not in session.info


def test_a_lost_connection_is_not_retried(engine, session, commits, backend):
    """PostgreSQL: the server ends the session mid-transaction. SQLite cannot lose a connection, so the
    work raises what SQLAlchemy raises for one (an invalidated connection). One attempt, the error as is."""
    calls: list[int] = []

    @unit_of_work(sleep=never_pauses)
    def deposit(*, session: Session) -> None:
        calls.append(1)
        bump(session)
        if backend == "postgresql":
            session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        raise sa.exc.OperationalError("UPDATE counters", {}, Exception("disk I/O error"), connection_invalidated=True)

    with pytest.raises(DBAPIError) as caught:
        deposit(session=session)
    assert not isinstance(caught.value, ServiceUnavailable)
    assert caught.value.connection_invalidated
    assert calls == [1]
    assert commits == []
    assert committed(engine) == {"total": 0}
    assert ACTIVE not in session.info


def test_raise_after_commit_keeps_the_writes_then_raises(engine, session, commits):
    refused = PermissionError("refused, and the refusal is on record")

    @unit_of_work(sleep=never_pauses)
    def attempt(*, session: Session) -> None:
        add(session, "audit")
        raise RaiseAfterCommit(refused)

    with pytest.raises(PermissionError) as caught:
        attempt(session=session)
    assert caught.value is refused
    assert committed(engine) == {"total": 0, "audit": 1}
    assert commits == [1]
    assert ACTIVE not in session.info


def test_raise_after_commit_from_a_nested_call_is_committed_by_the_outer_unit(engine, session, commits):
    refused = PermissionError("inner refusal")

    @unit_of_work(sleep=never_pauses)
    def check(*, session: Session) -> None:
        add(session, "audit")
        raise RaiseAfterCommit(refused)

    @unit_of_work
    def request(*, session: Session) -> None:
        add(session, "request")
        check(session=session)

    @unit_of_work
    def request_kept_anyway(*, session: Session) -> str:
        try:
            check(session=session)
        except RaiseAfterCommit as outcome:
            return f"noted: {outcome.error}"
        return "not refused"

    with pytest.raises(PermissionError) as caught:
        request(session=session)
    assert caught.value is refused
    assert committed(engine) == {"total": 0, "request": 1, "audit": 1}
    session.execute(counters.delete().where(counters.c.name == "audit"))
    session.commit()
    assert request_kept_anyway(session=session) == "noted: inner refusal"
    assert committed(engine) == {"total": 0, "request": 1, "audit": 1}
    assert commits == [1, 1, 1]


def test_raise_after_commit_on_a_retried_attempt(engine, session, conflicts):
    conflict = conflicts(1)
    calls: list[int] = []

    @unit_of_work(sleep=no_pause)
    def attempt(*, session: Session) -> None:
        calls.append(1)
        conflict.before_write(session)
        bump(session)
        raise RaiseAfterCommit(LookupError("kept"))

    with pytest.raises(LookupError, match="kept"):
        attempt(session=session)
    assert calls == [1, 1]
    assert committed(engine) == {"total": 1}


def test_raise_after_commit_outside_a_unit_of_work_names_its_error():
    """Raised where no unit of work catches it (a mistake), it still says what went wrong."""
    error = PermissionError("refused")
    assert str(RaiseAfterCommit(error)) == "refused"
    assert RaiseAfterCommit(error).error is error


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_decorator_needs_a_keyword_only_session(session):
    """No database behaviour here: SQLite only."""
    with pytest.raises(TypeError, match="keyword-only `session`.*positional"):
        @unit_of_work
        def positional(session: Session) -> None: ...

    with pytest.raises(TypeError, match="keyword-only `session`.*nameless"):
        @unit_of_work(attempts=2)
        def nameless(*, db: Session) -> None: ...

    @unit_of_work
    def documented(*, session: Session, name: str = "x") -> str:
        """Says what it does."""
        return name

    assert (documented.__name__, documented.__doc__) == ("documented", "Says what it does.")
    assert documented(session=session, name="y") == "y"

    @unit_of_work
    def scaled(factor: int, *, session: Session) -> int:  # positional arguments pass through (a method's self)
        return factor * 2

    assert scaled(3, session=session) == 6
    with pytest.raises(TypeError, match=r"documented\(\) needs its keyword argument `session`"):
        documented(name="y")
    with pytest.raises(TypeError, match="session"):
        documented(session=None)
