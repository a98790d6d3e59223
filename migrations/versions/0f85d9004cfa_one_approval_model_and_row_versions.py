"""one approval model (approval_request) and row versions for optimistic locking

Cloud use applications become ``cloud_use_application`` rows joined to a shared ``approval_request``
(same ids); every SNS account that was applied for, approved or rejected gets the request its state
implies. ``version`` columns (optimistic locking) on approval requests, evidence requests,
assessments, actions and waivers start at 1.

Revision ID: 0f85d9004cfa
Revises: 44d1a8a4dc4b
Create Date: 2026-12-04 15:40:00

"""
from alembic import op
import sqlalchemy as sa
import vendorguard.core.types


# revision identifiers, used by Alembic.
revision = '0f85d9004cfa'
down_revision = '44d1a8a4dc4b'
branch_labels = None
depends_on = None

STATUS = sa.Enum('submitted', 'approved', 'rejected', 'withdrawn', 'expired', name='applicationstatus', native_enum=False, length=20)
VERSIONED = ('evidence_request', 'assessment', 'action', 'requirement_waiver')
MOVED = ('applicant_id', 'submitted_at', 'status', 'decided_by_id', 'decided_at', 'decision_comment', 'valid_until')


def upgrade():
    op.create_table('approval_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('arrangement_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', vendorguard.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', STATUS, nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', vendorguard.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['user_account.id'], name=op.f('fk_approval_request_applicant_id_user_account')),
    sa.ForeignKeyConstraint(['arrangement_id'], ['arrangement.id'], name=op.f('fk_approval_request_arrangement_id_arrangement')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_approval_request_decided_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_request'))
    )
    with op.batch_alter_table('approval_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_request_arrangement_id'), ['arrangement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_request_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_request_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index('uq_approval_request_pending', ['arrangement_id'], unique=True, sqlite_where=sa.text("status = 'submitted'"), postgresql_where=sa.text("status = 'submitted'"))

    # Existing use applications keep their ids, so audit events and links still name them.
    op.execute(
        "INSERT INTO approval_request (id, kind, arrangement_id, applicant_id, submitted_at, status,"
        " decided_by_id, decided_at, decision_comment, valid_until, version)"
        " SELECT id, 'cloud_use_application', service_id, applicant_id, submitted_at, status,"
        " decided_by_id, decided_at, decision_comment, valid_until, 1 FROM cloud_use_application"
    )
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute(
            "SELECT setval(pg_get_serial_sequence('approval_request', 'id'),"
            " COALESCE((SELECT MAX(id) FROM approval_request), 0) + 1, false)"
        )
    # An SNS account's state implied a request with no row of its own: give it one.
    op.execute(
        "INSERT INTO approval_request (kind, arrangement_id, applicant_id, submitted_at, status,"
        " decided_by_id, decided_at, decision_comment, valid_until, version)"
        " SELECT 'approval_request', s.id, NULL, COALESCE(s.approved_at, a.updated_at),"
        " CASE s.approval_state WHEN 'applied' THEN 'submitted' ELSE s.approval_state END,"
        " CASE WHEN s.approval_state = 'applied' THEN NULL ELSE s.approved_by_id END,"
        " CASE WHEN s.approval_state = 'applied' THEN NULL ELSE s.approved_at END,"
        " CASE WHEN s.approval_state = 'applied' THEN '' ELSE s.approval_comment END, NULL, 1"
        " FROM social_account s JOIN arrangement a ON a.id = s.id"
        " WHERE s.approval_state IN ('applied', 'approved', 'rejected')"
    )

    with op.batch_alter_table('cloud_use_application', schema=None) as batch_op:
        batch_op.drop_index('uq_cloud_use_application_pending')
        batch_op.drop_index(batch_op.f('ix_cloud_use_application_service_id'))
        batch_op.drop_index(batch_op.f('ix_cloud_use_application_status'))
        batch_op.drop_index(batch_op.f('ix_cloud_use_application_submitted_at'))
        batch_op.drop_constraint(batch_op.f('fk_cloud_use_application_service_id_cloud_service'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_cloud_use_application_applicant_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_cloud_use_application_decided_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('service_id')
        for column in MOVED:
            batch_op.drop_column(column)
        batch_op.create_foreign_key(batch_op.f('fk_cloud_use_application_id_approval_request'), 'approval_request', ['id'], ['id'])
    if bind.dialect.name == 'postgresql':
        # The id now comes from approval_request.
        op.execute("ALTER TABLE cloud_use_application ALTER COLUMN id DROP DEFAULT")
        op.execute("DROP SEQUENCE IF EXISTS cloud_use_application_id_seq")

    with op.batch_alter_table('social_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approval_valid_until', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_social_account_approval_valid_until'), ['approval_valid_until'], unique=False)

    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))


def downgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')

    with op.batch_alter_table('social_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_social_account_approval_valid_until'))
        batch_op.drop_column('approval_valid_until')

    with op.batch_alter_table('cloud_use_application', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cloud_use_application_id_approval_request'), type_='foreignkey')
        batch_op.add_column(sa.Column('service_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('applicant_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('submitted_at', vendorguard.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('status', STATUS, nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', vendorguard.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decision_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('valid_until', sa.Date(), nullable=True))
    for column in ('service_id',) + MOVED:
        source = 'arrangement_id' if column == 'service_id' else column
        op.execute(
            f"UPDATE cloud_use_application SET {column} = (SELECT r.{source} FROM approval_request r"
            " WHERE r.id = cloud_use_application.id)"
        )
    with op.batch_alter_table('cloud_use_application', schema=None) as batch_op:
        for column in ('service_id', 'submitted_at', 'status', 'decision_comment'):
            batch_op.alter_column(column, nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_cloud_use_application_service_id_cloud_service'), 'cloud_service', ['service_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_cloud_use_application_applicant_id_user_account'), 'user_account', ['applicant_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_cloud_use_application_decided_by_id_user_account'), 'user_account', ['decided_by_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_cloud_use_application_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cloud_use_application_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cloud_use_application_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index('uq_cloud_use_application_pending', ['service_id'], unique=True, sqlite_where=sa.text("status = 'submitted'"), postgresql_where=sa.text("status = 'submitted'"))
    # SNS requests and the SNS approval expiry have no place in the older schema; the account's
    # own approval columns still hold its state.
    op.drop_table('approval_request')
