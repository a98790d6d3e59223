"""risk tiers of engagements (issue 11): rules, policy, computed tiers, cloud use, tier inputs

After upgrading, ``flask vg tiers-recompute`` computes the tier of the existing engagements.

Revision ID: 419af921c202
Revises: e7d5b9479e98
Create Date: 2026-12-04 18:01:30.001520

"""

import sqlalchemy as sa
from alembic import op

import vendorguard.core.types

# revision identifiers, used by Alembic.
revision = "419af921c202"
down_revision = "e7d5b9479e98"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tier_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "tier", sa.Enum("A", "B", "C", "D", name="risktier", native_enum=False), nullable=False
        ),
        sa.Column(
            "evidence_cadence",
            sa.Enum(
                "once_at_start",
                "monthly",
                "quarterly",
                "half_yearly",
                "yearly",
                "at_end",
                "ad_hoc",
                name="cadence",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("review_interval_months", sa.Integer(), nullable=False),
        sa.Column("self_check_interval_months", sa.Integer(), nullable=False),
        sa.Column("inspections_per_year", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_policy")),
        sa.UniqueConstraint("tier", name=op.f("uq_tier_policy_tier")),
    )
    op.create_table(
        "tier_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "tier", sa.Enum("A", "B", "C", "D", name="risktier", native_enum=False), nullable=False
        ),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("condition", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_rule")),
    )
    op.create_table(
        "engagement_cloud_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("cloud_service_id", sa.Integer(), nullable=False),
        sa.Column("created_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cloud_service_id"],
            ["cloud_service.id"],
            name=op.f("fk_engagement_cloud_service_cloud_service_id_cloud_service"),
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_engagement_cloud_service_engagement_id_engagement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_cloud_service")),
        sa.UniqueConstraint(
            "engagement_id",
            "cloud_service_id",
            name=op.f("uq_engagement_cloud_service_engagement_id_cloud_service_id"),
        ),
    )
    with op.batch_alter_table("engagement_cloud_service", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engagement_cloud_service_cloud_service_id"),
            ["cloud_service_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_engagement_cloud_service_engagement_id"), ["engagement_id"], unique=False
        )

    op.create_table(
        "engagement_tier",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column(
            "computed_tier",
            sa.Enum("A", "B", "C", "D", name="risktier", native_enum=False),
            nullable=False,
        ),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("computed_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "override_tier",
            sa.Enum("A", "B", "C", "D", name="risktier", native_enum=False),
            nullable=True,
        ),
        sa.Column("override_reason", sa.Text(), nullable=False),
        sa.Column("overridden_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "overridden_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagement.id"],
            name=op.f("fk_engagement_tier_engagement_id_engagement"),
        ),
        sa.ForeignKeyConstraint(
            ["overridden_by_id"],
            ["user_account.id"],
            name=op.f("fk_engagement_tier_overridden_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["tier_rule.id"], name=op.f("fk_engagement_tier_rule_id_tier_rule")
        ),
        sa.PrimaryKeyConstraint("engagement_id", name=op.f("pk_engagement_tier")),
    )
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "personal_info_volume",
                sa.Enum(
                    "under_1k",
                    "1k_10k",
                    "10k_100k",
                    "100k_plus",
                    name="personalinfovolume",
                    native_enum=False,
                    length=20,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("remote_access", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "tier",
                sa.Enum("A", "B", "C", "D", name="risktier", native_enum=False),
                nullable=True,
            )
        )
        batch_op.create_index(batch_op.f("ix_engagement_tier"), ["tier"], unique=False)


def downgrade():
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_tier"))
        batch_op.drop_column("tier")
        batch_op.drop_column("remote_access")
        batch_op.drop_column("personal_info_volume")

    op.drop_table("engagement_tier")
    with op.batch_alter_table("engagement_cloud_service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_cloud_service_engagement_id"))
        batch_op.drop_index(batch_op.f("ix_engagement_cloud_service_cloud_service_id"))

    op.drop_table("engagement_cloud_service")
    op.drop_table("tier_rule")
    op.drop_table("tier_policy")
