"""Inspection reminders through the existing sweep and outbox: due soon, overdue, stop on completion."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.reminders.conftest import city  # noqa: F401 (the reminders' fictional department)
from vendorguard.extensions import db
from vendorguard.inspections.models import Inspection, InspectionStatus
from vendorguard.reminders import kinds, messages, sweep
from vendorguard.reminders.models import Notification

DAY = date(2026, 12, 1)


def _planned(kind: str, first: date, last: date | None = None):
    rows = sweep.plan(db.session, first, last or first)
    return sorted(
        (
            r.candidate.day,
            r.candidate.stage,
            r.recipient.email,
            messages.build(kind, r.data).subject,
        )
        for r in rows
        if r.candidate.kind == kind and r.recipient is not None
    )


def test_due_soon_once_per_stage_then_overdue_weekly_then_silent_when_done(city):  # noqa: F811
    inspection = Inspection(
        arrangement_id=city.engagement.id, fiscal_year=2026, planned_on=DAY + timedelta(days=7)
    )
    db.session.add(inspection)
    db.session.commit()
    due = _planned(kinds.INSPECTION_DUE, DAY, DAY + timedelta(days=7))
    assert [(day, stage) for day, stage, _to, _s in due] == [
        (DAY, "due-7"),
        (DAY + timedelta(days=7), "due-0"),
    ]
    assert all(to == "sato@city.example.jp" for _d, _s, to, _x in due)  # the responsible officer
    assert "実地検査の予定日まであと7日です：住民記録システム運用保守業務委託" in due[0][3]

    # the sweep queues each stage once, however often it runs
    for _ in range(3):
        sweep.run(db.session, DAY)
        db.session.commit()
    queued = db.session.scalars(
        select(Notification).where(Notification.kind == kinds.INSPECTION_DUE)
    ).all()
    assert [(n.email, n.topic.split(":")[0]) for n in queued] == [
        ("sato@city.example.jp", "inspection")
    ]
    overdue = _planned(kinds.INSPECTION_OVERDUE, DAY + timedelta(days=8), DAY + timedelta(days=28))
    stages = [stage for _d, stage, _to, _s in overdue]
    assert len(stages) == len(set(stages)) and 3 <= len(stages) <= 4  # weekly, not daily
    assert "予定日を1日過ぎています" in overdue[0][3]

    inspection.status = InspectionStatus.DONE
    db.session.commit()
    assert (
        _planned(kinds.INSPECTION_OVERDUE, DAY + timedelta(days=8), DAY + timedelta(days=28)) == []
    )
    assert _planned(kinds.INSPECTION_DUE, DAY, DAY + timedelta(days=7)) == []
