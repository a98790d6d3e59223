"""Sending questionnaires: to one arrangement, or to every arrangement of a kind in bulk, for the
fiscal year's period due at each one's self-check interval.

Services change rows and flush; they never commit. Audit events come from the flush.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from vendorguard.arrangements import access
from vendorguard.arrangements.models import Arrangement
from vendorguard.audit import capture as audit_capture
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo
from vendorguard.engagements.models import Engagement
from vendorguard.evidence.calendar import next_open_day
from vendorguard.questionnaires import queries, schedule
from vendorguard.questionnaires.models import (
    QuestionnaireRequest,
    QuestionnaireTemplate,
    RequestStatus,
)
from vendorguard.questionnaires.periods import Period

MAX_BULK = 2000


def contractor_of(arrangement: Arrangement) -> int | None:
    """The company that answers for an arrangement (an engagement's contractor, a service's provider)."""
    return getattr(arrangement, "contractor_id", None) or getattr(
        arrangement, "provider_contractor_id", None
    )


@dataclass
class SendData:
    """What the officer chooses when sending."""

    template_id: int | None
    fiscal_year: int | None
    due_on: date | None
    message: str | None = ""


def _check_send(
    session: Session, data: SendData, today: date
) -> tuple[QuestionnaireTemplate, int, date]:
    template = session.get(QuestionnaireTemplate, data.template_id or 0)
    if data.due_on is None:
        raise DomainError(_("回答期限は明日以降の日付にしてください。"), field="due_on")
    if data.fiscal_year is None:
        raise DomainError(_("年度を正しく入力してください。"), field="fiscal_year")
    if template is None or template.archived_at is not None:
        raise DomainError(_("点検票を選んでください。"), field="template_id")
    version = session.scalars(queries.approved_version(template.id)).first()
    if version is None:
        raise DomainError(_("この点検票には承認済みの版がありません。"), field="template_id")
    due_on = next_open_day(data.due_on)
    if due_on <= today:
        raise DomainError(_("回答期限は明日以降の日付にしてください。"), field="due_on")
    if not 2000 <= data.fiscal_year <= 2199:
        raise DomainError(_("年度を正しく入力してください。"), field="fiscal_year")
    return template, version.id, due_on


def _new_request(
    session: Session,
    arrangement: Arrangement,
    template: QuestionnaireTemplate,
    version_id: int,
    data: SendData,
    due_on: date,
    user,
    period: Period,
) -> QuestionnaireRequest:
    request = QuestionnaireRequest(
        template_id=template.id,
        version_id=version_id,
        arrangement_id=arrangement.id,
        contractor_id=contractor_of(arrangement),
        fiscal_year=period.fiscal_year,
        period_start=period.start,
        period_months=period.months,
        due_on=due_on,
        status=RequestStatus.SENT,
        message=(data.message or "").strip()[:2000],
        sent_by_id=getattr(user, "id", None),
    )
    session.add(request)
    audit_capture.tag(session, request, "send")
    return request


def _live_exists(session: Session, arrangement_id: int, template_id: int, start: date) -> bool:
    return (
        session.scalar(
            select(QuestionnaireRequest.id).where(
                QuestionnaireRequest.arrangement_id == arrangement_id,
                QuestionnaireRequest.template_id == template_id,
                QuestionnaireRequest.period_start == start,
                QuestionnaireRequest.status != RequestStatus.CANCELLED,
            )
        )
        is not None
    )


def send(
    session: Session, arrangement: Arrangement, data: SendData, user, today: date | None = None
) -> QuestionnaireRequest:
    """Send an approved questionnaire for one arrangement, for the fiscal year's period that is
    due at its self-check interval (``schedule.period_for``); the due date moves to an open day."""
    today = today or today_tokyo()
    if arrangement.is_archived:
        raise DomainError(_("アーカイブ済みの案件には送付できません。"))
    template, version_id, due_on = _check_send(session, data, today)
    if template.applies_to != arrangement.kind:
        raise DomainError(_("この点検票はこの種類の案件には使えません。"), field="template_id")
    period = schedule.period_for(session, arrangement, data.fiscal_year or 0, today)
    if _live_exists(session, arrangement.id, template.id, period.start):
        raise DomainError(
            _(
                "この案件には同じ期間（%(period)s）の同じ点検票を既に送付しています。",
                period=period.label(),
            ),
            field="template_id",
        )
    request = _new_request(session, arrangement, template, version_id, data, due_on, user, period)
    session.flush()
    return request


def send_bulk(
    session: Session,
    data: SendData,
    department_id: int | None,
    user,
    today: date | None = None,
    *,
    tier: str | None = None,
) -> tuple[int, int]:
    """Send to every arrangement of the template's kind the user may manage (optionally one
    department, optionally engagements of one risk tier) that has none yet for the year's
    period due at its tier's self-check interval. Returns (sent, skipped)."""
    today = today or today_tokyo()
    template, version_id, due_on = _check_send(session, data, today)
    due = schedule.due_periods(session, data.fiscal_year or 0, today)
    # Each arrangement's due period depends on its tier: one SQL expression picks its start,
    # so arrangements already sent are left out before the limit, in one query.
    tiers = Engagement.__table__.alias("tier_of")  # the plain table: never the loaded entity
    tier_of = tiers.c.tier
    stmt = (
        select(Arrangement, tier_of)
        .outerjoin(tiers, tiers.c.id == Arrangement.id)
        .where(
            Arrangement.kind == template.applies_to,
            Arrangement.archived_at.is_(None),
            access.managed_by(user),
            ~exists().where(
                QuestionnaireRequest.arrangement_id == Arrangement.id,
                QuestionnaireRequest.template_id == template.id,
                QuestionnaireRequest.period_start == due.start_expression(tier_of),
                QuestionnaireRequest.status != RequestStatus.CANCELLED,
            ),
        )
        .order_by(Arrangement.id)
        .limit(MAX_BULK)
    )
    if department_id:
        stmt = stmt.where(Arrangement.department_id == department_id)
    if tier:
        stmt = stmt.where(Arrangement.id.in_(select(Engagement.id).where(Engagement.tier == tier)))
    sent = skipped = 0
    for arrangement, arrangement_tier in session.execute(stmt).tuples().all():
        if contractor_of(arrangement) is None:
            skipped += 1  # nobody to answer in the portal; send a link from its page instead
            continue
        period = due.of(arrangement_tier)
        _new_request(session, arrangement, template, version_id, data, due_on, user, period)
        sent += 1
    session.flush()
    return sent, skipped
