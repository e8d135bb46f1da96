"""customers, filled from the requesters of existing tickets

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
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    op.create_index(op.f("ix_customers_email"), "customers", ["email"], unique=False)
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(sa.Column("customer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_customer_id_customers"), "customers", ["customer_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_index(batch_op.f("ix_tickets_customer_id"), ["customer_id"])
    # Data: one customer per requester, case-insensitively (Ann@x and ann@x are one person).
    op.execute(
        "INSERT INTO customers (email) SELECT DISTINCT lower(requester_email) FROM tickets ORDER BY 1"
    )
    op.execute(
        "UPDATE tickets SET customer_id = "
        "(SELECT c.id FROM customers c WHERE c.email = lower(tickets.requester_email))"
    )


def downgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_customer_id"))
        batch_op.drop_constraint(batch_op.f("fk_tickets_customer_id_customers"), type_="foreignkey")
        batch_op.drop_column("customer_id")
    op.drop_index(op.f("ix_customers_email"), table_name="customers")
    op.drop_table("customers")
