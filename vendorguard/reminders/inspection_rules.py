"""Rules over inspections (実地検査): one planned soon, and one whose planned day has passed.

The overdue reminder repeats every ``repeat_days`` (weekly periods, like the SNS flags) until the
record is completed; completing it (status ``done``) takes it out of both rules at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement, ArrangementState
from vendorguard.inspections.models import Inspection, InspectionStatus
from vendorguard.org.models import Department
from vendorguard.reminders import kinds
from vendorguard.reminders.kinds import RuleSetting
from vendorguard.reminders.rules import Candidate, ahead, days_between, officers, window_condition

LIVE = (ArrangementState.ACTIVE, ArrangementState.SUSPENDED)
PERIOD_EPOCH = date(2024, 1, 1)  # a Monday: repeat periods start on Mondays


def _rows(session: Session, *conditions) -> Sequence[Row[Any]]:
    return session.execute(
        select(
            Inspection.id,
            Inspection.planned_on,
            Inspection.fiscal_year,
            Inspection.sequence,
            Arrangement.id.label("arrangement_id"),
            Arrangement.title.label("arrangement"),
            Arrangement.kind,
            Arrangement.department_id,
            Arrangement.responsible_officer_id,
            Department.name.label("department"),
        )
        .join(Arrangement, Arrangement.id == Inspection.arrangement_id)
        .join(Department, Department.id == Arrangement.department_id)
        .where(
            Inspection.status == InspectionStatus.PLANNED,
            Arrangement.archived_at.is_(None),
            Arrangement.state.in_(LIVE),
            *conditions,
        )
    ).all()


def _data(row) -> dict:
    return {
        "arrangement": row.arrangement,
        "arrangement_kind": row.kind,
        "department": row.department,
        "target_on": row.planned_on.isoformat(),
        "fiscal_year": row.fiscal_year,
        "sequence": row.sequence,
        "links": [["inspections.detail", {"inspection_id": row.id}]],
    }


def _candidate(row, day: date, kind: str, stage: str, data: dict) -> Candidate:
    return Candidate(
        day,
        kind,
        f"inspection:{row.id}:{row.planned_on}",
        stage,
        row.planned_on,
        "inspection",
        row.id,
        row.arrangement_id,
        data,
        (officers(row.department_id, row.responsible_officer_id, row.kind),),
    )


def inspection_due(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Planned inspections whose planned day is near (each offset once)."""
    rows = _rows(session, window_condition(Inspection.planned_on, first, last, setting))
    result = []
    for row in rows:
        for day, stage, left in ahead(first, last, setting, row.planned_on, "due"):
            result.append(
                _candidate(row, day, kinds.INSPECTION_DUE, stage, {**_data(row), "days": left})
            )
    return result


def inspection_overdue(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Planned inspections past their planned day: the day after, then once every repeat period."""
    rows = _rows(session, Inspection.planned_on < last)
    repeat = setting.repeat_days or 0
    result = []
    for row in rows:
        seen = set()
        for day in days_between(max(first, row.planned_on + timedelta(days=1)), last):
            if repeat:
                period = PERIOD_EPOCH + timedelta(
                    days=((day - PERIOD_EPOCH).days // repeat) * repeat
                )
                stage = f"overdue-{max(period, row.planned_on + timedelta(days=1))}"
            else:
                stage = "overdue"
            if stage in seen:
                continue
            seen.add(stage)
            data = {**_data(row), "days": (day - row.planned_on).days}
            result.append(_candidate(row, day, kinds.INSPECTION_OVERDUE, stage, data))
    return result
