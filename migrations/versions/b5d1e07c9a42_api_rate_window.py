"""api rate window: the REST API's per-token request count shared by every app process (issue 16)

Revision ID: b5d1e07c9a42
Revises: b7c1d2e3f4a5
Create Date: 2026-12-04 22:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5d1e07c9a42"
down_revision = "b7c1d2e3f4a5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_rate_window",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.BigInteger(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_api_rate_window")),
    )


def downgrade():
    op.drop_table("api_rate_window")
