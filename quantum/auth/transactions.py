"""One unit of work: commit everything the block added, or roll all of it back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def atomic(session: Session) -> Iterator[Session]:
    """Commit the block's writes as one transaction; roll back on any error."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
