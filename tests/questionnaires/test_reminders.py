"""Questionnaire reminders: queued once per stage, escalated when long overdue, stopped by submit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.questionnaires.conftest import send
from vendorguard.core.timeutil import utcnow
from vendorguard.extensions import db
from vendorguard.questionnaires.models import QuestionnaireRequest, RequestStatus
from vendorguard.reminders import messages, sweep
from vendorguard.reminders.models import Notification


def _rows(request_id):
    return db.session.scalars(
        select(Notification).where(
            Notification.subject_type == "questionnaire_request",
            Notification.subject_id == request_id,
        )
    ).all()


def _sweep(day):
    sweep.run(db.session, day)
    db.session.commit()


def test_queued_once_per_stage_and_stopped_by_submit(world):
    req = send(world)
    due = req.due_on
    _sweep(due - timedelta(days=7))
    first = {(n.kind, n.stage, n.user_id) for n in _rows(req.id)}
    assert ("questionnaire_due", "due-7", world.officer.id) in first
    assert ("questionnaire_due", "due-7", world.contractor_user.id) in first
    _sweep(due - timedelta(days=7))  # the same day again
    _sweep(due - timedelta(days=6))  # still the 7-day stage
    assert {(n.kind, n.stage, n.user_id) for n in _rows(req.id)} == first

    _sweep(due + timedelta(days=1))
    stages = {n.stage for n in _rows(req.id)}
    assert "overdue-1" in stages
    _sweep(due + timedelta(days=15))
    escalations = [n for n in _rows(req.id) if n.kind == "questionnaire_escalation"]
    assert escalations and all(n.user_id != world.contractor_user.id for n in escalations)
    contractor_row = next(n for n in _rows(req.id) if n.user_id == world.contractor_user.id)
    message = messages.build(contractor_row.kind, contractor_row.data)
    assert "自己点検" in message.subject and f"/questionnaires/portal/{req.id}" in (
        message.link or ""
    )

    count = len(_rows(req.id))
    request = db.session.get(QuestionnaireRequest, req.id)
    request.status = RequestStatus.SUBMITTED
    request.submitted_at = utcnow()
    db.session.commit()
    _sweep(due + timedelta(days=22))
    _sweep(due + timedelta(days=29))
    assert len(_rows(req.id)) == count
