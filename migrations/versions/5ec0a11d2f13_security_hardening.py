"""security hardening: session generation per user, audit chain version, login failure pruning index (issue 13)

Existing audit rows keep chain version 1 (plain sha256); rows written from now on are version 2
(HMAC-SHA256 with the audit key). Existing users keep generation 0: their sessions, whose cookies
name no generation, end once.

Revision ID: 5ec0a11d2f13
Revises: c17a5e0d0c01
Create Date: 2026-12-04 15:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5ec0a11d2f13"
down_revision = "c17a5e0d0c01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index("ix_login_failure_occurred_at", ["occurred_at"], unique=False)
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("chain_version", sa.Integer(), server_default="1", nullable=False)
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failure_occurred_at")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("chain_version")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
