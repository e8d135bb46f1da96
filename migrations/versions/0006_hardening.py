"""hardening: case-insensitive unique usernames, idempotency request hashes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:00:00.000000

* users: a unique index on lower(username), so usernames that differ only in case cannot both be
  registered, even by two requests racing each other. Accounts that already share a username up to
  case (possible before this revision) keep the oldest one's username as it is; each later one gets
  its id appended ("ada" -> "ada-17"), which keeps every row and makes the index creatable.
  SQLite cannot reflect expression indexes, so Alembic's batch mode would silently lose this one if
  a later revision recreated `users` in batch mode: such a revision must create it again.
* orders and orders_archive: request_hash, the SHA-256 of the normalized request an order was
  created by, so a client_order_id sent again with a different request is refused.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate emits sqlmodel.sql.sqltypes.AutoString)


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

USERNAME_INDEX = 'ux_users_username_lower'


def _rename_case_duplicates(connection):
    """Append the id to every username that another, older account already has up to case."""
    rows = connection.execute(
        sa.text("SELECT id, username FROM users WHERE username IS NOT NULL ORDER BY id")
    ).all()
    seen = set()
    for user_id, username in rows:
        key = username.lower()
        if key in seen:
            suffix = f"-{user_id}"
            connection.execute(
                sa.text("UPDATE users SET username = :username WHERE id = :id"),
                {"username": username[: 64 - len(suffix)] + suffix, "id": user_id},
            )
        seen.add(key)


def upgrade():
    _rename_case_duplicates(op.get_bind())
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(USERNAME_INDEX, [sa.text('lower(username)')], unique=True)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))

    with op.batch_alter_table('orders_archive', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('orders_archive', schema=None) as batch_op:
        batch_op.drop_column('request_hash')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('request_hash')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(USERNAME_INDEX)
