"""Reads of engagements that pages share: the filtered list, one engagement, drop-down choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import BindParameter, Select, and_, exists, or_, select
from sqlalchemy.orm import contains_eager, joinedload, load_only, raiseload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from vendorguard.arrangements.models import Arrangement, ArrangementState
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.contractors.models import Contractor
from vendorguard.core.text import clean, to_katakana
from vendorguard.core.web import contains, contains_any
from vendorguard.engagements.models import (
    Engagement,
    InformationItem,
    NetworkSegment,
    RiskTier,
    Subcontractor,
)
from vendorguard.org.models import Department

ARRANGEMENT_TABLE = Arrangement.__table__
ENGAGEMENT_TABLE = Engagement.__table__
CONTRACTOR_TABLE = Contractor.__table__

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
    return (
        select(Engagement, high_confidentiality().label("high_confidentiality"))
        # Outer (same rows: contractor_id is NOT NULL), so a key subquery may leave it out.
        .outerjoin(Engagement.contractor)
        .options(contains_eager(Engagement.contractor), joinedload(Engagement.department))
        .where(*_conditions(filters, today))
    )


# The columns the list page prints, for its page of rows (an export of the same select reads
# whole rows): description, access notes and the contractor's address stay in the database, and
# reading anything else raises instead of loading it row by row.
LIST_PAGE_COLUMNS = (
    load_only(
        Engagement.title,
        Engagement.state,
        Engagement.archived_at,
        Engagement.contract_number,
        Engagement.starts_on,
        Engagement.ends_on,
        Engagement.handles_personal_info,
        Engagement.handles_my_number,
        Engagement.tier,
        raiseload=True,
    ),
    contains_eager(Engagement.contractor).load_only(Contractor.name, raiseload=True),
    joinedload(Engagement.department).load_only(Department.name, raiseload=True),
)


# Sorts whose columns live outside the engagement table: what the key select must join for them.
_SORT_JOINS = {"title": "arrangement", "contractor": "contractor"}


def engagement_keys(filters: EngagementFilters, today: date, sort_key: str) -> Select:
    """The list's engagement ids under the same filters, for the paginator's count and page keys.

    Read from the engagement table alone unless the sort is on a column of another (the title,
    the contractor's reading): the ORM's select of ``Engagement`` always joins ``arrangement``,
    probed for each of the 5,000 rows a page 200 skips, where this walks one index.
    """
    engagement = ENGAGEMENT_TABLE
    froms = engagement
    joined = _SORT_JOINS.get(sort_key)
    if joined == "arrangement":
        froms = froms.join(ARRANGEMENT_TABLE, ARRANGEMENT_TABLE.c.id == engagement.c.id)
    elif joined == "contractor":
        froms = froms.join(CONTRACTOR_TABLE, CONTRACTOR_TABLE.c.id == engagement.c.contractor_id)
    return select(engagement.c.id).select_from(froms).where(*_conditions(filters, today))


def _arrangements(*criteria: ColumnElement[bool]) -> ColumnElement[bool]:
    """The engagement's base row meets ``criteria`` (a lookup, so no join is needed)."""
    return Engagement.id.in_(select(Arrangement.id).where(*criteria))


def _conditions(filters: EngagementFilters, today: date) -> list[ColumnElement[bool]]:
    """The filters as conditions on the engagement table's columns (and lookups by its id)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.term:
        cleaned = clean(filters.term)
        # Subqueries on one table each, so PostgreSQL can use the trigram indexes; the raw term
        # is searched too only when normalising changed it (each pattern is one more scan).
        titles = {filters.term, cleaned}
        titled = select(Arrangement.id).where(
            contains_any(*((Arrangement.title, t) for t in sorted(titles)))
        )
        named = select(Contractor.id).where(
            contains_any(
                (Contractor.name, cleaned), (Contractor.name_kana, to_katakana(filters.term))
            )
        )
        conditions.append(
            or_(
                Engagement.id.in_(titled),
                contains(Engagement.contract_number, cleaned),
                Engagement.contractor_id.in_(named),
            )
        )
    if filters.department_id is not None:
        conditions.append(_arrangements(Arrangement.department_id == filters.department_id))
    if filters.contractor_id is not None:
        conditions.append(Engagement.contractor_id == filters.contractor_id)
    elif filters.contractor_term:
        named = select(Contractor.id).where(contractor_matches(filters.contractor_term))
        conditions.append(Engagement.contractor_id.in_(named))
    if filters.state is not None:
        conditions.append(_arrangements(Arrangement.state == filters.state))
    if filters.personal:
        conditions.append(Engagement.handles_personal_info.is_(True))
    if filters.my_number:
        conditions.append(Engagement.handles_my_number.is_(True))
    if filters.segment is not None:
        conditions.append(SEGMENT_COLUMNS[filters.segment].is_(True))
    if filters.tier is not None:
        conditions.append(Engagement.tier == filters.tier)
    if filters.ending_within is not None:
        conditions.append(Engagement.ends_on >= today)
        conditions.append(Engagement.ends_on <= today + timedelta(days=filters.ending_within))
    if filters.starting_fy is not None:
        first, last = fiscal_year_range(filters.starting_fy)
        conditions.append(Engagement.starts_on >= first)
        conditions.append(Engagement.starts_on <= last)
    if not filters.include_archived:
        # "Not among the archived" (a few rows, from their partial index) rather than
        # "archived_at IS NULL", which reads every listed engagement's base row. NOT EXISTS, not
        # NOT IN: PostgreSQL estimates NOT IN at half the rows and then sorts all of them.
        archived = ARRANGEMENT_TABLE.alias("archived")
        conditions.append(
            ~exists().where(archived.c.id == Engagement.id, archived.c.archived_at.is_not(None))
        )
    return conditions


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
    return contains_any(
        (Contractor.name, clean(term)),
        (Contractor.name_kana, to_katakana(term)),
        also=[Contractor.corporate_number == clean(term)],
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


def engagement_for_catalog(engagement_id: int | BindParameter[int]) -> Select:
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
            # Facts and placeholders read an item's confidentiality level only: the other two
            # axes (each a join of level and scheme) stay out of the statement.
            joinedload(Engagement.information_items).options(
                raiseload(InformationItem.integrity_level),
                raiseload(InformationItem.availability_level),
            ),
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
