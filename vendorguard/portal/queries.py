"""Reads for the portal. Every contractor-facing read is fenced by the contractor's own arrangements."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, contains_eager, load_only, selectinload

from vendorguard.arrangements.models import Arrangement
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.cloud.models import CloudService
from vendorguard.contractors.models import Contractor
from vendorguard.core.web import like_pattern
from vendorguard.engagements.models import Engagement
from vendorguard.evidence.models import (
    EvidenceFile,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    EvidenceSubmission,
    RequestStatus,
    UploadLink,
)
from vendorguard.org.models import Department
from vendorguard.portal.models import Invitation

# What a contractor still has to act on (or wait for); the portal's home lists these.
ACTIVE_STATUSES = (RequestStatus.OPEN, RequestStatus.REJECTED, RequestStatus.SUBMITTED)
# Submissions whose files the contractor may download again: their own, not the city's.
CONTRACTOR_CHANNELS = ("portal", "link")
# 差戻し, 期限超過, 今月, 今後, 確認待ち: what the contractor must do first comes first.
GROUPS = ("rejected", "overdue", "this_month", "later", "submitted")


def owned_arrangement_ids(contractor_id: int) -> CompoundSelect:
    """Ids of the arrangements a contractor answers for: its engagements and the services it provides."""
    # From the subclasses' own tables: the mapped classes would join the arrangement table as
    # well, two joins more for PostgreSQL to plan in every statement fenced by this.
    engagement, cloud_service = Engagement.__table__.c, CloudService.__table__.c
    return (
        select(engagement.id)
        .where(engagement.contractor_id == contractor_id)
        .union(
            select(cloud_service.id).where(cloud_service.provider_contractor_id == contractor_id)
        )
    )


def _fenced(contractor_id: int) -> Select:
    """Requests the contractor must provide for its own arrangements, with what the pages show."""
    return (
        select(EvidenceRequest)
        .join(EvidenceRequest.evidence_requirement)
        .join(EvidenceRequest.arrangement)
        .join(Arrangement.department)
        .options(
            contains_eager(EvidenceRequest.evidence_requirement),
            contains_eager(EvidenceRequest.arrangement).contains_eager(Arrangement.department),
        )
        .where(*_fence(contractor_id))
    )


def _fence(contractor_id: int) -> tuple[ColumnElement[bool], ...]:
    """Requests the contractor must provide, for its own arrangements only."""
    return (
        EvidenceRequirement.provider == EvidenceProvider.CONTRACTOR,
        EvidenceRequest.arrangement_id.in_(owned_arrangement_ids(contractor_id)),
    )


def _still_active() -> tuple[ColumnElement[bool], ...]:
    """Still to answer (or waiting for the city), of a requirement and arrangement in use."""
    return (
        EvidenceRequest.status.in_(ACTIVE_STATUSES),
        EvidenceRequirement.archived_at.is_(None),
        Arrangement.archived_at.is_(None),
    )


def portal_requests(
    contractor_id: int,
    term: str = "",
    done: bool = False,
    group: str = "",
    today: date | None = None,
) -> Select:
    """The contractor's requests: still to answer (default, optionally one group of them) or
    accepted; closed ones never."""
    return _filtered(_fenced(contractor_id), term, done, group, today)


def portal_list_rows(
    contractor_id: int,
    term: str = "",
    done: bool = False,
    group: str = "",
    today: date | None = None,
) -> Select:
    """``portal_requests`` loading only the columns the portal's list prints (7 of 45: fewer
    values for the ORM to process per row); reading any other raises rather than lazy-loading."""
    return portal_requests(contractor_id, term, done, group, today).options(
        load_only(
            EvidenceRequest.occurrence,
            EvidenceRequest.due_on,
            EvidenceRequest.status,
            raiseload=True,
        ),
        contains_eager(EvidenceRequest.evidence_requirement).load_only(
            EvidenceRequirement.title, raiseload=True
        ),
        contains_eager(EvidenceRequest.arrangement).load_only(Arrangement.title, raiseload=True),
        contains_eager(EvidenceRequest.arrangement)
        .contains_eager(Arrangement.department)
        .load_only(Department.name, raiseload=True),
    )


def portal_request_keys(
    contractor_id: int,
    term: str = "",
    done: bool = False,
    group: str = "",
    today: date | None = None,
) -> Select:
    """The ids of ``portal_requests``, read without the department (shown, never filtered on)."""
    stmt = (
        select(EvidenceRequest.id)
        .join(EvidenceRequest.evidence_requirement)
        .join(EvidenceRequest.arrangement)
        .where(*_fence(contractor_id))
    )
    return _filtered(stmt, term, done, group, today)


def _filtered(stmt: Select, term: str, done: bool, group: str, today: date | None) -> Select:
    """``stmt`` narrowed to the requests a portal list shows (see ``portal_requests``)."""
    if done:
        stmt = stmt.where(EvidenceRequest.status == RequestStatus.ACCEPTED)
    else:
        stmt = stmt.where(*_still_active())
        if group in GROUPS and today is not None:
            stmt = stmt.where(group_condition(group, today))
    if term:
        pattern = like_pattern(term)
        stmt = stmt.where(
            or_(
                EvidenceRequirement.title.ilike(pattern, escape="\\"),
                Arrangement.title.ilike(pattern, escape="\\"),
            )
        )
    return stmt


def portal_request(contractor_id: int, request_id: int) -> Select:
    """One request, only if it belongs to the contractor (otherwise no row: the page is a 404)."""
    return _fenced(contractor_id).where(
        EvidenceRequest.id == request_id, EvidenceRequest.status != RequestStatus.CLOSED
    )


def request_for_link(request_id: int) -> Select:
    """A request with its requirement, arrangement and department, for an upload-link page."""
    return (
        select(EvidenceRequest)
        .join(EvidenceRequest.evidence_requirement)
        .join(EvidenceRequest.arrangement)
        .join(Arrangement.department)
        .options(
            contains_eager(EvidenceRequest.evidence_requirement),
            contains_eager(EvidenceRequest.arrangement).contains_eager(Arrangement.department),
        )
        .where(EvidenceRequest.id == request_id)
    )


def submissions_of(request_id: int) -> Select:
    """Every submission of a request, newest first, with its files."""
    return (
        select(EvidenceSubmission)
        .where(EvidenceSubmission.request_id == request_id)
        .options(selectinload(EvidenceSubmission.files))
        .order_by(EvidenceSubmission.version.desc())
    )


def portal_file(contractor_id: int, request_id: int, file_id: int) -> Select:
    """A file the contractor's company submitted for one of its requests (else no row)."""
    return (
        select(EvidenceFile)
        .join(EvidenceFile.submission)
        .join(EvidenceSubmission.request)
        .join(EvidenceRequest.evidence_requirement)
        .where(
            EvidenceFile.id == file_id,
            EvidenceSubmission.request_id == request_id,
            EvidenceSubmission.submitted_via.in_(CONTRACTOR_CHANNELS),
            EvidenceRequest.status != RequestStatus.CLOSED,
            EvidenceRequirement.provider == EvidenceProvider.CONTRACTOR,
            EvidenceRequest.arrangement_id.in_(owned_arrangement_ids(contractor_id)),
        )
    )


def provider_label(session: Session, arrangement_id: int) -> str:
    """Who answers for an arrangement: the contractor's name, or a cloud provider's free-text name."""
    engagement_name = (
        select(Contractor.name)
        .join(Engagement, Engagement.contractor_id == Contractor.id)
        .where(Engagement.id == arrangement_id)
        .scalar_subquery()
    )
    cloud_name = (
        select(func.coalesce(Contractor.name, CloudService.provider_name))
        .select_from(CloudService)
        .outerjoin(Contractor, Contractor.id == CloudService.provider_contractor_id)
        .where(CloudService.id == arrangement_id)
        .scalar_subquery()
    )
    return session.scalar(select(func.coalesce(engagement_name, cloud_name, ""))) or ""


def contractor_users(contractor_id: int) -> Select:
    """The contractor's portal users with their newest invitation (if any), by name."""
    newest = (
        select(Invitation.user_id, func.max(Invitation.id).label("invitation_id"))
        .group_by(Invitation.user_id)
        .subquery()
    )
    return (
        select(User, Invitation)
        .outerjoin(newest, newest.c.user_id == User.id)
        .outerjoin(Invitation, Invitation.id == newest.c.invitation_id)
        .where(User.role == Role.CONTRACTOR, User.contractor_id == contractor_id)
        .order_by(User.archived_at.is_not(None), User.name_kana, User.name, User.id)
    )


def links_of(request_id: int) -> Select:
    """Upload links made for a request, newest first."""
    return (
        select(UploadLink)
        .where(UploadLink.request_id == request_id)
        .order_by(UploadLink.created_at.desc(), UploadLink.id.desc())
    )


# -- the portal home's groups ----------------------------------------------------------------------


def _month_end(today: date) -> date:
    if today.month == 12:
        return date(today.year, 12, 31)
    return date(today.year, today.month + 1, 1) - timedelta(days=1)


def group_condition(group: str, today: date) -> ColumnElement[bool]:
    """The SQL condition of one group of the portal home (rows of the active statuses)."""
    waiting = EvidenceRequest.status == RequestStatus.OPEN
    month_end = _month_end(today)
    return {
        "rejected": EvidenceRequest.status == RequestStatus.REJECTED,
        "overdue": and_(waiting, EvidenceRequest.due_on < today),
        "this_month": and_(waiting, EvidenceRequest.due_on.between(today, month_end)),
        "later": and_(waiting, EvidenceRequest.due_on > month_end),
        "submitted": EvidenceRequest.status == RequestStatus.SUBMITTED,
    }[group]


def urgency(today: date) -> ColumnElement[int]:
    """Sort key of the groups' order (差戻し first, 確認待ち last)."""
    return case(
        *((group_condition(group, today), rank) for rank, group in enumerate(GROUPS)),
        else_=len(GROUPS),
    )


def group_counts(contractor_id: int, today: date) -> Select:
    """One row: how many of the contractor's active requests fall in each group, and the
    company's name for the page's header (one statement, one round trip)."""
    columns = [
        func.coalesce(func.sum(case((group_condition(group, today), 1), else_=0)), 0).label(group)
        for group in GROUPS
    ]
    company = select(Contractor.name).where(Contractor.id == contractor_id).scalar_subquery()
    return (
        select(*columns, company.label("company"))
        .select_from(EvidenceRequest)
        .join(EvidenceRequest.evidence_requirement)
        .join(EvidenceRequest.arrangement)
        .where(*_fence(contractor_id), *_still_active())
    )
