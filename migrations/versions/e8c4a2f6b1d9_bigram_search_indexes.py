"""bigram GIN indexes: two-character searches (「税務」) by index on PostgreSQL

Revision ID: e8c4a2f6b1d9
Revises: e3a7c9d1b5f2
Create Date: 2026-12-05 04:40:00.000000

PostgreSQL only: ``vg_bigrams(text)`` (see ``vendorguard.core.bigrams``) and a GIN index on it
per column searched through ``core.web.contains``. The indexes are declared in the models for
PostgreSQL alone, so ``env.py`` leaves ``bigram_*`` indexes out of the comparison as it does
the trigram ones.
"""

from alembic import op

revision = "e8c4a2f6b1d9"
down_revision = "e3a7c9d1b5f2"
branch_labels = None
depends_on = None

# As in vendorguard.core.bigrams (copied: a migration keeps the schema of its day).
FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION vg_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT substr(value, i, 2) FROM generate_series(1, char_length(value) - 1) AS i)
$$
"""
# (index, table, column)
BIGRAM = (
    ("bigram_arrangement_title", "arrangement", "title"),
    ("bigram_evidence_requirement_title", "evidence_requirement", "title"),
    ("bigram_contractor_name", "contractor", "name"),
    ("bigram_contractor_name_kana", "contractor", "name_kana"),
    ("bigram_contractor_contact_name", "contractor", "contact_name"),
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION_SQL)
    for name, table, column in BIGRAM:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (vg_bigrams({column}))")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _column in BIGRAM:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("DROP FUNCTION IF EXISTS vg_bigrams(text)")
