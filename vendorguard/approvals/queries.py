"""Reading approval requests: the history of an arrangement and the one under review."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from vendorguard.approvals.models import ApplicationStatus, ApprovalRequest


def requests_of(arrangement_id: int, model: type[ApprovalRequest] = ApprovalRequest) -> Select:
    """Every request for the arrangement with who filed and decided it, newest first."""
    return (
        select(model)
        .where(model.arrangement_id == arrangement_id)
        .options(joinedload(model.applicant), joinedload(model.decided_by))
        .order_by(model.submitted_at.desc(), model.id.desc())
    )


def pending_request(arrangement_id: int, model: type[ApprovalRequest] = ApprovalRequest) -> Select:
    """The request for the arrangement that waits for a decision (at most one)."""
    return requests_of(arrangement_id, model).where(model.status == ApplicationStatus.SUBMITTED)


def last_filed(arrangement_id: int, model: type[ApprovalRequest] = ApprovalRequest) -> Select:
    """The newest request that was not withdrawn: what a renewal starts from."""
    return (
        requests_of(arrangement_id, model)
        .where(model.status != ApplicationStatus.WITHDRAWN)
        .limit(1)
    )


def decision_target(
    arrangement_id: int, request_id: str | None, model: type[ApprovalRequest] = ApprovalRequest
) -> Select:
    """The request a decision form names (it must be the arrangement's), else the pending one.

    A form names the request it was rendered for, so a decision on a page whose request has since
    been decided is refused as stale instead of landing on a newer request.
    """
    if request_id and request_id.isdigit():
        return requests_of(arrangement_id, model).where(model.id == int(request_id))
    return pending_request(arrangement_id, model)
