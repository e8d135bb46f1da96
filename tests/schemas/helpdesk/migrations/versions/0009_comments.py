"""ticket comments; reopen counts, agent activity and ratings

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ticket_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("internal", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["agents.id"], name=op.f("fk_ticket_comments_author_id_agents"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_comments_ticket_id_tickets"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_comments")),
    )
    op.create_index(op.f("ix_ticket_comments_ticket_id"), "ticket_comments", ["ticket_id"])
    op.create_index(op.f("ix_ticket_comments_author_id"), "ticket_comments", ["author_id"])
    # NOT NULL columns on filled tables: the server default fills the existing rows.
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(sa.Column("reopen_count", sa.Integer(), server_default=sa.text("0"), nullable=False))
    with op.batch_alter_table("agents") as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("rating", sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table("agents") as batch_op:
        batch_op.drop_column("rating")
        batch_op.drop_column("active")
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_column("reopen_count")
    op.drop_index(op.f("ix_ticket_comments_author_id"), table_name="ticket_comments")
    op.drop_index(op.f("ix_ticket_comments_ticket_id"), table_name="ticket_comments")
    op.drop_table("ticket_comments")
