"""security hardening: session generation per user (issue 13)

Revision ID: 5ec0a11d2f13
Revises: 44d1a8a4dc4b
Create Date: 2026-12-04 15:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5ec0a11d2f13"
down_revision = "44d1a8a4dc4b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
