"""personal API tokens (issue 12): only a lookup prefix and the sha256 of each token are stored

Revision ID: e6ae08a076d3
Revises: c7eb75fb1fb9
Create Date: 2026-12-04 18:03:59.226949

"""
import sqlalchemy as sa
from alembic import op

import vendorguard.core.types


# revision identifiers, used by Alembic.
revision = 'e6ae08a076d3'
down_revision = 'c7eb75fb1fb9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.Enum('read', 'read_write', name='tokenscope', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', vendorguard.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', vendorguard.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_token_prefix'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')
