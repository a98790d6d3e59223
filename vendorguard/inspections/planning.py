"""The annual inspection plan: which engagements are inspected how often, and on which open day.

The PPC Q&A (FACTS §8) expects the city to check work handling personal information or My Number
at least once a year; ``inspections_per_year`` is the one place that says how often, so a tier
(once tiers exist) can raise it without touching the plan. Planning is idempotent: each planned
inspection is keyed by (engagement, fiscal year, sequence), a unique constraint in the database,
so running the plan again — or twice at once — creates nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from vendorguard.arrangements.models import ArrangementState
from vendorguard.catalog import services as catalog_services
from vendorguard.engagements.models import Engagement
from vendorguard.evidence.calendar import is_open_day, next_open_day
from vendorguard.inspections.models import Inspection, InspectionItem, InspectionStatus
from vendorguard.tiers import policy as tier_policy

LIVE = (ArrangementState.ACTIVE, ArrangementState.SUSPENDED)  # a draft is not contracted yet
MAX_PER_YEAR = 12  # a bound on what a tier may ask for: at most monthly


def inspections_per_year(engagement: Engagement) -> int:
    """How many inspections the engagement needs in a fiscal year (0: none required).

    Its risk tier's policy decides (区分A: twice by default), never below the law's floor: once
    a year for work handling personal information or My Number (FACTS §8).
    """
    session = object_session(engagement)
    if engagement.tier is None or session is None:
        return required_per_year(engagement, None)
    return required_per_year(engagement, tier_policy.inspections_per_year(session, engagement.tier))


def required_per_year(engagement: Engagement, tier_count: int | None) -> int:
    """``inspections_per_year`` given what the engagement's tier asks for (None: no tier yet)."""
    floor = 1 if engagement.handles_personal_info or engagement.handles_my_number else 0
    return floor if tier_count is None else max(floor, tier_count)


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """1 April of ``fiscal_year`` to 31 March of the next year."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)


def _previous_open_day(day: date, floor: date) -> date | None:
    for _ in range(40):  # the longest closed run is about nine days
        if day < floor:
            return None
        if is_open_day(day):
            return day
        day -= timedelta(days=1)
    return None


def planned_days(first: date, last: date, count: int) -> list[date]:
    """``count`` open days spread over [first, last]: the middle of each equal part, moved to an
    open day inside the window (the next one, else the previous one, else the middle itself)."""
    span = (last - first).days + 1
    days = []
    for n in range(count):
        middle = first + timedelta(days=(span * (2 * n + 1)) // (2 * count))
        day = next_open_day(middle)
        if day > last:
            day = _previous_open_day(middle, first) or middle
        days.append(day)
    return days


@dataclass
class PlanResult:
    """What one run of the plan did."""

    fiscal_year: int
    created: list[Inspection] = field(default_factory=list)
    existing: int = 0
    engagements: int = 0


def candidates(
    fiscal_year: int, department_ids: set[int] | None = None, engagement_id: int | None = None
):
    """Engagements in force in the fiscal year (contract period overlapping it), not archived."""
    first, last = fiscal_year_bounds(fiscal_year)
    stmt = (
        select(Engagement)
        .where(
            Engagement.archived_at.is_(None),
            Engagement.state.in_(LIVE),
            Engagement.starts_on <= last,
            Engagement.ends_on >= first,
        )
        .order_by(Engagement.id)
    )
    if department_ids is not None:
        stmt = stmt.where(Engagement.department_id.in_(department_ids or {-1}))
    if engagement_id is not None:
        stmt = stmt.where(Engagement.id == engagement_id)
    return stmt


def checklist(session: Session, engagement: Engagement) -> list[InspectionItem]:
    """Checklist items from what the engagement's terms cover (catalog coverage), waived ones left out."""
    rows = catalog_services.coverage(session, engagement).rows
    items = []
    for position, row in enumerate(r for r in rows if r.waiver is None):
        items.append(
            InspectionItem(
                position=position,
                requirement_code=row.requirement.code,
                title=row.requirement.title_ja[:200],
                clause_title=row.clause_version.title[:200] if row.clause_version else "",
            )
        )
    return items


def plan_fiscal_year(
    session: Session,
    fiscal_year: int,
    department_ids: set[int] | None = None,
    engagement_id: int | None = None,
) -> PlanResult:
    """Create every inspection the fiscal year needs that does not exist yet (idempotent).

    ``department_ids``: limit to these departments (None: every department);
    ``engagement_id``: plan only this engagement.
    """
    result = PlanResult(fiscal_year)
    first, last = fiscal_year_bounds(fiscal_year)
    engagements = session.scalars(candidates(fiscal_year, department_ids, engagement_id)).all()
    have = {
        (row.arrangement_id, row.sequence)
        for row in session.execute(
            select(Inspection.arrangement_id, Inspection.sequence).where(
                Inspection.fiscal_year == fiscal_year,
                Inspection.arrangement_id.in_([e.id for e in engagements] or [-1]),
            )
        )
    }
    for engagement in engagements:
        count = min(inspections_per_year(engagement), MAX_PER_YEAR)
        if count <= 0:
            continue
        result.engagements += 1
        window = (max(first, engagement.starts_on), min(last, engagement.ends_on))
        for sequence, day in enumerate(planned_days(*window, count), start=1):
            if (engagement.id, sequence) in have:
                result.existing += 1
                continue
            inspection = _create(session, engagement, fiscal_year, sequence, day)
            if inspection is None:
                result.existing += 1  # another run inserted it a moment ago
            else:
                result.created.append(inspection)
    return result


def _create(
    session: Session, engagement: Engagement, fiscal_year: int, sequence: int, day: date
) -> Inspection | None:
    inspection = Inspection(
        arrangement_id=engagement.id,
        fiscal_year=fiscal_year,
        sequence=sequence,
        planned_on=day,
        status=InspectionStatus.PLANNED,
    )
    try:
        with session.begin_nested():
            session.add(inspection)
            session.flush()
    except IntegrityError:
        return None
    for item in checklist(session, engagement):
        item.inspection_id = inspection.id
        session.add(item)
    session.flush()
    return inspection
