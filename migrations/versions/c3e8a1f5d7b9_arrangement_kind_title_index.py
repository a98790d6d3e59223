"""arrangements by kind and title, for the lists of one kind

Revision ID: c3e8a1f5d7b9
Revises: c3e8a1f05d97
Create Date: 2026-12-05 01:10:00.000000

The cloud service and SNS account lists (a few hundred among 20,000 arrangements) walk
``arrangement (kind, title, id)`` for their default order instead of scanning every arrangement.
"""

from alembic import op

revision = "c3e8a1f5d7b9"
down_revision = "c3e8a1f05d97"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.create_index("ix_arrangement_kind_title_id", ["kind", "title", "id"])


def downgrade():
    with op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.drop_index("ix_arrangement_kind_title_id")
