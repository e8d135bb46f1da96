"""deleting a customer deletes their tickets; tickets remember when they closed

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.drop_constraint("fk_tickets_customer_id_customers", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_customer_id_customers"), "customers", ["customer_id"], ["id"], ondelete="CASCADE"
        )
    op.execute("UPDATE tickets SET closed_at = created_at WHERE status = 'closed'")


def downgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_constraint("fk_tickets_customer_id_customers", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_customer_id_customers"), "customers", ["customer_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.drop_column("closed_at")
