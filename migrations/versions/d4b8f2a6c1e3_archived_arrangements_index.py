"""archived arrangements index: lists hide the few archived ones by key, without a join

Revision ID: d4b8f2a6c1e3
Revises: c3a9e5d1f7b4
Create Date: 2026-12-05 04:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "d4b8f2a6c1e3"
down_revision = "c3a9e5d1f7b4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_arrangement_archived_id",
            ["id"],
            unique=False,
            postgresql_where=sa.text("archived_at IS NOT NULL"),
            sqlite_where=sa.text("archived_at IS NOT NULL"),
        )


def downgrade():
    with op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.drop_index("ix_arrangement_archived_id")
