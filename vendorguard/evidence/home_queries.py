"""Reads of evidence for the home page: the latest submissions awaiting review and the overdue
requests (each a ``Select`` with what a row shows loaded), and the ids of each from the tables
their conditions read, for its counts and first rows (``dashboard.statements``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import contains_eager, joinedload

from vendorguard.arrangements.access import managed_by, visible_to
from vendorguard.arrangements.models import Arrangement
from vendorguard.evidence.models import (
    AWAITING_PROVIDER,
    EvidenceRequest,
    EvidenceRequirement,
    EvidenceSubmission,
    RequestStatus,
    ReviewDecision,
)
from vendorguard.org.models import Department


def _requests() -> Select:
    """Requests with requirement, arrangement and department joined and loaded."""
    return (
        select(EvidenceRequest)
        .join(
            EvidenceRequirement, EvidenceRequirement.id == EvidenceRequest.evidence_requirement_id
        )
        .join(Arrangement, Arrangement.id == EvidenceRequest.arrangement_id)
        .join(Department, Department.id == Arrangement.department_id)
        .options(
            contains_eager(EvidenceRequest.evidence_requirement),
            contains_eager(EvidenceRequest.arrangement).contains_eager(Arrangement.department),
        )
    )


def _review_conditions(user) -> list[ColumnElement[bool]]:
    return [
        EvidenceSubmission.decision == ReviewDecision.PENDING,
        EvidenceRequest.status == RequestStatus.SUBMITTED,
        Arrangement.archived_at.is_(None),
        managed_by(user),
        visible_to(user),
    ]


def submissions_awaiting_review(user) -> Select:
    """The latest submissions waiting for review on arrangements ``user`` may review, oldest first."""
    return (
        select(EvidenceSubmission)
        .join(EvidenceRequest, EvidenceRequest.id == EvidenceSubmission.request_id)
        .join(
            EvidenceRequirement, EvidenceRequirement.id == EvidenceRequest.evidence_requirement_id
        )
        .join(Arrangement, Arrangement.id == EvidenceRequest.arrangement_id)
        .join(Department, Department.id == Arrangement.department_id)
        .options(
            contains_eager(EvidenceSubmission.request).options(
                contains_eager(EvidenceRequest.evidence_requirement),
                contains_eager(EvidenceRequest.arrangement).contains_eager(Arrangement.department),
            ),
            joinedload(EvidenceSubmission.submitted_by),
        )
        .where(*_review_conditions(user))
        .order_by(EvidenceSubmission.submitted_at, EvidenceSubmission.id)
    )


def submission_keys_awaiting_review(user) -> Select:
    """The ids of ``submissions_awaiting_review`` in its order, joined only to what its conditions
    read: what the home page counts and picks its rows by. The requirement and department it also
    joins are reached by non-null foreign keys, one row each, so leaving them out changes no count,
    only the work (a probe of each per submission)."""
    return (
        select(EvidenceSubmission.id)
        .join(EvidenceRequest, EvidenceRequest.id == EvidenceSubmission.request_id)
        .join(Arrangement, Arrangement.id == EvidenceRequest.arrangement_id)
        .where(*_review_conditions(user))
        .order_by(EvidenceSubmission.submitted_at, EvidenceSubmission.id)
    )


def _overdue_conditions(
    today: date, user=None, department_id: int | None = None
) -> list[ColumnElement[bool]]:
    conditions = [
        EvidenceRequest.status.in_(list(AWAITING_PROVIDER)),
        EvidenceRequest.due_on < today,
        Arrangement.archived_at.is_(None),
    ]
    if user is not None:
        conditions.append(visible_to(user))
    if department_id is not None:
        conditions.append(Arrangement.department_id == department_id)
    return conditions


def overdue_requests(today: date, user=None, department_id: int | None = None) -> Select:
    """Requests past their due date with nothing accepted or submitted, oldest due first;
    only what ``user`` may read when given, only one department's when given."""
    return (
        _requests()
        .where(*_overdue_conditions(today, user, department_id))
        .order_by(EvidenceRequest.due_on, EvidenceRequest.id)
    )


def overdue_request_keys(
    today: date, user=None, department_id: int | None = None, *, picking: bool = False
) -> Select:
    """The ids of ``overdue_requests`` in its order, from the request and its arrangement alone
    (what the home page counts: its requirement and department are one row each by non-null
    foreign keys).

    ``picking``: the keys the home page picks its first rows by, one department's by the
    request's copy of it (as ``department_request_keys``, and for the same reasons): read in
    order from their own index instead of found among the city's overdue requests. Counted, the
    department stays the arrangement's.
    """
    stmt = select(EvidenceRequest.id).join(
        Arrangement, Arrangement.id == EvidenceRequest.arrangement_id
    )
    if picking and department_id is not None:
        stmt = stmt.where(
            *_overdue_conditions(today, user), EvidenceRequest.department_id == department_id
        )
    else:
        stmt = stmt.where(*_overdue_conditions(today, user, department_id))
    return stmt.order_by(EvidenceRequest.due_on, EvidenceRequest.id)
