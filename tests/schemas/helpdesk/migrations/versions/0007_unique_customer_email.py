"""customer emails unique, case-insensitively

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    # Customers added by the application since 0002 may carry capitals.
    op.execute("UPDATE customers SET email = lower(email) WHERE email <> lower(email)")
    op.drop_index(op.f("ix_customers_email"), table_name="customers")
    op.create_index(op.f("ix_customers_email"), "customers", ["email"], unique=True)


def downgrade():
    op.drop_index(op.f("ix_customers_email"), table_name="customers")
    op.create_index(op.f("ix_customers_email"), "customers", ["email"], unique=False)
