"""city profile; clauses marked internal (the city's own record, not what a counterparty signs)

Revision ID: c17a5e0d0c01
Revises: 0f85d9004cfa
Create Date: 2026-12-04 15:30:00

"""
from alembic import op
import sqlalchemy as sa
import vendorguard.core.types


revision = 'c17a5e0d0c01'
down_revision = '0f85d9004cfa'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('city_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_kana', sa.String(length=200), nullable=False),
    sa.Column('postal_code', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('mayor_title', sa.String(length=50), nullable=False),
    sa.Column('mayor_name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('security_department', sa.String(length=100), nullable=False),
    sa.Column('impersonation_contact', sa.String(length=300), nullable=False),
    sa.Column('updated_at', vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_city_profile'))
    )
    with op.batch_alter_table('clause', schema=None) as batch_op:
        batch_op.add_column(sa.Column('internal', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('clause', schema=None) as batch_op:
        batch_op.drop_column('internal')
    op.drop_table('city_profile')
