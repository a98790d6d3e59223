"""Reads of engagements that pages share: the filtered list, one engagement, drop-down choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from vendorguard.arrangements.models import Arrangement, ArrangementState
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.contractors.models import Contractor
from vendorguard.core.text import clean, to_katakana
from vendorguard.core.web import contains
from vendorguard.engagements.models import (
    Engagement,
    InformationItem,
    NetworkSegment,
    RiskTier,
    Subcontractor,
)

SEGMENT_COLUMNS = {
    NetworkSegment.MY_NUMBER: Engagement.segment_my_number,
    NetworkSegment.LGWAN: Engagement.segment_lgwan,
    NetworkSegment.INTERNET: Engagement.segment_internet,
}


@dataclass(frozen=True)
class EngagementFilters:
    """What the list is narrowed to; every field maps to one GET argument of the list page."""

    term: str = ""
    department_id: int | None = None
    contractor_id: int | None = None
    contractor_term: str = ""  # typed into the contractor field without choosing (no JavaScript)
    state: ArrangementState | None = None
    personal: bool = False
    my_number: bool = False
    segment: NetworkSegment | None = None
    tier: RiskTier | None = None
    ending_within: int | None = None  # days from ``today``
    starting_fy: int | None = None  # fiscal year, 1 April – 31 March
    include_archived: bool = False

    @property
    def active(self) -> bool:
        """Whether anything besides the default view is asked for."""
        return self != EngagementFilters(include_archived=self.include_archived)


def fiscal_year_range(year: int) -> tuple[date, date]:
    """First and last day of a municipal fiscal year (2027 → 2027-04-01 … 2028-03-31)."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def high_confidentiality() -> ColumnElement[bool]:
    """True where an engagement has an information item of 機密性2以上 (judged by the level's scheme)."""
    return exists().where(
        InformationItem.engagement_id == Engagement.id,
        ClassificationLevel.id == InformationItem.confidentiality_level_id,
        ClassificationLevel.axis == Axis.CONFIDENTIALITY,
        ClassificationScheme.id == ClassificationLevel.scheme_id,
        ClassificationLevel.rank >= ClassificationScheme.high_confidentiality_rank,
    )


def unapproved_subcontractors(engagement_id: int) -> Select:
    """Ids of an engagement's subcontractors in use that lack the city's permission."""
    approved = and_(
        Subcontractor.approved_on.is_not(None),
        Subcontractor.approved_by.is_not(None),
        Subcontractor.approved_by != "",
    )
    return select(Subcontractor.id).where(
        Subcontractor.engagement_id == engagement_id, Subcontractor.archived_at.is_(None), ~approved
    )


def active_subcontractors(engagement_id: int) -> Select:
    """Ids of an engagement's subcontractors that are not archived."""
    return select(Subcontractor.id).where(
        Subcontractor.engagement_id == engagement_id, Subcontractor.archived_at.is_(None)
    )


def engagement_list(filters: EngagementFilters, today: date) -> Select:
    """Engagements with department and contractor loaded, plus a 機密性2以上 column, filtered."""
    stmt = (
        select(Engagement, high_confidentiality().label("high_confidentiality"))
        # Outer (same rows: contractor_id is NOT NULL), so the page's key subquery leaves it out.
        .outerjoin(Engagement.contractor)
        .options(contains_eager(Engagement.contractor), joinedload(Engagement.department))
    )
    if filters.term:
        cleaned = clean(filters.term)
        # Subqueries on one table each, so PostgreSQL can use the trigram indexes; the raw term
        # is searched too only when normalising changed it (each pattern is one more scan).
        titles = {filters.term, cleaned}
        titled = select(Arrangement.id).where(
            or_(*(contains(Arrangement.title, t) for t in sorted(titles)))
        )
        named = select(Contractor.id).where(
            or_(
                contains(Contractor.name, cleaned),
                contains(Contractor.name_kana, to_katakana(filters.term)),
            )
        )
        stmt = stmt.where(
            or_(
                Engagement.id.in_(titled),
                contains(Engagement.contract_number, cleaned),
                Engagement.contractor_id.in_(named),
            )
        )
    if filters.department_id is not None:
        stmt = stmt.where(Engagement.department_id == filters.department_id)
    if filters.contractor_id is not None:
        stmt = stmt.where(Engagement.contractor_id == filters.contractor_id)
    elif filters.contractor_term:
        stmt = stmt.where(contractor_matches(filters.contractor_term))
    if filters.state is not None:
        stmt = stmt.where(Engagement.state == filters.state)
    if filters.personal:
        stmt = stmt.where(Engagement.handles_personal_info.is_(True))
    if filters.my_number:
        stmt = stmt.where(Engagement.handles_my_number.is_(True))
    if filters.segment is not None:
        stmt = stmt.where(SEGMENT_COLUMNS[filters.segment].is_(True))
    if filters.tier is not None:
        stmt = stmt.where(Engagement.tier == filters.tier)
    if filters.ending_within is not None:
        stmt = stmt.where(
            Engagement.ends_on >= today,
            Engagement.ends_on <= today + timedelta(days=filters.ending_within),
        )
    if filters.starting_fy is not None:
        first, last = fiscal_year_range(filters.starting_fy)
        stmt = stmt.where(Engagement.starts_on >= first, Engagement.starts_on <= last)
    if not filters.include_archived:
        stmt = stmt.where(Engagement.archived_at.is_(None))
    return stmt


def engagement_detail(engagement_id: int) -> Select:
    """One engagement with everything its page shows, in a fixed number of queries."""
    return (
        select(Engagement)
        .where(Engagement.id == engagement_id)
        .options(
            joinedload(Engagement.department),
            joinedload(Engagement.contractor),
            joinedload(Engagement.responsible_officer),
            # Few items per engagement: joined into the engagement's own statement; the
            # subcontractors get their own (joining both would multiply their rows).
            joinedload(Engagement.information_items),
            selectinload(Engagement.subcontractors).joinedload(Subcontractor.contractor),
        )
    )


def active_contractors(keep_id: int | None = None) -> Select:
    """Contractors offered in drop-downs, by reading; ``keep_id`` stays even if archived."""
    stmt = select(Contractor).order_by(Contractor.name_kana, Contractor.id)
    condition: ColumnElement[bool] = Contractor.archived_at.is_(None)
    if keep_id is not None:
        condition = or_(condition, Contractor.id == keep_id)
    return stmt.where(condition)


def contractor_matches(term: str) -> ColumnElement[bool]:
    """Contractors whose name, reading or 法人番号 contains ``term`` (trigram indexes on PostgreSQL)."""
    return or_(
        contains(Contractor.name, clean(term)),
        contains(Contractor.name_kana, to_katakana(term)),
        Contractor.corporate_number == clean(term),
    )


def contractor_options(term: str, limit: int = 20) -> Select:
    """At most ``limit`` active contractors matching ``term``, by reading (the type-ahead)."""
    return (
        select(Contractor.id, Contractor.name)
        .where(Contractor.archived_at.is_(None), contractor_matches(term))
        .order_by(Contractor.name_kana, Contractor.id)
        .limit(limit)
    )


def responsible_officers(keep_id: int | None = None) -> Select:
    """Active internal users who can answer for an engagement, by reading."""
    usable = and_(User.archived_at.is_(None), User.active.is_(True), User.role != Role.CONTRACTOR)
    if keep_id is not None:
        usable = or_(usable, User.id == keep_id)
    return select(User).where(usable).order_by(User.name_kana, User.name, User.id)


def scheme_levels(scheme_id: int | None, keep_ids: tuple[int | None, ...] = ()) -> Select:
    """Levels of the active scheme (plus levels an item already has), highest rank first per axis."""
    wanted = [level_id for level_id in keep_ids if level_id is not None]
    condition = ClassificationLevel.scheme_id == scheme_id if scheme_id is not None else None
    if wanted:
        condition = (
            ClassificationLevel.id.in_(wanted)
            if condition is None
            else or_(condition, ClassificationLevel.id.in_(wanted))
        )
    if condition is None:
        condition = ClassificationLevel.id.is_(None)  # nothing to offer
    return (
        select(ClassificationLevel)
        .where(condition)
        .order_by(ClassificationLevel.axis, ClassificationLevel.rank.desc(), ClassificationLevel.id)
    )


def engagements_of_contractor(contractor_id: int) -> Select:
    """Engagements in which the contractor is the main contractor, with their departments."""
    return (
        select(Engagement)
        .options(joinedload(Engagement.department))
        .where(Engagement.contractor_id == contractor_id)
        .order_by(Engagement.starts_on.desc(), Engagement.id.desc())
    )


def subcontracted_engagements_of_contractor(contractor_id: int) -> Select:
    """Engagements in which the contractor works as a subcontractor (any tier)."""
    linked = select(Subcontractor.engagement_id).where(Subcontractor.contractor_id == contractor_id)
    return (
        select(Engagement)
        .options(joinedload(Engagement.department), joinedload(Engagement.contractor))
        .where(Engagement.id.in_(linked))
        .order_by(Engagement.starts_on.desc(), Engagement.id.desc())
    )


def engagement_for_catalog(engagement_id: int) -> Select:
    """An engagement with what its catalog facts and clause placeholders read."""
    return (
        select(Engagement)
        .where(Engagement.id == engagement_id)
        .options(
            joinedload(Engagement.department),
            joinedload(Engagement.responsible_officer),
            joinedload(Engagement.contractor),
            # One statement (a document generation pays each round trip): the rows are items ×
            # subcontractors, a few dozen for a real engagement.
            joinedload(Engagement.information_items),
            joinedload(Engagement.subcontractors),
        )
    )


def chain(engagement_id: int) -> Select:
    """Every stage of an engagement's subcontracting chain (archived ones too), tier by tier."""
    return (
        select(Subcontractor)
        .where(Subcontractor.engagement_id == engagement_id)
        .order_by(Subcontractor.tier, Subcontractor.id)
    )
