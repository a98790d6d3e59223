"""Reminders for self-check questionnaires: due (before the date), overdue (after it, repeated) and
escalation, like evidence requests. Only questionnaires still waiting for the contractor are read,
so a submitted one stops every further stage (the outbox's unique keys stop repeats of a stage)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.org.models import Department
from vendorguard.questionnaires.models import WAITING, QuestionnaireRequest, QuestionnaireTemplate
from vendorguard.reminders import kinds
from vendorguard.reminders.kinds import RuleSetting
from vendorguard.reminders.rules import (
    ADMINS,
    Audience,
    Candidate,
    arrangement_link,
    before_stage,
    first_days,
    officers,
    repeating_stage,
)


def _rows(session: Session, condition) -> Sequence[Row[Any]]:
    stmt = (
        select(
            QuestionnaireRequest.id,
            QuestionnaireRequest.due_on,
            QuestionnaireRequest.fiscal_year,
            QuestionnaireRequest.contractor_id,
            QuestionnaireTemplate.title,
            Arrangement.id.label("arrangement_id"),
            Arrangement.title.label("arrangement"),
            Arrangement.kind,
            Arrangement.department_id,
            Arrangement.responsible_officer_id,
            Department.name.label("department"),
        )
        .select_from(QuestionnaireRequest)
        .join(QuestionnaireTemplate, QuestionnaireTemplate.id == QuestionnaireRequest.template_id)
        .join(Arrangement, Arrangement.id == QuestionnaireRequest.arrangement_id)
        .join(Department, Department.id == Arrangement.department_id)
        .where(
            QuestionnaireRequest.status.in_(WAITING),
            condition,
            Arrangement.archived_at.is_(None),
        )
    )
    return session.execute(stmt).all()


def _base(row) -> tuple[dict, dict, tuple[Audience, ...]]:
    data = {
        "title": row.title,
        "occurrence": f"{row.fiscal_year}",
        "arrangement": row.arrangement,
        "arrangement_kind": row.kind,
        "department": row.department,
        "target_on": row.due_on.isoformat(),
        "links": [
            ["questionnaires.detail", {"request_id": row.id}],
            arrangement_link(row.kind, row.arrangement_id),
        ],
    }
    contractor_data = {
        "audience": "contractor",
        "links": [
            ["questionnaires.portal.detail", {"request_id": row.id}],
            ["questionnaires.portal.index", {}],
        ],
    }
    audiences = [officers(row.department_id, row.responsible_officer_id, row.kind)]
    if row.contractor_id:
        audiences.append(Audience("contractor", contractor_id=row.contractor_id))
    return data, contractor_data, tuple(audiences)


def questionnaire_due(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Questionnaires due within the offsets (14, 7, 1 days before, and on the day)."""
    if not setting.offsets:
        return []
    rows = _rows(
        session, QuestionnaireRequest.due_on.between(first, last + timedelta(days=setting.window))
    )
    result = []
    for row in rows:
        data, contractor_data, audiences = _base(row)
        for day, stage, left in first_days(
            first, last, before_stage(row.due_on, setting.offsets, "due")
        ):
            result.append(
                Candidate(
                    day,
                    kinds.QUESTIONNAIRE_DUE,
                    f"qreq:{row.id}:{row.due_on}",
                    stage,
                    row.due_on,
                    "questionnaire_request",
                    row.id,
                    row.arrangement_id,
                    {**data, "days": left},
                    audiences,
                    contractor_data,
                )
            )
    return result


def questionnaire_overdue(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Past due: the day after, then every ``repeat_days``; escalated after ``escalate_after_days``."""
    rows = _rows(session, QuestionnaireRequest.due_on < last)
    repeat = setting.repeat_days or 0
    escalate = setting.escalate_after_days
    result = []
    for row in rows:
        data, contractor_data, audiences = _base(row)
        topic = f"qreq:{row.id}:{row.due_on}"
        for day, stage, late in first_days(
            first, last, repeating_stage(0, repeat, row.due_on, "overdue")
        ):
            result.append(
                Candidate(
                    day,
                    kinds.QUESTIONNAIRE_OVERDUE,
                    topic,
                    stage,
                    row.due_on,
                    "questionnaire_request",
                    row.id,
                    row.arrangement_id,
                    {**data, "days": late},
                    audiences,
                    contractor_data,
                )
            )
        if escalate is None:
            continue
        for day, stage, late in first_days(
            first, last, repeating_stage(escalate, repeat, row.due_on, "escalate")
        ):
            result.append(
                Candidate(
                    day,
                    kinds.QUESTIONNAIRE_ESCALATION,
                    topic,
                    stage,
                    row.due_on,
                    "questionnaire_request",
                    row.id,
                    row.arrangement_id,
                    {**data, "days": late},
                    (Audience("escalation", row.department_id), ADMINS),
                )
            )
    return result
