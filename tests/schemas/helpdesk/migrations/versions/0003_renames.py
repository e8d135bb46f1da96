"""renames: agents.name -> full_name, tickets.body -> description

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agents") as batch_op:
        batch_op.alter_column("name", new_column_name="full_name", existing_type=sa.String(length=120),
                              existing_nullable=False)
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.alter_column("body", new_column_name="description", existing_type=sa.Text(), existing_nullable=False)


def downgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.alter_column("description", new_column_name="body", existing_type=sa.Text(), existing_nullable=False)
    with op.batch_alter_table("agents") as batch_op:
        batch_op.alter_column("full_name", new_column_name="name", existing_type=sa.String(length=120),
                              existing_nullable=False)
