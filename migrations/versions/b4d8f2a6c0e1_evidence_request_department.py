"""evidence requests carry their arrangement's department: one department's unsettled requests
are read in due order from their own index instead of walking the city's (issue 16)

Revision ID: b4d8f2a6c0e1
Revises: a7c3e9f1b5d8
Create Date: 2026-12-05 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b4d8f2a6c0e1"
down_revision = "a7c3e9f1b5d8"
branch_labels = None
depends_on = None

UNSETTLED_SQL = "status IN ('open', 'rejected', 'submitted')"


def upgrade():
    with op.batch_alter_table("evidence_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
    # Filled from the arrangements (written portably: SQLite has no UPDATE … FROM before 3.33).
    op.execute(
        "UPDATE evidence_request SET department_id = (SELECT arrangement.department_id"
        " FROM arrangement WHERE arrangement.id = evidence_request.arrangement_id)"
    )
    with op.batch_alter_table("evidence_request", schema=None) as batch_op:
        batch_op.alter_column("department_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_evidence_request_department_id_department"),
            "department",
            ["department_id"],
            ["id"],
        )
        batch_op.create_index(
            "ix_evidence_request_unsettled_department_due",
            ["department_id", "due_on", "id", "arrangement_id", "status"],
            unique=False,
            postgresql_where=sa.text(UNSETTLED_SQL),
            sqlite_where=sa.text(UNSETTLED_SQL),
        )


def downgrade():
    with op.batch_alter_table("evidence_request", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_evidence_request_unsettled_department_due",
            postgresql_where=sa.text(UNSETTLED_SQL),
            sqlite_where=sa.text(UNSETTLED_SQL),
        )
        batch_op.drop_constraint(
            batch_op.f("fk_evidence_request_department_id_department"), type_="foreignkey"
        )
        batch_op.drop_column("department_id")
