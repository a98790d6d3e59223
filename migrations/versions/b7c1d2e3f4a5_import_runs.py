"""import runs: a pass's state and progress in the database, visible to every worker (issue 12)

Revision ID: b7c1d2e3f4a5
Revises: 5b1d7f3c9e20
Create Date: 2026-12-04 22:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import vendorguard.core.types

# revision identifiers, used by Alembic.
revision = "b7c1d2e3f4a5"
down_revision = "5b1d7f3c9e20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column(
            "state",
            sa.Enum("running", "done", "stopped", name="runstate", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("started_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
            name="fk_import_run_batch_id_import_batch",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_run"),
        sa.UniqueConstraint("batch_id", name="uq_import_run_batch_id"),
    )


def downgrade():
    op.drop_table("import_run")
