"""Reads of evidence that pages share: the cross-arrangement request list, one arrangement's
requirements and requests, one request (the home page's reads: ``evidence.home_queries``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, exists, literal_column, or_, select, union
from sqlalchemy.orm import contains_eager, defaultload, joinedload, load_only, selectinload
from sqlalchemy.sql.elements import True_

from vendorguard.arrangements.access import readable_kinds, visible_to
from vendorguard.arrangements.kinds import registered_kinds
from vendorguard.arrangements.models import Arrangement
from vendorguard.core.web import TRIGRAM, contains
from vendorguard.evidence.models import (
    AWAITING_PROVIDER,
    UNSETTLED,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    EvidenceSubmission,
    RequestStatus,
)
from vendorguard.org.models import Department

ACTIVE, ALL = "active", "all"  # the status filter's two groups besides single statuses


# -- who sees what --------------------------------------------------------------------------------


def _listed_requests() -> Select:
    """Requests with arrangement and department joined, requirement loaded: the list's base.

    The paginator picks a page's keys with this select's FROM and WHERE: only the arrangement
    (visibility, archived) must be joined there. The department is an outer join (same rows:
    NOT NULL key) PostgreSQL leaves out unless sorted by; the requirement is joined only when the
    25 rows are loaded. (A removed outer join on ``evidence_requirement_id`` would still make
    PostgreSQL 15 read each skipped request's row for that key.)
    """
    return (
        select(EvidenceRequest)
        .join(Arrangement, Arrangement.id == EvidenceRequest.arrangement_id)
        .outerjoin(Department, Department.id == Arrangement.department_id)
        .options(
            joinedload(EvidenceRequest.evidence_requirement),
            contains_eager(EvidenceRequest.arrangement).contains_eager(Arrangement.department),
        )
    )


# -- the request list -----------------------------------------------------------------------------

# The columns the list page prints, for its page of rows (an export of the same select reads
# whole rows): notes, periods and requirement descriptions stay in the database, and reading
# anything else raises instead of loading it row by row.
LIST_PAGE_COLUMNS = (
    load_only(
        EvidenceRequest.arrangement_id,
        EvidenceRequest.occurrence,
        EvidenceRequest.scheduled_due_on,
        EvidenceRequest.due_on,
        EvidenceRequest.status,
        raiseload=True,
    ),
    joinedload(EvidenceRequest.evidence_requirement).load_only(
        EvidenceRequirement.title, EvidenceRequirement.provider, raiseload=True
    ),
    contains_eager(EvidenceRequest.arrangement).load_only(
        Arrangement.kind, Arrangement.title, Arrangement.archived_at, raiseload=True
    ),
    defaultload(EvidenceRequest.arrangement)
    .contains_eager(Arrangement.department)
    .load_only(Department.name, raiseload=True),
)


@dataclass(frozen=True)
class RequestFilters:
    """What the cross-arrangement list can be narrowed by (all optional)."""

    term: str = ""
    status: str = ACTIVE  # active (not settled) | all | a RequestStatus value
    overdue: bool = False
    within_days: int | None = None  # due from today to today + N days
    department_id: int | None = None
    provider: EvidenceProvider | None = None
    kind: str | None = None  # a registered kind's value
    include_archived: bool = False


def request_list(user, filters: RequestFilters, today: date) -> Select:
    """Requests of every arrangement ``user`` may read, filtered."""
    stmt = _listed_requests().where(visible_to(user), *_request_conditions(filters, today))
    if filters.department_id is not None:
        stmt = stmt.where(Arrangement.department_id == filters.department_id)
    if filters.kind is not None:
        stmt = stmt.where(Arrangement.kind == filters.kind)
    if not filters.include_archived:
        stmt = stmt.where(Arrangement.archived_at.is_(None))
    return stmt


# Sorts on a column of the request itself: its keys can be chosen without the arrangement.
_OWN_SORTS = frozenset({"due", "status"})


def request_keys(user, filters: RequestFilters, today: date, sort_key: str) -> Select | None:
    """The list's request ids from the request table alone, when nothing asks for the arrangement.

    That is when ``user`` reads every arrangement (each kind, no visibility rule), the list is
    not narrowed by department or kind nor sorted by an arrangement's column: then only the
    archived arrangements are left out, by key. Otherwise None (the paginator's key subquery
    joins the arrangement, probed for every request a late page skips).
    """
    if (
        sort_key not in _OWN_SORTS
        or filters.department_id is not None
        or filters.kind is not None
        or not _reads_every_arrangement(user)
    ):
        return None
    stmt = select(EvidenceRequest.id).where(*_request_conditions(filters, today))
    if not filters.include_archived:
        archived = select(Arrangement.id).where(
            Arrangement.id == EvidenceRequest.arrangement_id, Arrangement.archived_at.is_not(None)
        )
        stmt = stmt.where(~exists(archived))
    return stmt


def department_request_keys(
    user, filters: RequestFilters, today: date, sort_key: str
) -> Select | None:
    """The ids of one department's page of requests, picked by the request's copy of the
    department (``evidence.request_department``), when the list is narrowed to a department,
    to unsettled requests and sorted by due date; else None.

    Its unsettled requests are then read from their own index in due order, 25 of them for the
    first page, where the arrangement's department alone walked the city's unsettled requests by
    due date (about 1,000 for 25 rows at city scale). The list's count does not use it: the
    copy's index offers PostgreSQL the same walk for up to 1,001 rows, each probing its
    arrangement, where counting the department's arrangements' requests is cheaper (2.0 against
    0.6 ms).
    """
    unsettled = filters.status == ACTIVE or filters.status in {s.value for s in UNSETTLED}
    if filters.department_id is None or sort_key != "due" or not unsettled:
        return None  # (the copy's index holds the unsettled requests only)
    # The department by the copy alone: with the arrangement's as well, PostgreSQL takes the two
    # equal conditions for independent ones, expects 96 of the department's 3,800 unsettled
    # requests, and sorts them all instead of reading the first 25 in order (2.2 ms, not 0.3).
    # Who may read what is still the arrangement's rule (``visible_to``).
    anywhere = replace(filters, department_id=None)
    return (
        request_list(user, anywhere, today)
        .with_only_columns(EvidenceRequest.id, maintain_column_froms=True)
        .where(EvidenceRequest.department_id == filters.department_id)
    )


def _reads_every_arrangement(user) -> bool:
    """Whether ``visible_to(user)`` admits every arrangement: each registered kind, unrestricted."""
    kinds = readable_kinds(user)
    if len(kinds) != len(registered_kinds()):
        return False
    for spec in kinds:
        shown = spec.visibility(user) if spec.visibility is not None else None
        if shown is not None and not isinstance(shown, True_):
            return False
    return True


def _status_in(statuses: frozenset[RequestStatus] | set[RequestStatus]) -> ColumnElement[bool]:
    """``status IN (...)`` with the statuses written into the SQL, not sent as parameters.

    psycopg prepares a statement at its fifth run and PostgreSQL may then plan it once for any
    parameters: with the statuses as parameters that generic plan cannot use the partial indexes
    on unsettled requests (their predicate names the statuses), and an officer's bounded count
    read every request of the department's arrangements instead (3 ms instead of 1 ms, chosen
    at the sixth run). Written in, they are part of the statement as the index's predicate is.
    """
    # Written in when the statement is compiled (and so cached with it): a literal_execute
    # parameter would be rendered into the text again at every execution.
    # The values are the enum's own lower-case names, nothing to quote.
    values = sorted(status.value for status in statuses)  # a set's order varies by process
    return EvidenceRequest.status.in_([literal_column(f"'{value}'") for value in values])


def _request_conditions(filters: RequestFilters, today: date) -> list[ColumnElement[bool]]:
    """The filters on the request's own columns (and lookups by its keys)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.status == ACTIVE:
        conditions.append(_status_in(UNSETTLED))
    elif filters.status != ALL:
        conditions.append(_status_in({RequestStatus(filters.status)}))
    if filters.overdue:
        conditions.append(_status_in(AWAITING_PROVIDER))
        conditions.append(EvidenceRequest.due_on < today)
    if filters.within_days is not None:
        conditions.append(EvidenceRequest.due_on >= today)
        conditions.append(EvidenceRequest.due_on <= today + timedelta(days=filters.within_days))
    if filters.provider is not None:
        by_provider = select(EvidenceRequirement.id).where(
            EvidenceRequirement.provider == filters.provider
        )
        conditions.append(EvidenceRequest.evidence_requirement_id.in_(by_provider))
    if filters.term:
        by_arrangement = select(Arrangement.id).where(contains(Arrangement.title, filters.term))
        by_requirement = select(EvidenceRequirement.id).where(
            contains(EvidenceRequirement.title, filters.term)
        )
        if len(filters.term) < TRIGRAM:
            # Too short for a trigram index: both lookups read every title anyway, and such a
            # term matches many requests (「第1」: 277,775 of 500,000), so the list is walked in its
            # own order and stops at the page; the union below would be hashed whole first.
            conditions.append(
                or_(
                    EvidenceRequest.arrangement_id.in_(by_arrangement),
                    EvidenceRequest.evidence_requirement_id.in_(by_requirement),
                )
            )
        else:
            # A union of two one-table lookups, so PostgreSQL can use each title's trigram index
            # and then the request's foreign-key indexes (the OR above scans every request).
            conditions.append(
                EvidenceRequest.id.in_(
                    union(
                        select(EvidenceRequest.id).where(
                            EvidenceRequest.arrangement_id.in_(by_arrangement)
                        ),
                        select(EvidenceRequest.id).where(
                            EvidenceRequest.evidence_requirement_id.in_(by_requirement)
                        ),
                    )
                )
            )
    return conditions


# -- one arrangement ------------------------------------------------------------------------------


def arrangement_requirements(arrangement_id: int) -> Select:
    """An arrangement's requirements: those in use first, each group in order of creation."""
    return (
        select(EvidenceRequirement)
        .where(EvidenceRequirement.arrangement_id == arrangement_id)
        .order_by(EvidenceRequirement.archived_at.is_not(None), EvidenceRequirement.id)
    )


def arrangement_requests(arrangement_id: int, status: str = ACTIVE) -> Select:
    """An arrangement's requests with their requirement, filtered by status group."""
    stmt = (
        select(EvidenceRequest)
        .join(
            EvidenceRequirement, EvidenceRequirement.id == EvidenceRequest.evidence_requirement_id
        )
        .options(contains_eager(EvidenceRequest.evidence_requirement))
        .where(EvidenceRequest.arrangement_id == arrangement_id)
    )
    if status == ACTIVE:
        stmt = stmt.where(EvidenceRequest.status.in_(list(UNSETTLED)))
    elif status != ALL:
        stmt = stmt.where(EvidenceRequest.status == RequestStatus(status))
    return stmt


def request_detail(request_id: int) -> Select:
    """One request with its requirement, arrangement, and every submission with files and people."""
    return (
        select(EvidenceRequest)
        .where(EvidenceRequest.id == request_id)
        .options(
            joinedload(EvidenceRequest.evidence_requirement),
            joinedload(EvidenceRequest.arrangement).joinedload(Arrangement.department),
            selectinload(EvidenceRequest.submissions).options(
                selectinload(EvidenceSubmission.files),
                joinedload(EvidenceSubmission.submitted_by),
                joinedload(EvidenceSubmission.reviewed_by),
            ),
        )
    )
