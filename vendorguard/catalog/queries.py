"""Reads of the catalog that pages and services share."""

from __future__ import annotations

from sqlalchemy import BindParameter, Exists, Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from vendorguard.arrangements.kinds import kind_of
from vendorguard.arrangements.models import Arrangement, ArrangementKind
from vendorguard.catalog.models import (
    Clause,
    ClauseStatus,
    ClauseVersion,
    Requirement,
    RequirementKind,
    Waiver,
    clause_version_requirement,
)
from vendorguard.core.web import like_pattern


def requirement_list(
    term: str = "",
    kind: RequirementKind | None = None,
    applies_to: ArrangementKind | None = None,
    include_inactive: bool = False,
) -> Select:
    """Requirements with the number of approved clauses covering each, filtered."""
    covering = (
        select(func.count(ClauseVersion.id))
        .select_from(clause_version_requirement)
        .join(ClauseVersion, ClauseVersion.id == clause_version_requirement.c.clause_version_id)
        .join(Clause, Clause.id == ClauseVersion.clause_id)
        .where(
            clause_version_requirement.c.requirement_id == Requirement.id,
            ClauseVersion.status == ClauseStatus.APPROVED,
            Clause.archived_at.is_(None),
        )
        .correlate(Requirement)
        .scalar_subquery()
    )
    stmt = select(Requirement, covering.label("clause_count"))
    if term:
        pattern = like_pattern(term)
        stmt = stmt.where(
            or_(
                Requirement.code.ilike(pattern, escape="\\"),
                Requirement.title_ja.ilike(pattern, escape="\\"),
                Requirement.title_en.ilike(pattern, escape="\\"),
                Requirement.source.ilike(pattern, escape="\\"),
            )
        )
    if kind is not None:
        stmt = stmt.where(Requirement.kind == kind)
    if applies_to is not None:
        stmt = stmt.where(Requirement.applies_to == applies_to)
    if not include_inactive:
        stmt = stmt.where(Requirement.active.is_(True))
    return stmt


def requirement_clause_versions(requirement_id: int) -> Select:
    """Approved and draft clause versions that cover a requirement, with their clause."""
    return (
        select(ClauseVersion)
        .join(
            clause_version_requirement,
            clause_version_requirement.c.clause_version_id == ClauseVersion.id,
        )
        .join(ClauseVersion.clause)
        .where(
            clause_version_requirement.c.requirement_id == requirement_id,
            ClauseVersion.status.in_((ClauseStatus.APPROVED, ClauseStatus.DRAFT)),
        )
        .options(contains_eager(ClauseVersion.clause))
        .order_by(Clause.sort_order, Clause.code, ClauseVersion.number.desc())
    )


def active_requirements(applies_to: ArrangementKind | str | None = None) -> Select:
    """Active requirements in catalog order, optionally of one arrangement kind."""
    stmt = select(Requirement).where(Requirement.active.is_(True))
    if applies_to is not None:
        stmt = stmt.where(Requirement.applies_to == applies_to)
    return stmt.order_by(Requirement.applies_to, Requirement.sort_order, Requirement.code)


def clause_list(
    term: str = "", applies_to: ArrangementKind | None = None, include_archived: bool = False
) -> Select:
    """Clauses with the approved version number, the latest version number and the open drafts."""
    approved = (
        select(ClauseVersion.number)
        .where(ClauseVersion.clause_id == Clause.id, ClauseVersion.status == ClauseStatus.APPROVED)
        .correlate(Clause)
        .limit(1)
        .scalar_subquery()
    )
    latest = (
        select(func.max(ClauseVersion.number))
        .where(ClauseVersion.clause_id == Clause.id)
        .correlate(Clause)
        .scalar_subquery()
    )
    drafts = (
        select(func.count(ClauseVersion.id))
        .where(ClauseVersion.clause_id == Clause.id, ClauseVersion.status == ClauseStatus.DRAFT)
        .correlate(Clause)
        .scalar_subquery()
    )
    stmt = select(
        Clause,
        approved.label("approved_number"),
        latest.label("latest_number"),
        drafts.label("draft_count"),
    )
    if term:
        pattern = like_pattern(term)
        stmt = stmt.where(
            or_(Clause.code.ilike(pattern, escape="\\"), Clause.title.ilike(pattern, escape="\\"))
        )
    if applies_to is not None:
        stmt = stmt.where(Clause.applies_to == applies_to)
    if not include_archived:
        stmt = stmt.where(Clause.archived_at.is_(None))
    return stmt


def clause_detail(clause_id: int) -> Select:
    """One clause with every version, who wrote and approved it, and what it covers."""
    return (
        select(Clause)
        .where(Clause.id == clause_id)
        .options(
            selectinload(Clause.versions).options(
                selectinload(ClauseVersion.requirements),
                joinedload(ClauseVersion.created_by),
                joinedload(ClauseVersion.approved_by),
            )
        )
    )


def clause_version(version_id: int) -> Select:
    """One version with its clause and requirements."""
    return (
        select(ClauseVersion)
        .where(ClauseVersion.id == version_id)
        .options(joinedload(ClauseVersion.clause), selectinload(ClauseVersion.requirements))
    )


def approved_versions(applies_to: ArrangementKind | str) -> Select:
    """The approved version of every clause in use for a kind, in article order, with requirements."""
    return (
        select(ClauseVersion)
        .join(ClauseVersion.clause)
        .where(
            ClauseVersion.status == ClauseStatus.APPROVED,
            Clause.archived_at.is_(None),
            Clause.applies_to == str(applies_to),
        )
        .options(contains_eager(ClauseVersion.clause), selectinload(ClauseVersion.requirements))
        .order_by(Clause.sort_order, Clause.code)
    )


def requirements_with_cover(applies_to: ArrangementKind | str, arrangement_id: int) -> Select:
    """Active requirements of a kind in catalog order, each with whether an approved clause
    version of that kind covers it and whether this arrangement has a waiver in force for it
    (one statement: what a page needs to count the coverage gaps)."""
    covered = (
        select(clause_version_requirement.c.requirement_id)
        .join(ClauseVersion, ClauseVersion.id == clause_version_requirement.c.clause_version_id)
        .join(Clause, Clause.id == ClauseVersion.clause_id)
        .where(
            clause_version_requirement.c.requirement_id == Requirement.id,
            ClauseVersion.status == ClauseStatus.APPROVED,
            Clause.archived_at.is_(None),
            Clause.applies_to == str(applies_to),
        )
        .correlate(Requirement)
        .exists()
    )
    waived = (
        select(Waiver.id)
        .where(
            Waiver.requirement_id == Requirement.id,
            Waiver.arrangement_id == arrangement_id,
            Waiver.archived_at.is_(None),
        )
        .correlate(Requirement)
        .exists()
    )
    return (
        select(Requirement, covered.label("covered"), waived.label("waived"))
        .where(Requirement.active.is_(True), Requirement.applies_to == str(applies_to))
        .order_by(Requirement.sort_order, Requirement.code)
    )


def active_waivers(arrangement_id: int) -> Select:
    """Waivers in force for an arrangement, with who recorded them."""
    return (
        select(Waiver)
        .where(Waiver.arrangement_id == arrangement_id, Waiver.archived_at.is_(None))
        .options(joinedload(Waiver.created_by), joinedload(Waiver.requirement))
    )


def waiver_in_force(arrangement_id: int | BindParameter[int]) -> Exists:
    """Whether an arrangement has a waiver in force, as a column to add to a statement sent
    anyway (the generator then skips reading waivers for the many arrangements without one)."""
    return (
        select(Waiver.id)
        .where(Waiver.arrangement_id == arrangement_id, Waiver.archived_at.is_(None))
        .exists()
    )


def waiver_history(arrangement_id: int) -> Select:
    """Withdrawn waivers of an arrangement, newest first."""
    return (
        select(Waiver)
        .where(Waiver.arrangement_id == arrangement_id, Waiver.archived_at.is_not(None))
        .options(joinedload(Waiver.created_by), joinedload(Waiver.requirement))
        .order_by(Waiver.archived_at.desc())
    )


def arrangement_for_catalog(
    kind: ArrangementKind | str, arrangement_id: int | BindParameter[int]
) -> Select:
    """An arrangement with everything its facts and placeholders read, in a fixed number of queries.

    The kind's registration says how (``catalog_query``); without one, the arrangement and its
    department and responsible officer."""
    own = kind_of(kind).catalog_query
    if own is not None:
        return own(arrangement_id)
    return (
        select(Arrangement)
        .where(Arrangement.id == arrangement_id)
        .options(joinedload(Arrangement.department), joinedload(Arrangement.responsible_officer))
    )


def arrangement_kind(arrangement_id: int) -> Select:
    """The kind of an arrangement, to choose how to load it."""
    return select(Arrangement.kind).where(Arrangement.id == arrangement_id)


def preview_choices(applies_to: ArrangementKind | str, limit: int = 200) -> Select:
    """Recent arrangements of a kind to preview a clause against (id, title)."""
    return (
        select(Arrangement.id, Arrangement.title)
        .where(
            Arrangement.kind == ArrangementKind(applies_to).value, Arrangement.archived_at.is_(None)
        )
        .order_by(Arrangement.id.desc())
        .limit(limit)
    )
