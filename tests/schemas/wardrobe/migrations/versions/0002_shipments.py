"""shipments (a SQLModel table) and a note on garments

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("garments") as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("garment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("packed", "shipped", "delivered", name="shipmentstatus"), nullable=False),
        sa.Column("weight_kg", sa.Double(), nullable=False),  # Double here, Float in the models
        sa.ForeignKeyConstraint(["garment_id"], ["garments.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.create_index(None, ["garment_id"], unique=False)  # named by the convention


def downgrade():
    op.drop_table("shipments")
    sa.Enum(name="shipmentstatus").drop(op.get_bind(), checkfirst=True)
    with op.batch_alter_table("garments") as batch_op:
        batch_op.drop_column("note")
