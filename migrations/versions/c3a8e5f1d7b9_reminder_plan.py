"""the upcoming reminders, precomputed: one row per computation and one per planned reminder (issue 16)

Revision ID: c3a8e5f1d7b9
Revises: b6d1f0c4e8a2
Create Date: 2026-12-05 01:00:00.000000

The admin's "upcoming" page read the 14-day plan computed afresh on every view (about a minute at
city scale); the daily ``vg remind`` and an admin's "recompute" job now write it here.
"""

import sqlalchemy as sa
from alembic import op

import vendorguard.core.types

revision = "c3a8e5f1d7b9"
down_revision = "b6d1f0c4e8a2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminder_plan_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_plan_run")),
    )
    op.create_table(
        "reminder_plan_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("email", "digest", "webhook", name="channel", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reminder_plan_run.id"],
            name=op.f("fk_reminder_plan_row_run_id_reminder_plan_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_plan_row")),
    )
    op.create_index(
        "ix_reminder_plan_row_run_day", "reminder_plan_row", ["run_id", "day", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_reminder_plan_row_run_day", table_name="reminder_plan_row")
    op.drop_table("reminder_plan_row")
    op.drop_table("reminder_plan_run")
