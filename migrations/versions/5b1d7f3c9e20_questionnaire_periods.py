"""self-check periods: a questionnaire request is unique per period, not per fiscal year (issue 11)

Revision ID: 5b1d7f3c9e20
Revises: 3a8e4c51b7d2
Create Date: 2026-12-04 21:45:00.000000

"""

from datetime import date

import sqlalchemy as sa
from alembic import op

import vendorguard.core.types

# revision identifiers, used by Alembic.
revision = "5b1d7f3c9e20"
down_revision = "3a8e4c51b7d2"
branch_labels = None
depends_on = None

WHERE = sa.text("status <> 'cancelled'")


def upgrade():
    with op.batch_alter_table("questionnaire_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period_start", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("period_months", sa.Integer(), server_default=sa.text("12"), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "withdrawn_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=True
            )
        )
    # Every existing request was sent for a whole fiscal year: its period starts on 1 April.
    request = sa.table(
        "questionnaire_request",
        sa.column("fiscal_year", sa.Integer()),
        sa.column("period_start", sa.Date()),
    )
    connection = op.get_bind()
    years = connection.execute(sa.select(request.c.fiscal_year).distinct()).scalars().all()
    for year in years:
        connection.execute(
            request.update()
            .where(request.c.fiscal_year == year)
            .values(period_start=date(year, 4, 1))
        )
    with op.batch_alter_table("questionnaire_request", schema=None) as batch_op:
        batch_op.alter_column("period_start", existing_type=sa.Date(), nullable=False)
        batch_op.drop_index(
            "uq_questionnaire_request_live", sqlite_where=WHERE, postgresql_where=WHERE
        )
        batch_op.create_index(
            "uq_questionnaire_request_live",
            ["arrangement_id", "template_id", "period_start"],
            unique=True,
            sqlite_where=WHERE,
            postgresql_where=WHERE,
        )


def downgrade():
    # Several periods of one fiscal year cannot share the old key: keep the earliest live one.
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "UPDATE questionnaire_request SET status = 'cancelled' WHERE status <> 'cancelled' "
            "AND EXISTS (SELECT 1 FROM questionnaire_request AS other "
            "WHERE other.arrangement_id = questionnaire_request.arrangement_id "
            "AND other.template_id = questionnaire_request.template_id "
            "AND other.fiscal_year = questionnaire_request.fiscal_year "
            "AND other.status <> 'cancelled' "
            "AND other.period_start < questionnaire_request.period_start)"
        )
    )
    with op.batch_alter_table("questionnaire_request", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_questionnaire_request_live", sqlite_where=WHERE, postgresql_where=WHERE
        )
        batch_op.create_index(
            "uq_questionnaire_request_live",
            ["arrangement_id", "template_id", "fiscal_year"],
            unique=True,
            sqlite_where=WHERE,
            postgresql_where=WHERE,
        )
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("period_months")
        batch_op.drop_column("period_start")
