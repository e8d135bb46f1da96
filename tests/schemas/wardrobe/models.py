"""A clothing shop's stock: enums stored every way SQLAlchemy 2 allows, under any naming convention.

`make_metadata(convention)` builds the same tables on a fresh MetaData, so one script directory
(hand-written revisions 0001 and 0002) is checked under several constraint-naming conventions:
Alembic's `op.create_table` names CHECKs by the target metadata's convention.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from quantum.core.columns import NAMING_CONVENTION

CONVENTIONS: dict[str, dict[str, str] | None] = {
    "default": None,  # SQLAlchemy's default: CHECKs named after the enum, or unnamed
    "project": dict(NAMING_CONVENTION),  # ck_<table>_<enum>
    "postgres-style": {  # what PostgreSQL itself would call them
        "ix": "%(table_name)s_%(column_0_name)s_idx",
        "uq": "%(table_name)s_%(column_0_name)s_key",
        "ck": "%(table_name)s_%(column_0_name)s_check",
        "fk": "%(table_name)s_%(column_0_name)s_fkey",
        "pk": "%(table_name)s_pkey",
    },
}


class GarmentSize(enum.Enum):
    """Stored by value."""

    small = "S"
    medium = "M"
    large = "L"


class ShipmentStatus(enum.Enum):
    """A SQLModel field typed with a Python enum: SQLAlchemy 2 gives it no CHECK."""

    packed = "packed"
    shipped = "shipped"
    delivered = "delivered"


def make_metadata(convention: str) -> sa.MetaData:
    """The shop's tables on a new MetaData named by `convention` (a key of CONVENTIONS)."""
    naming = CONVENTIONS[convention]
    metadata = sa.MetaData(naming_convention=naming) if naming else sa.MetaData()
    sa.Table(
        "garments",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        # SQLAlchemy 2's default: a native type on PostgreSQL, a plain VARCHAR (no CHECK) on SQLite.
        sa.Column("colour", sa.Enum("red", "green", "blue", name="colour"), nullable=False),
        # Asks for a CHECK where the enum is not native (SQLite).
        sa.Column(
            "size",
            sa.Enum(GarmentSize, name="garmentsize", create_constraint=True,
                    values_callable=lambda members: [m.value for m in members]),
            nullable=False,
        ),
        # A string with a CHECK on both backends.
        sa.Column("grade", sa.Enum("first", "second", name="grade", native_enum=False, create_constraint=True)),
        # A string without any CHECK on both backends.
        sa.Column("finish", sa.Enum("matte", "gloss", name="finish", native_enum=False)),
        sa.Column("note", sa.Text, nullable=True),  # added by 0002
    )

    class Base(SQLModel, registry=registry(metadata=metadata)):
        """Registers on this metadata only."""

    class Shipment(Base, table=True):  # noqa: F841 (registered on the metadata)
        """A SQLModel table, as the SQLModel/FastAPI template writes them (added by 0002)."""

        __tablename__ = "shipments"
        id: int | None = Field(default=None, primary_key=True)
        garment_id: int = Field(foreign_key="garments.id", index=True)
        status: ShipmentStatus
        weight_kg: float

    return metadata
