"""A publishing platform's tables, on their own registry and MetaData (never SQLModel.metadata)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from quantum.core.columns import MONEY, NAMING_CONVENTION, UTCDateTime, enum_type
from quantum.core.time import utcnow

metadata = sa.MetaData(naming_convention=dict(NAMING_CONVENTION))


class PublishingModel(SQLModel, registry=registry(metadata=metadata)):
    """Base of every publishing table: registers on `metadata`, not on SQLModel.metadata."""


class BookStatus(enum.StrEnum):
    """Where a book is in its life."""

    draft = "draft"
    published = "published"
    archived = "archived"


class TransactionStatus(enum.StrEnum):
    """The state of a payment."""

    pending = "pending"
    completed = "completed"
    failed = "failed"
    refunded = "refunded"


def _created_at() -> sa.Column:
    return sa.Column(UTCDateTime(), nullable=False, default=utcnow)


class User(PublishingModel, table=True):
    """A reader or an author."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    username: str = Field(max_length=64, unique=True)
    password_hash: str = Field(max_length=255)
    display_name: str | None = Field(default=None, max_length=128)
    is_author: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created_at())


class Book(PublishingModel, table=True):
    """A book, written by one author."""

    __tablename__ = "books"
    __table_args__ = (sa.Index("ix_books_status_published_at", "status", "published_at"),)

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="users.id", ondelete="RESTRICT", index=True)
    title: str = Field(max_length=255, index=True)
    slug: str = Field(max_length=255, unique=True)
    description: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    price: Decimal = Field(default=Decimal("0"), sa_column=sa.Column(MONEY, nullable=False, server_default="0"))
    status: BookStatus = Field(
        default=BookStatus.draft,
        sa_column=sa.Column(enum_type(BookStatus, "bookstatus"), nullable=False, default=BookStatus.draft),
    )
    published_at: datetime | None = Field(default=None, sa_column=sa.Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created_at())


class Chapter(PublishingModel, table=True):
    """One chapter of a book; numbers are unique within the book."""

    __tablename__ = "chapters"
    __table_args__ = (sa.UniqueConstraint("book_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="books.id", ondelete="CASCADE", index=True)
    number: int
    title: str = Field(max_length=255)
    content: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    word_count: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created_at())


class UserLibrary(PublishingModel, table=True):
    """A book a user owns: one row per user and book."""

    __tablename__ = "user_library"
    __table_args__ = (sa.UniqueConstraint("user_id", "book_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    book_id: int = Field(foreign_key="books.id", ondelete="CASCADE", index=True)
    acquired_at: datetime = Field(default_factory=utcnow, sa_column=_created_at())


class Comment(PublishingModel, table=True):
    """A comment on a book or chapter; replies point at their parent comment."""

    __tablename__ = "comments"
    __table_args__ = (sa.Index("ix_comments_book_id_created_at", "book_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="books.id", ondelete="CASCADE", index=True)
    chapter_id: int | None = Field(default=None, foreign_key="chapters.id", ondelete="CASCADE", index=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    parent_id: int | None = Field(default=None, foreign_key="comments.id", ondelete="CASCADE", index=True)
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created_at())


class Transaction(PublishingModel, table=True):
    """A payment: a purchase of a book, or a refund."""

    __tablename__ = "transactions"
    __table_args__ = (sa.Index("ix_transactions_user_id_created_at", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="RESTRICT", index=True)
    book_id: int | None = Field(default=None, foreign_key="books.id", ondelete="SET NULL", index=True)
    amount: Decimal = Field(sa_column=sa.Column(MONEY, nullable=False))
    currency: str = Field(default="USD", max_length=3)
    status: TransactionStatus = Field(
        default=TransactionStatus.pending,
        sa_column=sa.Column(
            enum_type(TransactionStatus, "transactionstatus"), nullable=False, default=TransactionStatus.pending
        ),
    )
    provider_reference: str | None = Field(default=None, max_length=128, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created_at())


class Bookmark(PublishingModel, table=True):
    """Reading progress: where a user is in a book (one row per user and book)."""

    __tablename__ = "bookmarks"
    __table_args__ = (sa.UniqueConstraint("user_id", "book_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    book_id: int = Field(foreign_key="books.id", ondelete="CASCADE", index=True)
    chapter_id: int | None = Field(default=None, foreign_key="chapters.id", ondelete="SET NULL", index=True)
    position: int = Field(default=0)
    progress: Decimal = Field(default=Decimal("0"), sa_column=sa.Column(sa.Numeric(5, 2), nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
    )
