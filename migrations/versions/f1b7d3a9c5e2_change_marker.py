"""change marker: a value renewed by every transaction that changes records, so app processes can
keep a rendered home page while it holds (``vendorguard.core.changes``)

Revision ID: f1b7d3a9c5e2
Revises: e8c4a2f6b1d9
Create Date: 2026-12-05 06:40:00.000000
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "f1b7d3a9c5e2"
down_revision = "e8c4a2f6b1d9"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "change_marker",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_marker")),
    )
    # Random per database, so two databases never share a marker (a process may serve both).
    op.bulk_insert(table, [{"name": "records", "value": uuid.uuid4().hex}])


def downgrade():
    op.drop_table("change_marker")
