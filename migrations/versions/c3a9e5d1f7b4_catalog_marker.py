"""catalog marker: a value renewed with every catalog change, so app processes can keep a copy

Revision ID: c3a9e5d1f7b4
Revises: c3e8a1f5d7b9
Create Date: 2026-12-05 01:00:00.000000
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "c3a9e5d1f7b4"
down_revision = "c3e8a1f5d7b9"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "catalog_marker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_marker")),
    )
    # Random per database, so two databases never share a marker (a process may serve both).
    op.bulk_insert(table, [{"id": 1, "value": uuid.uuid4().hex}])


def downgrade():
    op.drop_table("catalog_marker")
