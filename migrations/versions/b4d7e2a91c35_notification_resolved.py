"""notifications as a to-do list: when the item a notification is about was dealt with (issue 14)

Revision ID: b4d7e2a91c35
Revises: b5d1e07c9a42
Create Date: 2026-12-04 22:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

import vendorguard.core.types

# revision identifiers, used by Alembic.
revision = "b4d7e2a91c35"
down_revision = "b5d1e07c9a42"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("resolved_at", vendorguard.core.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_notification_user_resolved", ["user_id", "resolved_at", "target_on"], unique=False
        )


def downgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_user_resolved")
        batch_op.drop_column("resolved_at")
