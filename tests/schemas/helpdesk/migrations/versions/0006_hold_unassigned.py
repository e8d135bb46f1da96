"""unassigned pending tickets go on hold

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    # Uses the label 0005 added: on PostgreSQL it must have been committed first.
    op.execute("UPDATE tickets SET status = 'on_hold' WHERE status = 'pending' AND agent_id IS NULL")


def downgrade():
    pass  # which tickets were pending before is not recorded; 0005's downgrade maps on_hold back
