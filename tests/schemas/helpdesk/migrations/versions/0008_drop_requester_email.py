"""drop tickets.requester_email (customers hold it since 0002)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_column("requester_email")


def downgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(sa.Column("requester_email", sa.String(length=255), nullable=False, server_default=""))
    op.execute(
        "UPDATE tickets SET requester_email = "
        "(SELECT c.email FROM customers c WHERE c.id = tickets.customer_id) WHERE customer_id IS NOT NULL"
    )
