"""engagements by id with their end date: one department's "no officer" count probes its 71
arrangements instead of hashing the city's 15,000 live engagements (issue 16)

Revision ID: a7c3e9f1b5d8
Revises: f1b7d3a9c5e2
Create Date: 2026-12-05 12:30:00.000000
"""

from alembic import op

revision = "a7c3e9f1b5d8"
down_revision = "f1b7d3a9c5e2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_engagement_id_ends", "engagement", ["id", "ends_on"], unique=False)


def downgrade():
    op.drop_index("ix_engagement_id_ends", table_name="engagement")
