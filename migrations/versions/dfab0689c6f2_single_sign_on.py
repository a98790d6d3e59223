"""single sign-on: OpenID providers, claim → role/department rows, linked subjects (issue 13)

Revision ID: dfab0689c6f2
Revises: a3f9c2d71e5b
Create Date: 2026-12-04 18:03:35.147231

"""
from alembic import op
import sqlalchemy as sa
import vendorguard.core.types


# revision identifiers, used by Alembic.
revision = 'dfab0689c6f2'
down_revision = 'a3f9c2d71e5b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sso_provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('discovery_url', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('client_secret', sa.String(length=500), nullable=False),
    sa.Column('scopes', sa.String(length=255), nullable=False),
    sa.Column('match_claim', sa.Enum('email', 'sub', name='matchclaim', native_enum=False, length=10), nullable=False),
    sa.Column('provisioning', sa.Boolean(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_provider')),
    sa.UniqueConstraint('name', name=op.f('uq_sso_provider_name'))
    )
    op.create_table('sso_role_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('claim', sa.String(length=100), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'procurement', 'officer', 'sns_owner', 'auditor', 'contractor', name='role', native_enum=False, length=20), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_sso_role_mapping_department_id_department')),
    sa.ForeignKeyConstraint(['provider_id'], ['sso_provider.id'], name=op.f('fk_sso_role_mapping_provider_id_sso_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_role_mapping'))
    )
    with op.batch_alter_table('sso_role_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_role_mapping_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sso_role_mapping_provider_id'), ['provider_id'], unique=False)

    op.create_table('sso_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', vendorguard.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['sso_provider.id'], name=op.f('fk_sso_identity_provider_id_sso_provider'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sso_identity_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_identity')),
    sa.UniqueConstraint('provider_id', 'subject', name=op.f('uq_sso_identity_provider_id_subject'))
    )
    with op.batch_alter_table('sso_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_identity_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sso_identity_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sso_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_identity_user_id'))
        batch_op.drop_index(batch_op.f('ix_sso_identity_provider_id'))

    op.drop_table('sso_identity')
    with op.batch_alter_table('sso_role_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_role_mapping_provider_id'))
        batch_op.drop_index(batch_op.f('ix_sso_role_mapping_department_id'))

    op.drop_table('sso_role_mapping')
    op.drop_table('sso_provider')
