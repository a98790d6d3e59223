"""home indexes: one department's live arrangements (and those without an officer), submitted requests by arrangement, pending submissions by request

Revision ID: e3a7c9d1b5f2
Revises: d5e9b3c7a1f4
Create Date: 2026-12-05 04:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "e3a7c9d1b5f2"
down_revision = "d5e9b3c7a1f4"
branch_labels = None
depends_on = None

LIVE = "archived_at IS NULL"
NO_OFFICER = "responsible_officer_id IS NULL AND archived_at IS NULL"
SUBMITTED = "status = 'submitted'"
PENDING = "decision = 'pending'"


def upgrade():
    with op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_arrangement_live_department",
            ["department_id", "id", "kind", "state"],
            unique=False,
            postgresql_where=sa.text(LIVE),
            sqlite_where=sa.text(LIVE),
        )
        batch_op.create_index(
            "ix_arrangement_live_no_officer",
            ["department_id", "id", "state"],
            unique=False,
            postgresql_where=sa.text(NO_OFFICER),
            sqlite_where=sa.text(NO_OFFICER),
        )
    with op.batch_alter_table("evidence_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_request_submitted_arrangement",
            ["arrangement_id", "id"],
            unique=False,
            postgresql_where=sa.text(SUBMITTED),
            sqlite_where=sa.text(SUBMITTED),
        )
    with op.batch_alter_table("evidence_submission", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_submission_pending_request",
            ["request_id", "submitted_at", "id"],
            unique=False,
            postgresql_where=sa.text(PENDING),
            sqlite_where=sa.text(PENDING),
        )


def downgrade():
    with op.batch_alter_table("evidence_submission", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_submission_pending_request")
    with op.batch_alter_table("evidence_request", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_request_submitted_arrangement")
    with op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.drop_index("ix_arrangement_live_no_officer")
        batch_op.drop_index("ix_arrangement_live_department")
