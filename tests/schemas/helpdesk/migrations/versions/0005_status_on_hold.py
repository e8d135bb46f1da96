"""ticket status on_hold

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OLD = ("open", "pending", "closed")
NEW = ("open", "pending", "on_hold", "closed")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # ADD VALUE cannot run inside a transaction block before PostgreSQL 12, and a new label
        # cannot be used until it is committed: Alembic's documented way is an autocommit block.
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE ticketstatus ADD VALUE IF NOT EXISTS 'on_hold' BEFORE 'closed'")
        return
    # SQLite keeps the enum as a CHECK: batch mode rebuilds the table with the new one.
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.alter_column(
            "status",
            type_=sa.Enum(*NEW, name="ticketstatus", create_constraint=True),
            existing_type=sa.Enum(*OLD, name="ticketstatus", create_constraint=True),
            existing_nullable=False,
            existing_server_default="open",
        )


def downgrade():
    op.execute("UPDATE tickets SET status = 'pending' WHERE status = 'on_hold'")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE ticketstatus RENAME TO ticketstatus_old")
        sa.Enum(*OLD, name="ticketstatus").create(op.get_bind())
        op.execute("ALTER TABLE tickets ALTER COLUMN status DROP DEFAULT")
        op.execute("ALTER TABLE tickets ALTER COLUMN status TYPE ticketstatus USING status::text::ticketstatus")
        op.execute("ALTER TABLE tickets ALTER COLUMN status SET DEFAULT 'open'")
        op.execute("DROP TYPE ticketstatus_old")
        return
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.alter_column(
            "status",
            type_=sa.Enum(*OLD, name="ticketstatus", create_constraint=True),
            existing_type=sa.Enum(*NEW, name="ticketstatus", create_constraint=True),
            existing_nullable=False,
            existing_server_default="open",
        )
