"""A sent questionnaire: its signed link, its sheet, answering it (portal, link, workbook),
submitting. Sending one is in ``sending``.

Services change rows and flush; they never commit. Audit events come from the flush.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.audit import capture as audit_capture
from vendorguard.catalog import rule_facts
from vendorguard.catalog import services as catalog_services
from vendorguard.core import concurrency
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.evidence.uploads import StoredFile
from vendorguard.portal import tokens
from vendorguard.questionnaires import answering, queries
from vendorguard.questionnaires.models import (
    WAITING,
    Answer,
    AnswerFile,
    Question,
    QuestionnaireRequest,
    RequestStatus,
)

MAX_LINK_DAYS = 90


def issue_link(session: Session, request: QuestionnaireRequest, days: int) -> str:
    """A signed single-request link (no account); a new link replaces the previous one."""
    if not request.is_waiting:
        raise DomainError(_("回答待ちの点検票にだけリンクを発行できます。"))
    if not 1 <= days <= MAX_LINK_DAYS:
        raise DomainError(
            _("有効日数は1〜%(max)d日で指定してください。", max=MAX_LINK_DAYS), field="days"
        )
    nonce = tokens.new_nonce()
    request.link_nonce_hash = tokens.hash_nonce(nonce)
    request.link_expires_at = utcnow() + timedelta(days=days)
    audit_capture.tag(session, request, "issue_link")
    session.flush()
    return tokens.questionnaire_link_token(request.id, nonce)


def find_by_link(session: Session, token: str, request_id: int) -> QuestionnaireRequest | None:
    """The questionnaire a genuine, unexpired link opens (None otherwise)."""
    payload = tokens.read_questionnaire_link_token(token)
    if payload is None or payload.id != request_id:
        return None
    request = session.get(QuestionnaireRequest, request_id)
    if (
        request is None
        or request.link_nonce_hash is None
        or not tokens.nonce_matches(payload.nonce, request.link_nonce_hash)
        or request.link_expires_at is None
        or request.link_expires_at <= utcnow()
        or request.status == RequestStatus.CANCELLED
    ):
        return None
    return request


# -- what is asked ---------------------------------------------------------------------------------


@dataclass
class Sheet:
    """A questionnaire as the pages show it: questions asked, answers, missing, scores."""

    request: QuestionnaireRequest
    questions: list[Question]
    shown: set[int]
    answers: dict[int, Answer]
    missing: list[answering.Missing]
    scores: list[answering.Score]
    overall: answering.Score

    @property
    def sections(self):
        return self.request.template_version.sections

    def value(self, question: Question) -> Any:
        answer = self.answers.get(question.id)
        return answer.value if answer is not None else None

    def display(self, question: Question) -> str:
        return answering.display(question, self.value(question))

    def flagged(self, question: Question) -> bool:
        return answering.is_finding(question, self.value(question))


def arrangement_context(session: Session, arrangement_id: int) -> tuple[dict[str, Any], set[str]]:
    """The arrangement's facts and the codes of the requirements that apply and are not waived."""
    arrangement = catalog_services.load_arrangement(session, arrangement_id)
    if arrangement is None:
        return {}, set()
    coverage = catalog_services.coverage(session, arrangement)
    applicable = {row.requirement.code for row in coverage.rows if row.waiver is None}
    return rule_facts.facts_for(arrangement), applicable


def load_sheet(session: Session, request_id: int) -> Sheet:
    """A questionnaire with everything its pages show (a fixed number of queries)."""
    request = session.scalars(queries.request_full(request_id)).unique().one()
    questions = [q for s in request.template_version.sections for q in s.questions]
    answers = {a.question_id: a for a in request.answers}
    facts, applicable = arrangement_context(session, request.arrangement_id)
    values = {qid: a.value for qid, a in answers.items()}
    shown = answering.visible(questions, facts, applicable, values)
    per_section, overall = answering.scores(request.template_version.sections, shown, answers)
    return Sheet(
        request,
        questions,
        shown,
        answers,
        answering.missing(questions, shown, answers),
        per_section,
        overall,
    )


# -- answering -------------------------------------------------------------------------------------


def _ensure_answerable(request: QuestionnaireRequest) -> None:
    if request.status not in WAITING:
        raise DomainError(
            _(
                "この点検票は「%(status)s」のため、回答を変更できません。",
                status=request.status.label,
            )
        )


def _answer(session: Session, request: QuestionnaireRequest, question_id: int) -> Answer:
    answer = session.scalars(
        select(Answer).where(Answer.request_id == request.id, Answer.question_id == question_id)
    ).first()
    if answer is None:
        answer = Answer(request_id=request.id, question_id=question_id)
        session.add(answer)
    return answer


def save_answers(
    session: Session,
    sheet: Sheet,
    raw: dict[int, Any],
    comments: dict[int, str],
    version: int | str | None = None,
) -> int:
    """Store a draft: every entered answer is checked first; any problem stores nothing."""
    request = sheet.request
    concurrency.check_version(request, version)
    _ensure_answerable(request)
    values = answering.parse_all(sheet.questions, raw)
    changed = 0
    for question in sheet.questions:
        if question.id not in values and question.id not in comments:
            continue
        answer = sheet.answers.get(question.id) or _answer(session, request, question.id)
        new_value = values.get(question.id, answer.value)
        new_comment = (comments.get(question.id, answer.comment or "") or "").strip()[
            : answering.MAX_TEXT
        ]
        if answer.id is None or answer.value != new_value or (answer.comment or "") != new_comment:
            answer.value = new_value
            answer.comment = new_comment
            changed += 1
    concurrency.flush(session)
    return changed


def attach_files(
    session: Session,
    request: QuestionnaireRequest,
    question: Question,
    files: list[StoredFile],
    user,
    remediation: bool = False,
) -> Answer:
    """Record files (already checked and stored) with an answer."""
    if question.version_id != request.version_id:
        raise DomainError(_("この点検票の設問ではありません。"))
    if not remediation:
        _ensure_answerable(request)
    answer = _answer(session, request, question.id)
    session.flush()
    for stored in files:
        session.add(
            AnswerFile(
                answer_id=answer.id,
                remediation=remediation,
                original_filename=stored.original_filename,
                storage_key=stored.storage_key,
                sha256=stored.sha256,
                size=stored.size,
                content_type=stored.content_type,
                uploaded_by_id=getattr(user, "id", None),
            )
        )
    session.flush()
    return answer


def remove_file(session: Session, request: QuestionnaireRequest, file: AnswerFile) -> str:
    """Remove an answer's file while the questionnaire is still open; returns the storage key."""
    _ensure_answerable(request)
    if file.remediation:
        raise DomainError(_("改善報告のファイルは削除できません。"))
    key = file.storage_key
    session.delete(file)
    session.flush()
    return key


def submit(
    session: Session, sheet: Sheet, user, version: int | None = None, now: datetime | None = None
) -> QuestionnaireRequest:
    """The one final submit: nothing may be missing."""
    request = sheet.request
    concurrency.check_version(request, version)
    _ensure_answerable(request)
    if sheet.missing:
        raise DomainError(
            _(
                "未回答の設問が%(count)d件あります。すべて回答してから提出してください。",
                count=len(sheet.missing),
            )
        )
    # Answers to questions no longer asked (a condition changed) are not part of the submission.
    for question_id, answer in sheet.answers.items():
        if question_id not in sheet.shown and answer.value is not None:
            answer.value = None
    request.status = RequestStatus.SUBMITTED
    request.submitted_at = now or utcnow()
    request.submitted_by_id = getattr(user, "id", None)
    audit_capture.tag(session, request, "submit")
    concurrency.flush(session)
    return request
