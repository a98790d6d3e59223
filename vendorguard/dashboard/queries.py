"""Reads behind the home page: each "needs attention" block is one query.

Every block query selects its first rows together with ``total`` (a window count over all
matching rows), so a block costs one query however many rows match.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, and_, exists, func, or_, select, true
from sqlalchemy.orm import aliased, contains_eager, joinedload

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.models import User
from vendorguard.cloud import queries as cloud_queries
from vendorguard.cloud.models import CloudService
from vendorguard.contractors.models import Certification, Contractor
from vendorguard.engagements.models import Engagement, Subcontractor
from vendorguard.org.models import Department
from vendorguard.social.models import SocialAccount

BLOCK_ROWS = 10
ENDING_WITHIN_DAYS = 60
CERTIFICATION_WARNING_DAYS = 90

TOTAL = func.count().over().label("total")


def live_engagement(today: date):
    """Engagements still in force or yet to start: not archived, not ended, end date not passed."""
    return and_(
        Engagement.archived_at.is_(None),
        Engagement.state != ArrangementState.ENDED,
        Engagement.ends_on >= today,
    )


def _in_department(column, department_id: int | None):
    return true() if department_id is None else column == department_id


def ending_engagements(today: date, department_id: int | None) -> Select:
    """Engagements whose contract ends within the next 60 days, soonest first."""
    return (
        select(Engagement, TOTAL)
        .options(joinedload(Engagement.department), joinedload(Engagement.contractor))
        .where(
            live_engagement(today),
            Engagement.ends_on <= today + timedelta(days=ENDING_WITHIN_DAYS),
            _in_department(Engagement.department_id, department_id),
        )
        .order_by(Engagement.ends_on, Engagement.id)
        .limit(BLOCK_ROWS)
    )


def pending_subcontractors(today: date, department_id: int | None) -> Select:
    """Subcontractors of live engagements that the city has not yet approved (許諾)."""
    return (
        select(Subcontractor, TOTAL)
        .join(Engagement, Engagement.id == Subcontractor.engagement_id)
        .options(contains_eager(Subcontractor.engagement))
        .where(
            Subcontractor.approved_on.is_(None),
            Subcontractor.archived_at.is_(None),
            live_engagement(today),
            _in_department(Engagement.department_id, department_id),
        )
        .order_by(Subcontractor.created_at, Subcontractor.id)
        .limit(BLOCK_ROWS)
    )


def expiring_certifications(today: date, department_id: int | None) -> Select:
    """Latest certificate per contractor and kind that has expired or expires within 90 days,
    for contractors with a live engagement (of the department, when given)."""
    newer = aliased(Certification)
    superseded = exists(
        select(newer.id).where(
            newer.contractor_id == Certification.contractor_id,
            newer.kind == Certification.kind,
            newer.kind_other == Certification.kind_other,
            newer.archived_at.is_(None),
            newer.id != Certification.id,
            or_(newer.valid_until.is_(None), newer.valid_until > Certification.valid_until),
        )
    )
    engaged = select(Engagement.contractor_id).where(
        live_engagement(today), _in_department(Engagement.department_id, department_id)
    )
    return (
        select(Certification, TOTAL)
        .join(Contractor, Contractor.id == Certification.contractor_id)
        .options(contains_eager(Certification.contractor))
        .where(
            Certification.archived_at.is_(None),
            Contractor.archived_at.is_(None),
            Certification.valid_until.is_not(None),
            Certification.valid_until <= today + timedelta(days=CERTIFICATION_WARNING_DAYS),
            Certification.contractor_id.in_(engaged),
            ~superseded,
        )
        .order_by(Certification.valid_until, Certification.id)
        .limit(BLOCK_ROWS)
    )


def _open_cloud():
    return and_(CloudService.archived_at.is_(None), CloudService.state != ArrangementState.ENDED)


def cloud_awaiting_approval() -> Select:
    """Cloud services whose use application waits for the security office, oldest first."""
    return (
        select(CloudService, TOTAL)
        .options(joinedload(CloudService.department), joinedload(CloudService.provider_contractor))
        .where(_open_cloud(), CloudService.approval_state == ApprovalState.APPLIED)
        .order_by(CloudService.updated_at, CloudService.id)
        .limit(BLOCK_ROWS)
    )


def cloud_risks(today: date) -> Select:
    """Services handling 機密性2以上 without an ISMAP registration number or without a current approval."""
    return (
        select(CloudService, TOTAL)
        .options(joinedload(CloudService.department), joinedload(CloudService.provider_contractor))
        .where(_open_cloud(), cloud_queries.at_risk(today))
        .order_by(CloudService.title, CloudService.id)
        .limit(BLOCK_ROWS)
    )


def engagements_without_officer(today: date, department_id: int | None) -> Select:
    """Live engagements that name no responsible officer (責任者)."""
    return (
        select(Engagement, TOTAL)
        .options(joinedload(Engagement.department), joinedload(Engagement.contractor))
        .where(
            live_engagement(today),
            Engagement.responsible_officer_id.is_(None),
            _in_department(Engagement.department_id, department_id),
        )
        .order_by(Engagement.starts_on, Engagement.id)
        .limit(BLOCK_ROWS)
    )


def _count(entity, *conditions):
    return select(func.count()).select_from(entity).where(*conditions).scalar_subquery()


def totals(today: date) -> Select:
    """The four headline numbers, in one query."""
    return select(
        _count(Contractor, Contractor.archived_at.is_(None)).label("contractors"),
        _count(Engagement, live_engagement(today)).label("engagements"),
        _count(CloudService, _open_cloud()).label("cloud_services"),
        _count(
            SocialAccount,
            SocialAccount.archived_at.is_(None),
            SocialAccount.state != ArrangementState.ENDED,
        ).label("social_accounts"),
    )


def register_counts() -> Select:
    """How many records each register holds (archived ones not counted), for the auditor."""
    return select(
        _count(Department, Department.archived_at.is_(None)).label("departments"),
        _count(User, User.archived_at.is_(None), User.active.is_(True)).label("users"),
        _count(Contractor, Contractor.archived_at.is_(None)).label("contractors"),
        _count(Engagement, Engagement.archived_at.is_(None)).label("engagements"),
        _count(CloudService, CloudService.archived_at.is_(None)).label("cloud_services"),
        _count(SocialAccount, SocialAccount.archived_at.is_(None)).label("social_accounts"),
        _count(AuditEvent).label("audit_events"),
    )
