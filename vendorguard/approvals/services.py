"""Filing, deciding and withdrawing approval requests, the same for every kind of arrangement.

A kind's own service checks what only it knows (a cloud service's checklist, an SNS account's
completeness) and then calls these functions, which keep the arrangement's approval in force
(``Approvable``) and the request history (``ApprovalRequest``) in step and tag the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vendorguard.approvals.models import (
    ApplicationStatus,
    Approvable,
    ApprovalRequest,
    ApprovalState,
)
from vendorguard.audit import capture as audit_capture
from vendorguard.auth.models import User
from vendorguard.core import concurrency
from vendorguard.core.dates import add_months
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo, utcnow

# A kind's request class: ``ApprovalRequest`` or its subclass; each function returns what it got.
RequestT = TypeVar("RequestT", bound=ApprovalRequest)

RENEWAL_NOTICE_DAYS = 60  # the detail page reminds the department this long before an approval ends


@dataclass(frozen=True)
class Decision:
    """What the security office enters when deciding: a comment (the reason, when rejecting), the
    approval's last day (kinds that expire) and the request's version its page showed."""

    comment: str = ""
    valid_until: date | None = None
    version: int | None = None


def default_valid_until(months: int, today: date | None = None) -> date:
    """The default last day of an approval given today: ``months`` later, the day before."""
    return add_months(today or today_tokyo(), months) - timedelta(days=1)


def has_pending(session: Session, arrangement_id: int) -> bool:
    """Whether a request for the arrangement waits for the security office's decision."""
    return bool(
        session.scalar(
            select(func.count(ApprovalRequest.id)).where(
                ApprovalRequest.arrangement_id == arrangement_id,
                ApprovalRequest.status == ApplicationStatus.SUBMITTED,
            )
        )
    )


def file_request(
    session: Session, arrangement: Approvable, request: RequestT, applicant: User
) -> RequestT:
    """Put ``request`` under review; the arrangement shows ``APPLIED`` until it is decided."""
    if has_pending(session, arrangement.id):
        raise DomainError(_("既に申請中です。審査の結果をお待ちください。"))
    request.arrangement_id = arrangement.id
    request.applicant_id = applicant.id
    request.submitted_at = utcnow()
    request.status = ApplicationStatus.SUBMITTED
    session.add(request)
    arrangement.approval_state = ApprovalState.APPLIED
    audit_capture.tag(session, arrangement, "apply")
    try:
        session.flush()
    except IntegrityError:
        # Someone else applied at the same moment (the one-pending-request index).
        raise DomainError(_("既に申請中です。審査の結果をお待ちください。")) from None
    return request


def pending(request: RequestT | None, message: str, version: int | None) -> RequestT:
    """The request if it is still under review and is the version the page showed."""
    if request is None:
        raise DomainError(message)
    concurrency.check_version(request, version)
    if request.status != ApplicationStatus.SUBMITTED:
        raise DomainError(message)
    return request


def approve(
    session: Session,
    arrangement: Approvable,
    request: RequestT,
    approver: User,
    valid_until: date | None,
    comment: str,
) -> RequestT:
    """Grant the request (until ``valid_until``, or with no end when None)."""
    now = utcnow()
    comment = (comment or "").strip()
    request.status = ApplicationStatus.APPROVED
    request.decided_by_id, request.decided_at = approver.id, now
    request.decision_comment, request.valid_until = comment, valid_until
    arrangement.approval_state = ApprovalState.APPROVED
    arrangement.approval_valid_until = valid_until
    arrangement.approved_at, arrangement.approved_by_id = now, approver.id
    arrangement.approval_comment = comment
    audit_capture.tag(session, request, "approve")
    audit_capture.tag(session, arrangement, "approve")
    concurrency.flush(session)
    return request


def _back_to_previous(arrangement: Approvable, otherwise: ApprovalState) -> None:
    # A renewal that is not granted leaves the earlier approval to run out on its own date.
    if arrangement.approval_valid_until is not None and arrangement.approved_at is not None:
        arrangement.approval_state = ApprovalState.APPROVED
    else:
        arrangement.approval_state = otherwise


def reject(
    session: Session,
    arrangement: Approvable,
    request: RequestT,
    approver: User,
    comment: str,
) -> RequestT:
    """Turn the request down, saying why; an approval still in force runs to its own date."""
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("却下の理由を入力してください。"), field="reject_comment")
    now = utcnow()
    request.status = ApplicationStatus.REJECTED
    request.decided_by_id, request.decided_at, request.decision_comment = approver.id, now, comment
    if arrangement.has_current_approval:
        _back_to_previous(arrangement, ApprovalState.REJECTED)
    else:
        arrangement.approval_state = ApprovalState.REJECTED
        arrangement.approval_valid_until = None
        arrangement.approved_at, arrangement.approved_by_id = now, approver.id
        arrangement.approval_comment = comment
    audit_capture.tag(session, request, "reject")
    audit_capture.tag(session, arrangement, "reject")
    concurrency.flush(session)
    return request


def withdraw(session: Session, arrangement: Approvable, request: RequestT, user: User) -> RequestT:
    """The department takes its request back before a decision."""
    request.status = ApplicationStatus.WITHDRAWN
    request.decided_by_id, request.decided_at = user.id, utcnow()
    _back_to_previous(arrangement, ApprovalState.NOT_APPLIED)
    audit_capture.tag(session, request, "withdraw")
    concurrency.flush(session)
    return request


def cancel(arrangement: Approvable) -> None:
    """Drop the approval in force: the arrangement needs a new request."""
    arrangement.approval_state = ApprovalState.NOT_APPLIED
    arrangement.approval_valid_until = None
    arrangement.approved_at = None
    arrangement.approved_by_id = None


def renewal_due(arrangement: Approvable, today: date | None = None) -> int | None:
    """Days left of an approval in force that ends within the notice period, else None."""
    today = today or today_tokyo()
    until = arrangement.approval_valid_until
    if not arrangement.has_current_approval or until is None:
        return None
    left = (until - today).days
    return left if left <= RENEWAL_NOTICE_DAYS else None
