"""Reviewing a submitted questionnaire: accept or record a finding per answer (a finding becomes
an action, 措置, of the assessments feature), return for correction, close; and the contractor's
reply to a finding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.assessments import services as assessments
from vendorguard.assessments.models import (
    Action,
    Assessment,
    AssessmentMethod,
    AssessmentResult,
)
from vendorguard.audit import capture as audit_capture
from vendorguard.core import concurrency
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.questionnaires.models import (
    Answer,
    Question,
    QuestionnaireRequest,
    QuestionnaireTemplate,
    RequestStatus,
    Review,
    Severity,
)
from vendorguard.questionnaires.services import Sheet


@dataclass
class FindingData:
    """What the reviewer enters for a finding."""

    severity: Severity
    remediation: str
    owner_id: int | None
    due_on: date | None


def _ensure_reviewable(request: QuestionnaireRequest) -> None:
    if request.status != RequestStatus.SUBMITTED:
        raise DomainError(_("提出された点検票だけを確認できます。"))


def _summary(session: Session, request: QuestionnaireRequest) -> str:
    return _(
        "自己点検「%(title)s」（%(period)s）の回答の確認",
        title=session.get_one(QuestionnaireTemplate, request.template_id).title,
        period=request.period_label,
    )


def accept(session: Session, request: QuestionnaireRequest, answer: Answer) -> Answer:
    """Mark an answer as conforming."""
    _ensure_reviewable(request)
    if answer.action_id is not None:
        raise DomainError(
            _("措置を作成済みの指摘は取り消せません。措置の画面で完了にしてください。")
        )
    answer.review = Review.ACCEPTED
    answer.severity = None
    answer.remediation = ""
    session.flush()
    return answer


def record_finding(
    session: Session,
    request: QuestionnaireRequest,
    answer: Answer,
    question: Question,
    data: FindingData,
    user,
    today: date | None = None,
) -> Action:
    """A finding on one answer: an action (措置) with owner and due date, which the contractor is
    asked to answer in the portal."""
    today = today or today_tokyo()
    _ensure_reviewable(request)
    if answer.action_id is not None:
        raise DomainError(_("この回答には既に指摘を記録しています。"))
    remediation = " ".join((data.remediation or "").split())
    if not remediation:
        raise DomainError(_("求める改善の内容を入力してください。"), field="remediation")
    try:
        severity = Severity(data.severity)
    except ValueError:
        raise DomainError(_("重要度を選んでください。"), field="severity") from None
    arrangement = session.get_one(Arrangement, request.arrangement_id)
    finding = f"[{question.code}] {question.text} — {remediation}"
    if request.assessment_id is None:
        assessment = assessments.record_assessment(
            session,
            arrangement,
            assessments.AssessmentData(
                assessed_on=today,
                result=AssessmentResult.PARTIALLY_CONFORMING,
                method=AssessmentMethod.DOCUMENT,
                summary=_summary(session, request),
                findings=finding,
                owner_id=data.owner_id,
                due_on=data.due_on,
            ),
            user,
            today=today,
        )
        request.assessment_id = assessment.id
        action = session.scalars(
            select(Action).where(Action.assessment_id == assessment.id).order_by(Action.id.desc())
        ).first()
        assert action is not None  # record_assessment made one action per finding line
    else:
        assessment = session.get_one(Assessment, request.assessment_id)
        action = assessments.add_action(
            session,
            assessment,
            arrangement,
            assessments.ActionData(finding=finding, owner_id=data.owner_id, due_on=data.due_on),
        )
    answer.review = Review.FINDING
    answer.severity = severity
    answer.remediation = remediation
    answer.action_id = action.id
    session.flush()
    return action


def return_for_correction(
    session: Session, request: QuestionnaireRequest, reason: str, version: int | None = None
) -> None:
    """Send the questionnaire back to the contractor with what to correct."""
    concurrency.check_version(request, version)
    _ensure_reviewable(request)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("修正を依頼する内容を入力してください。"), field="reason")
    request.status = RequestStatus.RETURNED
    request.return_reason = reason[:5000]
    audit_capture.tag(session, request, "return")
    concurrency.flush(session)


def close(
    session: Session, sheet: Sheet, user, version: int | None = None, today: date | None = None
) -> None:
    """Close the review: answers not yet decided are accepted; without findings a conforming
    assessment (確認) is recorded, so the arrangement's next review date follows."""
    request = sheet.request
    today = today or today_tokyo()
    concurrency.check_version(request, version)
    _ensure_reviewable(request)
    for question_id, answer in sheet.answers.items():
        if question_id in sheet.shown and answer.review == Review.PENDING:
            answer.review = Review.ACCEPTED
    if request.assessment_id is None:
        arrangement = session.get_one(Arrangement, request.arrangement_id)
        assessment = assessments.record_assessment(
            session,
            arrangement,
            assessments.AssessmentData(
                assessed_on=today,
                result=AssessmentResult.CONFORMING,
                method=AssessmentMethod.DOCUMENT,
                summary=_summary(session, request),
            ),
            user,
            today=today,
        )
        request.assessment_id = assessment.id
    request.status = RequestStatus.CLOSED
    request.closed_at = utcnow()
    request.closed_by_id = getattr(user, "id", None)
    audit_capture.tag(session, request, "close")
    concurrency.flush(session)


def cancel(session: Session, request: QuestionnaireRequest, version: int | None = None) -> None:
    """Withdraw a questionnaire sent in error (before it was closed)."""
    concurrency.check_version(request, version)
    if request.status in (RequestStatus.CLOSED, RequestStatus.CANCELLED):
        raise DomainError(_("完了又は取消済みの点検票は取り消せません。"))
    request.status = RequestStatus.CANCELLED
    request.link_nonce_hash = None
    audit_capture.tag(session, request, "cancel")
    concurrency.flush(session)


def respond(session: Session, request: QuestionnaireRequest, answer: Answer, text: str) -> Action:
    """The contractor's reply to a finding (files are attached by the caller)."""
    if answer.action_id is None:
        raise DomainError(_("この回答には改善の依頼がありません。"))
    action = session.get_one(Action, answer.action_id)
    if not action.is_open:
        raise DomainError(_("この改善の依頼は既に完了しています。"))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("実施した改善の内容を入力してください。"), field="response")
    action.contractor_response = text[: assessments.MAX_TEXT]
    audit_capture.tag(session, action, "contractor_response")
    session.flush()
    return action
