"""Reads of inspections that pages, the engagement panel and the home page share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from vendorguard.arrangements.access import can_manage, managed_by, visible_to
from vendorguard.assessments.models import Action, ActionStatus
from vendorguard.core.timeutil import fiscal_year
from vendorguard.engagements.models import Engagement, RiskTier
from vendorguard.inspections.models import Inspection, InspectionStatus
from vendorguard.inspections.planning import required_per_year
from vendorguard.org.models import Department
from vendorguard.tiers.factors import DEFAULT_POLICIES
from vendorguard.tiers.models import TierPolicy

STATES = ("planned", "overdue", "done")
DUE_WITHIN_DAYS = 30
BLOCK_ROWS = 10


def state_condition(state: str, today: date) -> ColumnElement[bool]:
    """The list filter: planned (not yet due), overdue (planned day passed), done."""
    if state == "done":
        return Inspection.status == InspectionStatus.DONE
    planned = Inspection.status == InspectionStatus.PLANNED
    if state == "overdue":
        return and_(planned, Inspection.planned_on < today)
    return and_(planned, Inspection.planned_on >= today)


def _with_engagement() -> Select:
    """Inspections with their engagement, its department and contractor, in one query."""
    via = Inspection.arrangement.of_type(Engagement)
    return (
        select(Inspection)
        .join(Engagement, Engagement.id == Inspection.arrangement_id)
        .join(Department, Department.id == Engagement.department_id)
        .options(
            contains_eager(via).contains_eager(Engagement.department),
            contains_eager(via).joinedload(Engagement.contractor),
        )
    )


@dataclass(frozen=True)
class InspectionFilters:
    """What a person can narrow the inspection list by (all optional)."""

    fiscal_year: int | None = None
    department_id: int | None = None
    state: str | None = None  # one of STATES


def inspection_list(user, filters: InspectionFilters, today: date) -> Select:
    """Inspections of engagements ``user`` may read, narrowed by ``filters``, by planned day."""
    stmt = _with_engagement().where(visible_to(user), Engagement.archived_at.is_(None))
    if filters.fiscal_year is not None:
        stmt = stmt.where(Inspection.fiscal_year == filters.fiscal_year)
    if filters.department_id is not None:
        stmt = stmt.where(Engagement.department_id == filters.department_id)
    if filters.state in STATES:
        stmt = stmt.where(state_condition(filters.state, today))
    return stmt.order_by(Inspection.planned_on, Inspection.id)


def inspection_detail(inspection_id: int) -> Select:
    """One inspection with everything its page and its report show."""
    via = Inspection.arrangement.of_type(Engagement)
    return (
        select(Inspection)
        .where(Inspection.id == inspection_id)
        .options(
            joinedload(via).joinedload(Engagement.department),
            joinedload(via).joinedload(Engagement.contractor),
            selectinload(Inspection.items),
            selectinload(Inspection.photos),
            selectinload(Inspection.inspectors),
            joinedload(Inspection.assessment),
            joinedload(Inspection.completed_by),
        )
    )


def actions_of(assessment_id: int) -> Select:
    """The actions (措置) a completed inspection's findings became, with their owners."""
    return (
        select(Action)
        .where(Action.assessment_id == assessment_id)
        .options(joinedload(Action.owner), joinedload(Action.closed_by))
        .order_by(Action.id)
    )


def of_engagement(engagement_id: int, year: int) -> Select:
    """An engagement's inspections in one fiscal year."""
    return (
        select(Inspection)
        .where(Inspection.arrangement_id == engagement_id, Inspection.fiscal_year == year)
        .order_by(Inspection.sequence)
    )


def due_for(user, today: date, within_days: int = DUE_WITHIN_DAYS) -> Select:
    """Planned inspections of engagements ``user`` may change, due within ``within_days`` or overdue
    (the home page's block; the first rows and the total in one query)."""
    return (
        _with_engagement()
        .add_columns(func.count().over().label("total"))
        .where(
            managed_by(user),
            Engagement.archived_at.is_(None),
            Inspection.status == InspectionStatus.PLANNED,
            Inspection.planned_on <= today + timedelta(days=within_days),
        )
        .order_by(Inspection.planned_on, Inspection.id)
        .limit(BLOCK_ROWS)
    )


@dataclass
class FiscalState:
    """This fiscal year's inspection state of one engagement (the detail panel)."""

    engagement: Any
    fiscal_year: int
    required: int
    inspections: list[Inspection]
    open_actions: int
    today: date
    may_plan: bool

    @property
    def done(self) -> int:
        return sum(1 for i in self.inspections if i.is_done)

    @property
    def overdue(self) -> list[Inspection]:
        return [i for i in self.inspections if i.is_overdue(self.today)]

    @property
    def state(self) -> str:
        """``not_required``, ``unplanned``, ``overdue``, ``findings_open``, ``done`` or ``due``."""
        if not self.inspections:
            return "not_required" if self.required == 0 else "unplanned"
        if self.overdue:
            return "overdue"
        if self.open_actions:
            return "findings_open"
        if self.done >= max(self.required, 1) and self.done == len(self.inspections):
            return "done"
        return "due"


def fiscal_state(session: Session, engagement, user, today: date) -> FiscalState:
    """This fiscal year's inspections of an engagement, the open actions they left and what its
    tier asks for, in one statement (one row per inspection; one row of None without any)."""
    year = fiscal_year(today)
    this_year = and_(Inspection.arrangement_id == engagement.id, Inspection.fiscal_year == year)
    open_actions = (
        select(func.count(Action.id))
        .where(
            Action.assessment_id.in_(select(Inspection.assessment_id).where(this_year)),
            Action.status == ActionStatus.OPEN,
        )
        .scalar_subquery()
    )
    saved = (
        select(TierPolicy.inspections_per_year)
        .where(TierPolicy.tier == engagement.tier)
        .scalar_subquery()
    )
    base = Engagement.__table__
    rows = session.execute(
        select(Inspection, open_actions, saved)
        .select_from(base)
        .outerjoin(Inspection, this_year)
        .where(base.c.id == engagement.id)
        .order_by(Inspection.sequence)
    ).all()
    tier_count = None
    if engagement.tier is not None:
        saved_count = rows[0][2] if rows else None
        tier_count = (
            saved_count
            if saved_count is not None
            else DEFAULT_POLICIES[RiskTier(engagement.tier)].inspections_per_year
        )
    return FiscalState(
        engagement,
        year,
        required_per_year(engagement, tier_count),
        [row[0] for row in rows if row[0] is not None],
        rows[0][1] if rows else 0,
        today,
        can_manage(user, engagement) and not engagement.is_archived,
    )
