"""A helpdesk's models at head: SQLAlchemy 2 declarative classes on their own MetaData.

Ten hand-written revisions (migrations/versions) lead here: renames through batch mode, data
migrations, an enum given a label (and the label used later), widened types, an index made
unique, a column dropped, server defaults on columns added to filled tables, an ON DELETE changed.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Registers on the helpdesk's own MetaData."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


metadata = Base.metadata


class TicketStatus(enum.Enum):
    """Where a ticket is; `on_hold` came with revision 0005."""

    open = "open"
    pending = "pending"
    on_hold = "on_hold"
    closed = "closed"


STATUS = sa.Enum(TicketStatus, name="ticketstatus", create_constraint=True,
                 values_callable=lambda members: [m.value for m in members])


class Agent(Base):
    """A support agent."""

    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(255), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))  # `name` until 0003
    active: Mapped[bool] = mapped_column(server_default=sa.true())  # 0009
    rating: Mapped[float | None]  # Double in SQLAlchemy 2.1 (0009 wrote Float)


class Customer(Base):
    """Whoever opens tickets; filled from tickets.requester_email by 0002."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(255), index=True, unique=True)  # unique since 0007
    display_name: Mapped[str | None] = mapped_column(sa.String(120))  # 60 until 0004
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())


class Ticket(Base):
    """A support request."""

    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(255))  # 80 until 0004
    description: Mapped[str] = mapped_column(sa.Text)  # `body` until 0003
    status: Mapped[TicketStatus] = mapped_column(STATUS, index=True, server_default="open")
    priority: Mapped[int] = mapped_column(sa.Integer, server_default=sa.text("2"))  # SmallInteger until 0004
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True  # RESTRICT until 0010
    )
    agent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    reopen_count: Mapped[int] = mapped_column(server_default=sa.text("0"))  # 0009
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    closed_at: Mapped[datetime | None]  # 0010


class TicketComment(Base):
    """A reply on a ticket (0009)."""

    __tablename__ = "ticket_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(sa.ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    internal: Mapped[bool] = mapped_column(server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
