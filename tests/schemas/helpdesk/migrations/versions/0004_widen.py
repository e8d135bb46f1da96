"""wider subject, display name and priority

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.alter_column("subject", type_=sa.String(length=255), existing_type=sa.String(length=80),
                              existing_nullable=False)
        batch_op.alter_column("priority", type_=sa.Integer(), existing_type=sa.SmallInteger(),
                              existing_nullable=False, existing_server_default=sa.text("2"))
    with op.batch_alter_table("customers") as batch_op:
        batch_op.alter_column("display_name", type_=sa.String(length=120), existing_type=sa.String(length=60),
                              existing_nullable=True)


def downgrade():
    with op.batch_alter_table("customers") as batch_op:
        batch_op.alter_column("display_name", type_=sa.String(length=60), existing_type=sa.String(length=120),
                              existing_nullable=True)
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.alter_column("priority", type_=sa.SmallInteger(), existing_type=sa.Integer(),
                              existing_nullable=False, existing_server_default=sa.text("2"))
        batch_op.alter_column("subject", type_=sa.String(length=80), existing_type=sa.String(length=255),
                              existing_nullable=False)
