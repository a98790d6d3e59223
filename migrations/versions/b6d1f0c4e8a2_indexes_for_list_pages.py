"""indexes that follow each list page's default and offered sorts; trigram search (issue 16)

Revision ID: b6d1f0c4e8a2
Revises: b4d7e2a91c35
Create Date: 2026-12-04 21:40:00.000000

The trigram (pg_trgm) GIN indexes are PostgreSQL-only and made only where the extension can be
installed; they are not in the models (``env.py`` leaves ``trgm_*`` indexes out of the
comparison), and searches work the same without them, by scanning.
"""

import sqlalchemy as sa
from alembic import op

revision = "b6d1f0c4e8a2"
down_revision = "b4d7e2a91c35"
branch_labels = None
depends_on = None

UNSETTLED = "status IN ('open', 'rejected', 'submitted')"
# (index, table, column) searched with ILIKE '%…%'
TRIGRAM = (
    ("trgm_arrangement_title", "arrangement", "title"),
    ("trgm_contractor_name", "contractor", "name"),
    ("trgm_contractor_name_kana", "contractor", "name_kana"),
    ("trgm_evidence_requirement_title", "evidence_requirement", "title"),
)


def _trigram_available(bind) -> bool:
    if bind.dialect.name != "postgresql":
        return False
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    ).first()
    if not available:
        return False
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:  # not allowed to install it: search still works, by scanning
        return False
    return True


def upgrade():
    with op.batch_alter_table("evidence_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_evidence_request_unsettled_due",
            ["due_on", "id"],
            unique=False,
            postgresql_where=sa.text(UNSETTLED),
            sqlite_where=sa.text(UNSETTLED),
        )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_status_sent", ["status", "sent_at", "id"])
        batch_op.create_index("ix_notification_user_created", ["user_id", "created_at", "id"])
    with op.batch_alter_table("contractor", schema=None) as batch_op:
        batch_op.create_index("ix_contractor_kana_id", ["name_kana", "id"])
    with op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.create_index("ix_arrangement_title_id", ["title", "id"])
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.create_index("ix_engagement_starts_id", ["starts_on", "id"])
        batch_op.create_index("ix_engagement_ends_id", ["ends_on", "id"])
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_type_seq", ["object_type", "seq"])
    bind = op.get_bind()
    if _trigram_available(bind):
        for name, table, column in TRIGRAM:
            op.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _table, _column in TRIGRAM:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_type_seq")
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.drop_index("ix_engagement_ends_id")
        batch_op.drop_index("ix_engagement_starts_id")
    with op.batch_alter_table("arrangement", schema=None) as batch_op:
        batch_op.drop_index("ix_arrangement_title_id")
    with op.batch_alter_table("contractor", schema=None) as batch_op:
        batch_op.drop_index("ix_contractor_kana_id")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_user_created")
        batch_op.drop_index("ix_notification_status_sent")
    with op.batch_alter_table("evidence_request", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_request_unsettled_due")
