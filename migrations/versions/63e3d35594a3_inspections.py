"""inspections (実地検査): plan per engagement and fiscal year, checklist items, inspectors, photos (issue 10)

Revision ID: 63e3d35594a3
Revises: dfab0689c6f2
Create Date: 2026-12-04 17:59:02.056959

"""

import sqlalchemy as sa
from alembic import op

import vendorguard.core.types

# revision identifiers, used by Alembic.
revision = "63e3d35594a3"
down_revision = "dfab0689c6f2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("arrangement_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("planned", "done", name="inspectionstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("inspected_on", sa.Date(), nullable=True),
        sa.Column(
            "method",
            sa.Enum(
                "on_site", "video", "photos", name="inspectionmethod", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("method_detail", sa.Text(), nullable=False),
        sa.Column("other_inspectors", sa.Text(), nullable=False),
        sa.Column("contractor_attendees", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["arrangement_id"],
            ["arrangement.id"],
            name=op.f("fk_inspection_arrangement_id_arrangement"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_inspection_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"],
            ["user_account.id"],
            name=op.f("fk_inspection_completed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
        sa.UniqueConstraint(
            "arrangement_id",
            "fiscal_year",
            "sequence",
            name=op.f("uq_inspection_arrangement_id_fiscal_year_sequence"),
        ),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_arrangement_id"), ["arrangement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspection_fiscal_year"), ["fiscal_year"], unique=False
        )
        batch_op.create_index(
            "ix_inspection_status_planned", ["status", "planned_on"], unique=False
        )

    op.create_table(
        "inspection_inspector",
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_inspector_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_inspection_inspector_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("inspection_id", "user_id", name=op.f("pk_inspection_inspector")),
    )
    with op.batch_alter_table("inspection_inspector", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_inspector_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "inspection_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("requirement_code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("clause_title", sa.String(length=200), nullable=False),
        sa.Column(
            "result",
            sa.Enum(
                "unchecked",
                "conforming",
                "nonconforming",
                "not_applicable",
                name="itemresult",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_item_inspection_id_inspection"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_item")),
    )
    with op.batch_alter_table("inspection_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_item_inspection_id"), ["inspection_id"], unique=False
        )

    op.create_table(
        "inspection_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("caption", sa.String(length=200), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_photo_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_inspection_photo_uploaded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_photo")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_inspection_photo_storage_key")),
    )
    with op.batch_alter_table("inspection_photo", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_photo_inspection_id"), ["inspection_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("inspection_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_photo_inspection_id"))

    op.drop_table("inspection_photo")
    with op.batch_alter_table("inspection_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_item_inspection_id"))

    op.drop_table("inspection_item")
    with op.batch_alter_table("inspection_inspector", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_inspector_user_id"))

    op.drop_table("inspection_inspector")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_status_planned")
        batch_op.drop_index(batch_op.f("ix_inspection_fiscal_year"))
        batch_op.drop_index(batch_op.f("ix_inspection_assessment_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_arrangement_id"))

    op.drop_table("inspection")
