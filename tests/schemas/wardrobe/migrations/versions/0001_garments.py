"""garments with four kinds of enum columns

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "garments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("colour", sa.Enum("red", "green", "blue", name="colour"), nullable=False),
        sa.Column("size", sa.Enum("S", "M", "L", name="garmentsize", create_constraint=True), nullable=False),
        sa.Column("grade", sa.Enum("first", "second", name="grade", native_enum=False, create_constraint=True)),
        sa.Column("finish", sa.Enum("matte", "gloss", name="finish", native_enum=False)),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(
        sa.table("garments", sa.column("name"), sa.column("colour"), sa.column("size"), sa.column("grade"),
                 sa.column("finish")),
        [{"name": "oxford shirt", "colour": "blue", "size": "M", "grade": "first", "finish": "matte"}],
    )


def downgrade():
    op.drop_table("garments")
    sa.Enum(name="garmentsize").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="colour").drop(op.get_bind(), checkfirst=True)
