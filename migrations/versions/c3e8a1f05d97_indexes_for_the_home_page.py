"""partial indexes for the home page at city scale (issue 16)

Revision ID: c3e8a1f05d97
Revises: c3a8e5f1d7b9
Create Date: 2026-12-05 01:00:00.000000

The chart's two per-arrangement tests (unsettled evidence due by today; a requirement in use)
become index-only probes, as do one department's overdue requests; the review section walks the
few thousand pending submissions in order and joins them to the submitted requests from two
indexes instead of ~6,000 heap pages; the SNS visibility rule ("or
the own department") looks departments up in an index instead of hashing every arrangement.
"""

import sqlalchemy as sa
from alembic import op

revision = "c3e8a1f05d97"
down_revision = "c3a8e5f1d7b9"
branch_labels = None
depends_on = None

UNSETTLED = "status IN ('open', 'rejected', 'submitted')"
PENDING = "decision = 'pending'"
SUBMITTED = "status = 'submitted'"
LIVE = "archived_at IS NULL"


def upgrade():
    with op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.create_index("ix_arrangement_id_department", ["id", "department_id"], unique=False)
    with op.batch_alter_table("evidence_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_request_unsettled_arrangement",
            ["arrangement_id", "status", "due_on", "evidence_requirement_id"],
            unique=False,
            postgresql_where=sa.text(UNSETTLED),
            sqlite_where=sa.text(UNSETTLED),
        )
        batch_op.create_index(
            "ix_evidence_request_submitted",
            ["id", "arrangement_id", "evidence_requirement_id"],
            unique=False,
            postgresql_where=sa.text(SUBMITTED),
            sqlite_where=sa.text(SUBMITTED),
        )
    with op.batch_alter_table("evidence_requirement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_requirement_live_arrangement",
            ["arrangement_id"],
            unique=False,
            postgresql_where=sa.text(LIVE),
            sqlite_where=sa.text(LIVE),
        )
    with op.batch_alter_table("evidence_submission", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_submission_pending",
            ["submitted_at", "id", "request_id"],
            unique=False,
            postgresql_where=sa.text(PENDING),
            sqlite_where=sa.text(PENDING),
        )


def downgrade():
    with op.batch_alter_table("evidence_submission", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_submission_pending")
    with op.batch_alter_table("evidence_requirement", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_requirement_live_arrangement")
    with op.batch_alter_table("evidence_request", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_request_submitted")
        batch_op.drop_index("ix_evidence_request_unsettled_arrangement")
    with op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.drop_index("ix_arrangement_id_department")
