"""Reads for questionnaire pages; every list loads what it shows in a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from vendorguard.arrangements import access
from vendorguard.arrangements.models import Arrangement
from vendorguard.assessments.models import Action, ActionStatus
from vendorguard.catalog.models import ClauseStatus
from vendorguard.portal.queries import owned_arrangement_ids
from vendorguard.questionnaires.models import (
    WAITING,
    Answer,
    Question,
    QuestionnaireRequest,
    QuestionnaireTemplate,
    RequestStatus,
    Section,
    TemplateVersion,
)


def covers_year(fiscal_year: int):
    """The request's period overlaps the fiscal year (a two-year period counts in both years)."""
    # Periods start in April unless shorter than a year, so whole years are what matters.
    years = (QuestionnaireRequest.period_months + 11) // 12
    return QuestionnaireRequest.fiscal_year.between(fiscal_year - 9, fiscal_year) & (
        QuestionnaireRequest.fiscal_year + years > fiscal_year
    )


def templates() -> Select:
    """Every template with its versions."""
    return (
        select(QuestionnaireTemplate)
        .options(selectinload(QuestionnaireTemplate.versions))
        .order_by(QuestionnaireTemplate.code)
    )


def version_with_questions(version_id: int) -> Select:
    """A version with its template, sections and questions."""
    return (
        select(TemplateVersion)
        .where(TemplateVersion.id == version_id)
        .options(
            joinedload(TemplateVersion.template),
            selectinload(TemplateVersion.sections).selectinload(Section.questions),
        )
    )


def approved_version(template_id: int) -> Select:
    """The version in use."""
    return select(TemplateVersion).where(
        TemplateVersion.template_id == template_id,
        TemplateVersion.status == ClauseStatus.APPROVED,
    )


def usable_templates(kind: str | None = None) -> Select:
    """Templates with an approved version (for sending), optionally for one kind."""
    stmt = (
        select(QuestionnaireTemplate)
        .join(TemplateVersion, TemplateVersion.template_id == QuestionnaireTemplate.id)
        .where(
            TemplateVersion.status == ClauseStatus.APPROVED,
            QuestionnaireTemplate.archived_at.is_(None),
        )
        .order_by(QuestionnaireTemplate.code)
    )
    if kind is not None:
        stmt = stmt.where(QuestionnaireTemplate.applies_to == kind)
    return stmt


def _with_listed(stmt: Select) -> Select:
    return stmt.options(
        joinedload(QuestionnaireRequest.template),
        joinedload(QuestionnaireRequest.arrangement).joinedload(Arrangement.department),
        joinedload(QuestionnaireRequest.contractor),
    )


def request_list(
    user, status: str = "", fiscal_year: int | None = None, department_id: int | None = None
) -> Select:
    """Questionnaires of the arrangements the user may read, newest due first."""
    stmt = (
        select(QuestionnaireRequest)
        .join(Arrangement, Arrangement.id == QuestionnaireRequest.arrangement_id)
        .where(access.visible_to(user))
    )
    if status == "open":
        stmt = stmt.where(QuestionnaireRequest.status.in_(WAITING))
    elif status:
        stmt = stmt.where(QuestionnaireRequest.status == status)
    if fiscal_year:
        stmt = stmt.where(covers_year(fiscal_year))
    if department_id:
        stmt = stmt.where(Arrangement.department_id == department_id)
    return _with_listed(stmt).order_by(
        QuestionnaireRequest.due_on.desc(), QuestionnaireRequest.id.desc()
    )


def request_full(request_id: int) -> Select:
    """One questionnaire with its version's questions and its answers and files."""
    return _with_listed(
        select(QuestionnaireRequest)
        .where(QuestionnaireRequest.id == request_id)
        .options(
            joinedload(QuestionnaireRequest.template_version)
            .selectinload(TemplateVersion.sections)
            .selectinload(Section.questions),
            selectinload(QuestionnaireRequest.answers).selectinload(Answer.files),
            selectinload(QuestionnaireRequest.answers).joinedload(Answer.action),
        )
    )


def previous_request(request: QuestionnaireRequest) -> Select:
    """The previous period's questionnaire of the same template for the same arrangement."""
    return (
        select(QuestionnaireRequest)
        .where(
            QuestionnaireRequest.arrangement_id == request.arrangement_id,
            QuestionnaireRequest.template_id == request.template_id,
            QuestionnaireRequest.period_start < request.period_start,
            QuestionnaireRequest.status != RequestStatus.CANCELLED,
        )
        .order_by(QuestionnaireRequest.period_start.desc(), QuestionnaireRequest.id.desc())
        .limit(1)
        .options(selectinload(QuestionnaireRequest.answers).joinedload(Answer.question))
    )


def portal_requests(contractor_id: int) -> Select:
    """A contractor's questionnaires: only its own company's, for arrangements it still answers for."""
    return _with_listed(
        select(QuestionnaireRequest).where(
            QuestionnaireRequest.contractor_id == contractor_id,
            QuestionnaireRequest.status != RequestStatus.CANCELLED,
            QuestionnaireRequest.arrangement_id.in_(owned_arrangement_ids(contractor_id)),
        )
    ).order_by(QuestionnaireRequest.due_on.desc(), QuestionnaireRequest.id.desc())


def portal_request_id(contractor_id: int, request_id: int) -> Select:
    """The id if the questionnaire is the contractor's own (else no row: a 404)."""
    return select(QuestionnaireRequest.id).where(
        QuestionnaireRequest.id == request_id,
        QuestionnaireRequest.contractor_id == contractor_id,
        QuestionnaireRequest.status != RequestStatus.CANCELLED,
        QuestionnaireRequest.arrangement_id.in_(owned_arrangement_ids(contractor_id)),
    )


def for_arrangement(arrangement_id: int, fiscal_year: int) -> Select:
    """An arrangement's questionnaires of one fiscal year (not cancelled)."""
    return (
        select(QuestionnaireRequest)
        .where(
            QuestionnaireRequest.arrangement_id == arrangement_id,
            covers_year(fiscal_year),
            QuestionnaireRequest.status != RequestStatus.CANCELLED,
        )
        .options(
            joinedload(QuestionnaireRequest.template),
            selectinload(QuestionnaireRequest.answers).joinedload(Answer.action),
        )
        .order_by(QuestionnaireRequest.id)
    )


def panel_rows(arrangement_id: int, fiscal_year: int) -> Select:
    """``for_arrangement`` for the arrangement page's panel, in one statement: each request with
    its template and whether a finding of it still has an open action (answers not loaded)."""
    open_finding = (
        select(Answer.id)
        .join(Action, Action.id == Answer.action_id)
        .where(Answer.request_id == QuestionnaireRequest.id, Action.status == ActionStatus.OPEN)
        .correlate(QuestionnaireRequest)
        .exists()
    )
    return (
        select(QuestionnaireRequest, open_finding.label("open_finding"))
        .where(
            QuestionnaireRequest.arrangement_id == arrangement_id,
            covers_year(fiscal_year),
            QuestionnaireRequest.status != RequestStatus.CANCELLED,
        )
        .options(joinedload(QuestionnaireRequest.template))
        .order_by(QuestionnaireRequest.id)
    )


def questions_of(version_id: int) -> Select:
    """A version's questions in section and question order."""
    return (
        select(Question)
        .join(Section, Section.id == Question.section_id)
        .where(Question.version_id == version_id)
        .order_by(Section.position, Section.id, Question.position, Question.id)
    )


def count_by_status(user, statuses) -> Select:
    """How many questionnaires the user may read are in these states."""
    return (
        select(func.count(QuestionnaireRequest.id))
        .join(Arrangement, Arrangement.id == QuestionnaireRequest.arrangement_id)
        .where(access.visible_to(user), QuestionnaireRequest.status.in_(statuses))
    )
