"""evidence standing: per arrangement, the earliest unsettled due date and a requirement in use

Revision ID: d4b8f2a6c1e3
Revises: c3a9e5d1f7b4
Create Date: 2026-12-05 04:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "d4b8f2a6c1e3"
down_revision = "c3a9e5d1f7b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evidence_standing",
        sa.Column("arrangement_id", sa.Integer(), nullable=False),
        sa.Column("due_from", sa.Date(), nullable=True),
        sa.Column("in_use", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["arrangement_id"],
            ["arrangement.id"],
            name=op.f("fk_evidence_standing_arrangement_id_arrangement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("arrangement_id", name=op.f("pk_evidence_standing")),
    )
    # Filled from what the evidence says now; from here on the app keeps it (evidence.standing).
    op.execute(
        """
        INSERT INTO evidence_standing (arrangement_id, due_from, in_use)
        SELECT arrangement.id,
               (SELECT min(evidence_request.due_on) FROM evidence_request
                 WHERE evidence_request.arrangement_id = arrangement.id
                   AND evidence_request.status IN ('open', 'rejected', 'submitted')),
               EXISTS (SELECT 1 FROM evidence_requirement
                        WHERE evidence_requirement.arrangement_id = arrangement.id
                          AND evidence_requirement.archived_at IS NULL)
          FROM arrangement
        """
    )


def downgrade():
    op.drop_table("evidence_standing")
