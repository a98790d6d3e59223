"""list indexes: archived and live arrangements by key, the request list's index covers the arrangement

Revision ID: d5e9b3c7a1f4
Revises: d4b8f2a6c1e3
Create Date: 2026-12-05 04:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "d5e9b3c7a1f4"
down_revision = "d4b8f2a6c1e3"
branch_labels = None
depends_on = None

UNSETTLED = "status IN ('open', 'rejected', 'submitted')"


def upgrade():
    with op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_arrangement_archived_id",
            ["id"],
            unique=False,
            postgresql_where=sa.text("archived_at IS NOT NULL"),
            sqlite_where=sa.text("archived_at IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_arrangement_live_id_kind",
            ["id", "kind"],
            unique=False,
            postgresql_where=sa.text("archived_at IS NULL"),
            sqlite_where=sa.text("archived_at IS NULL"),
        )
    _unsettled_due(["due_on", "id", "arrangement_id"])


def downgrade():
    _unsettled_due(["due_on", "id"])
    with op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.drop_index("ix_arrangement_live_id_kind")
        batch_op.drop_index("ix_arrangement_archived_id")


def _unsettled_due(columns):
    with op.batch_alter_table("evidence_request", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_request_unsettled_due")
        batch_op.create_index(
            "ix_evidence_request_unsettled_due",
            columns,
            unique=False,
            postgresql_where=sa.text(UNSETTLED),
            sqlite_where=sa.text(UNSETTLED),
        )
