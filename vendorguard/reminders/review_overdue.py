"""Reminders after a periodic review's date has passed (+1, +7, +30 days by default).

Before the date ``arrangement_rules.review_due`` reminds; after it nothing did, so an overdue review
went unnoticed. The stages here are days *after* the date (the kind's ``offsets``); a missed day
is caught up like the stages before a date, and the outbox's unique key keeps each stage to one
row per person however often the sweep runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement, ArrangementKind
from vendorguard.reminders import kinds
from vendorguard.reminders.arrangement_rules import LIVE, arrangement_data, arrangement_dates
from vendorguard.reminders.kinds import RuleSetting
from vendorguard.reminders.rules import Candidate, first_days, officers


def after_stage(
    target: date, offsets: tuple[int, ...], prefix: str
) -> Callable[[date], tuple[str, int] | None]:
    """Stage of a date passed: the largest offset not above the days late ('overdue-7' at 10 days)."""

    def stage_of(day: date) -> tuple[str, int] | None:
        late = (day - target).days
        fitting = [offset for offset in offsets if 0 < offset <= late]
        if not fitting:
            return None
        return f"{prefix}-{max(fitting)}", late

    return stage_of


def review_overdue(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Engagements and cloud services whose review date has passed and that are still not reviewed
    (recording a review moves ``next_review_on`` on, which ends the stages)."""
    if not setting.offsets:
        return []
    # Only dates whose stages can begin in the range: between the last offset and one day late.
    reach = max(setting.offsets)
    rows = arrangement_dates(
        session,
        Arrangement.next_review_on,
        first - timedelta(days=reach),
        last - timedelta(days=1),
        RuleSetting(setting.kind, True, (), None, None),  # the window is the range itself
        Arrangement.state.in_(LIVE),
        Arrangement.kind.in_(
            (ArrangementKind.ENGAGEMENT.value, ArrangementKind.CLOUD_SERVICE.value)
        ),
    )
    result = []
    for row in rows:
        data = arrangement_data(row, row.target)
        data["links"] = [
            ["assessments.history", {"arrangement_id": row.arrangement_id}],
            *data["links"],
        ]
        for day, stage, late in first_days(
            first, last, after_stage(row.target, setting.offsets, "overdue")
        ):
            result.append(
                Candidate(
                    day,
                    kinds.REVIEW_OVERDUE,
                    f"review:{row.arrangement_id}:{row.target}",
                    stage,
                    row.target,
                    row.kind,
                    row.arrangement_id,
                    row.arrangement_id,
                    {**data, "days": late},
                    (officers(row.department_id, row.responsible_officer_id, row.kind),),
                )
            )
    return result
