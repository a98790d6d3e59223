"""Notifications resolve themselves when the thing they are about has been dealt with.

A reminder names its subject (``subject_type``, ``subject_id``) and the date it is about
(``target_on``). It stays open while that subject still waits on that date; it is resolved when
the evidence or self-check was submitted (or the request withdrawn, or its due date moved), the
review or inspection was recorded (the next date moved on), the certificate was renewed (a later
one of the same kind registered) or archived. One UPDATE per call, for everyone (the sweep) or
for one person (their notification list); running it again changes nothing.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import CursorResult, Update, and_, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.contractors.models import Certification
from vendorguard.contractors.queries import superseded_certification
from vendorguard.core.timeutil import utcnow
from vendorguard.evidence.models import AWAITING_PROVIDER, EvidenceRequest
from vendorguard.inspections.models import Inspection, InspectionStatus
from vendorguard.questionnaires.models import WAITING, QuestionnaireRequest
from vendorguard.reminders import kinds
from vendorguard.reminders.arrangement_rules import LIVE
from vendorguard.reminders.models import Notification

N = Notification
EVIDENCE = (
    kinds.EVIDENCE_DUE,
    kinds.EVIDENCE_OVERDUE,
    kinds.EVIDENCE_ESCALATION,
    kinds.EVIDENCE_NUDGE,
)
QUESTIONNAIRE = (
    kinds.QUESTIONNAIRE_DUE,
    kinds.QUESTIONNAIRE_OVERDUE,
    kinds.QUESTIONNAIRE_ESCALATION,
)
REVIEW = (kinds.REVIEW_DUE, kinds.REVIEW_OVERDUE)
INSPECTION = (kinds.INSPECTION_DUE, kinds.INSPECTION_OVERDUE)


def _same_date(column):
    # a reminder without a date is about the subject as a whole
    return or_(N.target_on.is_(None), column == N.target_on)


def _dealt_with_by_kind():
    """Per kind: a subject row exists and no longer waits on the reminder's date. A subject that
    is gone altogether leaves the reminder as it is (nothing says it was dealt with)."""
    evidence = exists().where(
        EvidenceRequest.id == N.subject_id,
        ~and_(
            EvidenceRequest.status.in_(list(AWAITING_PROVIDER)),
            _same_date(EvidenceRequest.due_on),
        ),
    )
    questionnaire = exists().where(
        QuestionnaireRequest.id == N.subject_id,
        ~and_(QuestionnaireRequest.status.in_(WAITING), _same_date(QuestionnaireRequest.due_on)),
    )
    review = exists().where(
        Arrangement.id == N.subject_id,
        ~and_(
            Arrangement.archived_at.is_(None),
            Arrangement.state.in_(LIVE),
            _same_date(Arrangement.next_review_on),
        ),
    )
    # an SNS account's review date is the arrangement's own column (joined inheritance)
    social = exists().where(
        Arrangement.id == N.subject_id,
        ~and_(Arrangement.archived_at.is_(None), _same_date(Arrangement.next_review_on)),
    )
    inspection = exists().where(
        Inspection.id == N.subject_id,
        ~and_(Inspection.status == InspectionStatus.PLANNED, _same_date(Inspection.planned_on)),
    )
    cert = Certification
    certification = exists().where(
        cert.id == N.subject_id, or_(cert.archived_at.is_not(None), superseded_certification())
    )
    return [
        (N.kind.in_(EVIDENCE), evidence),
        (N.kind.in_(QUESTIONNAIRE), questionnaire),
        (N.kind.in_(REVIEW), review),
        (N.kind == kinds.SOCIAL_REVIEW, social),
        (N.kind.in_(INSPECTION), inspection),
        (N.kind == kinds.CERTIFICATION_EXPIRY, certification),
    ]


def dealt_with():
    """The condition "this open notification's subject has been dealt with"."""
    return and_(
        N.resolved_at.is_(None),
        N.subject_id.is_not(None),
        or_(*(and_(kind, done) for kind, done in _dealt_with_by_kind())),
    )


def _resolving(stmt: Update) -> Update:
    now = bindparam("resolved_now", type_=N.__table__.c.resolved_at.type)
    return stmt.values(resolved_at=now, read_at=func.coalesce(N.read_at, now)).execution_options(
        synchronize_session=False
    )


@cache
def _resolving_for_one() -> Update:
    # Built once per process: the condition takes milliseconds to build and to key for the SQL
    # cache, and the notification list runs it on every view (a kept statement keeps its key).
    return _resolving(update(N).where(dealt_with()).where(N.user_id == bindparam("for_user")))


def resolve(session: Session, user_id: int | None = None) -> int:
    """Mark resolved (and read) the open notifications whose subject was dealt with; returns how many."""
    now = utcnow()
    if user_id is None:
        stmt = _resolving(update(N).where(dealt_with()))
        result = session.execute(stmt, {"resolved_now": now})
    else:
        # The kept statement runs on the session's connection as it is: the ORM's pass over an
        # UPDATE copies it and keys it again (nothing to synchronise: synchronize_session=False).
        session.flush()  # what session.execute would have done first (autoflush)
        stmt = _resolving_for_one()
        result = session.connection().execute(stmt, {"resolved_now": now, "for_user": user_id})
    return cast("CursorResult[Any]", result).rowcount


def open_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are still open (for tests and the CLI)."""
    return (
        session.scalar(select(func.count()).where(N.user_id == user_id, N.resolved_at.is_(None)))
        or 0
    )
