"""import batches: an uploaded register file kept between its preview and its application (issue 12)

Revision ID: 3a8e4c51b7d2
Revises: 419af921c202
Create Date: 2026-12-04 18:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import vendorguard.core.types

# revision identifiers, used by Alembic.
revision = "3a8e4c51b7d2"
down_revision = "419af921c202"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("register", sa.String(length=20), nullable=False),
        sa.Column("table_key", sa.String(length=30), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("file_kind", sa.String(length=10), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("layout", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "needs_mapping",
                "running",
                "previewed",
                "applied",
                "failed",
                name="batchstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("created_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_import_batch_user_id_user_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_batch"),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index("ix_import_batch_expires_at", ["expires_at"], unique=False)
        batch_op.create_index("ix_import_batch_user_id", ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_index("ix_import_batch_user_id")
        batch_op.drop_index("ix_import_batch_expires_at")
    op.drop_table("import_batch")
