"""Submissions and their review. Every version is kept with who and when.

Request status follows: a submission makes it ``submitted`` (also after a rejection); the review
makes it ``accepted`` or ``rejected``. A new version sent before the previous one was reviewed
supersedes it (only the latest version is reviewed).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.audit import capture as audit_capture
from vendorguard.core import concurrency
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.evidence.models import (
    EvidenceFile,
    EvidenceRequest,
    EvidenceRequirement,
    EvidenceSubmission,
    RequestStatus,
    ReviewDecision,
)

VIAS = ("internal", "portal", "link")
MAX_COMMENT = 2000


def submit(
    session: Session,
    request: EvidenceRequest,
    stored_files: Iterable[Any],
    comment: str,
    *,
    user=None,
    via: str = "internal",
    link=None,
) -> EvidenceSubmission:
    """Record a new version of evidence for a request: the stored files (``StoredFile``: original
    filename, storage key, sha256, size, content type) and a comment.

    Refused on withdrawn or accepted requests and on archived arrangements. The caller stored the
    files first and discards them if this raises or the commit fails.
    """
    if via not in VIAS:
        raise ValueError(f"unknown submission channel {via!r}")
    if request.status == RequestStatus.CLOSED:
        raise DomainError(_("この提出依頼は取り下げられているため、提出できません。"))
    if request.status == RequestStatus.ACCEPTED:
        raise DomainError(_("この提出依頼は既に受理されているため、提出できません。"))
    arrangement = session.get(Arrangement, request.arrangement_id)
    if arrangement is None or arrangement.archived_at is not None:
        raise DomainError(_("この案件はアーカイブされているため、提出できません。"))
    files = list(stored_files)
    if not files:
        raise DomainError(_("提出するファイルを1つ以上選んでください。"), field="files")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError(
            _("コメントは%(max)d文字以内で入力してください。", max=MAX_COMMENT), field="comment"
        )
    previous = session.scalars(
        select(EvidenceSubmission).where(
            EvidenceSubmission.request_id == request.id,
            EvidenceSubmission.decision == ReviewDecision.PENDING,
        )
    ).all()
    for older in previous:
        older.decision = ReviewDecision.SUPERSEDED
    version = (
        session.scalar(
            select(func.max(EvidenceSubmission.version)).where(
                EvidenceSubmission.request_id == request.id
            )
        )
        or 0
    ) + 1
    submission = EvidenceSubmission(
        request_id=request.id,
        version=version,
        comment=comment,
        submitted_by_id=getattr(user, "id", None),
        submitted_via=via,
        upload_link_id=getattr(link, "id", None),
        submitted_at=utcnow(),
    )
    session.add(submission)
    try:
        session.flush()
    except IntegrityError:
        # Another version of the same request was recorded at the same moment.
        raise DomainError(
            _("同じ提出依頼に同時に別の提出がありました。もう一度提出してください。")
        ) from None
    for stored in files:
        session.add(
            EvidenceFile(
                submission_id=submission.id,
                original_filename=stored.original_filename,
                storage_key=stored.storage_key,
                sha256=stored.sha256,
                size=stored.size,
                content_type=stored.content_type,
            )
        )
    request.status = RequestStatus.SUBMITTED
    session.flush()
    return submission


def _decision(value: ReviewDecision | str) -> ReviewDecision:
    try:
        decision = ReviewDecision(value)
    except ValueError:
        decision = None
    if decision not in (ReviewDecision.ACCEPTED, ReviewDecision.REJECTED):
        raise DomainError(_("受理か差戻しかを選んでください。"), field="decision")
    return decision


def review(
    session: Session,
    submission: EvidenceSubmission,
    decision: ReviewDecision | str,
    reviewer,
    reason: str | None = None,
    valid_until: date | None = None,
    *,
    today: date | None = None,
    version: int | None = None,
) -> None:
    """Accept (valid until the date given, or today + the requirement's validity days, or until
    replaced) or reject (a reason is required) the latest version of a request's evidence.

    ``version`` is the request's version the reviewer's page showed: a review made on a stale page
    is refused (``core.concurrency``)."""
    request = session.get_one(EvidenceRequest, submission.request_id)
    concurrency.check_version(request, version)
    decision = _decision(decision)
    today = today or today_tokyo()
    if submission.decision == ReviewDecision.SUPERSEDED:
        raise DomainError(_("この版の後に新しい版が提出されています。最新の版を確認してください。"))
    if submission.decision != ReviewDecision.PENDING:
        raise DomainError(
            _("この提出は既に確認済みです（%(decision)s）。", decision=submission.decision.label)
        )
    if request.status == RequestStatus.CLOSED:
        raise DomainError(_("この提出依頼は取り下げられています。"))
    reason = (reason or "").strip()
    if len(reason) > MAX_COMMENT:
        raise DomainError(
            _("理由・コメントは%(max)d文字以内で入力してください。", max=MAX_COMMENT),
            field="reason",
        )
    if decision == ReviewDecision.REJECTED:
        if not reason:
            raise DomainError(
                _("差し戻す理由を入力してください。提出者に表示されます。"), field="reason"
            )
        valid_until = None
    else:
        files = session.scalar(
            select(func.count())
            .select_from(EvidenceFile)
            .where(EvidenceFile.submission_id == submission.id)
        )
        if not files:
            raise DomainError(
                _(
                    "ファイルのない提出は受理できません。差し戻して、ファイルの提出を求めてください。"
                ),
                field="decision",
            )
        requirement = session.get_one(EvidenceRequirement, request.evidence_requirement_id)
        if valid_until is not None and valid_until < today:
            raise DomainError(
                _("有効期限には今日以降の日付を入力してください。"), field="valid_until"
            )
        if valid_until is None and requirement.validity_days:
            valid_until = today + timedelta(days=requirement.validity_days)
    reviewer_id = (
        reviewer.id
    )  # may load the user: no half-done change may be flushed before the tag
    with session.no_autoflush:
        audit_capture.tag(
            session, submission, "accept" if decision == ReviewDecision.ACCEPTED else "reject"
        )
        submission.decision = decision
        submission.reviewed_by_id = reviewer_id
        submission.reviewed_at = utcnow()
        submission.review_reason = reason
        submission.valid_until = valid_until
        request.status = (
            RequestStatus.ACCEPTED
            if decision == ReviewDecision.ACCEPTED
            else RequestStatus.REJECTED
        )
    concurrency.flush(session)
