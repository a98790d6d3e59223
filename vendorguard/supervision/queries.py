"""Reads of the roster and the exit checklist, each loading what its page shows in fixed queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from vendorguard.engagements.models import Engagement, Subcontractor
from vendorguard.supervision.models import ExitChecklist, ExitItem, StaffMember


def roster(engagement_id: int, stage_ids: list[int] | None = None, own: bool = True) -> Select:
    """The engagement's staff with stage and training, the contractor's own staff first.

    ``stage_ids``/``own`` narrow it to what one portal user keeps (None: everyone)."""
    stmt = (
        select(StaffMember)
        .where(StaffMember.engagement_id == engagement_id)
        .options(joinedload(StaffMember.subcontractor), selectinload(StaffMember.trainings))
        .order_by(
            StaffMember.subcontractor_id.is_not(None),
            StaffMember.subcontractor_id,
            StaffMember.starts_on,
            StaffMember.id,
        )
    )
    if stage_ids is not None:
        allowed = StaffMember.subcontractor_id.in_(stage_ids or [-1])
        stmt = stmt.where(or_(allowed, StaffMember.subcontractor_id.is_(None)) if own else allowed)
    return stmt


def panel_summary(engagement_id: int, today: date) -> Select:
    """One row for an engagement page's panel: staff, staff past their end date still holding
    access, and the exit checklist's id and closing time (None, None without one)."""
    staff = (
        select(
            func.count(StaffMember.id).label("staff"),
            func.count(StaffMember.id)
            .filter(StaffMember.ends_on < today, StaffMember.access_revoked_on.is_(None))
            .label("flagged"),
        )
        .where(StaffMember.engagement_id == engagement_id)
        .subquery()
    )
    return (
        select(staff.c.staff, staff.c.flagged, ExitChecklist.id, ExitChecklist.closed_at)
        .select_from(staff)
        .outerjoin(ExitChecklist, ExitChecklist.engagement_id == engagement_id)
    )


def still_holding_access(today: date) -> Select:
    """Everyone, city-wide, whose end date has passed while no access removal is recorded."""
    return (
        select(StaffMember)
        .where(StaffMember.ends_on < today, StaffMember.access_revoked_on.is_(None))
        .join(Engagement, Engagement.id == StaffMember.engagement_id)
        .options(joinedload(StaffMember.subcontractor))
        .add_columns(Engagement.title, Engagement.department_id)
        .order_by(StaffMember.ends_on, StaffMember.id)
    )


def portal_engagements(contractor_id: int) -> Select:
    """Engagements a company takes part in: as the contractor, or as a permitted stage in use."""
    as_stage = exists().where(
        Subcontractor.engagement_id == Engagement.id,
        Subcontractor.contractor_id == contractor_id,
        Subcontractor.archived_at.is_(None),
        Subcontractor.approved_on.is_not(None),
    )
    return (
        select(Engagement)
        .where(
            Engagement.archived_at.is_(None),
            or_(Engagement.contractor_id == contractor_id, and_(as_stage)),
        )
        .options(joinedload(Engagement.contractor))
        .order_by(Engagement.ends_on.desc(), Engagement.id)
    )


def checklist(engagement_id: int) -> Select:
    """The engagement's exit checklist with its items, their stage and evidence request."""
    return (
        select(ExitChecklist)
        .where(ExitChecklist.engagement_id == engagement_id)
        .options(
            selectinload(ExitChecklist.items).options(
                joinedload(ExitItem.subcontractor), joinedload(ExitItem.evidence_request)
            )
        )
    )
