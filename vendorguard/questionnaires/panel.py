"""This fiscal year's self-check state of one arrangement (done / due / overdue / findings open)."""

from __future__ import annotations

from datetime import date
from typing import Any

from vendorguard.arrangements import access
from vendorguard.assessments.models import ActionStatus
from vendorguard.core.timeutil import fiscal_year
from vendorguard.questionnaires import queries
from vendorguard.questionnaires.models import RequestStatus


def state(req, today: date) -> tuple[str, str]:
    """(label, badge) of one questionnaire for the panel and lists."""
    open_findings = [
        a for a in req.answers if a.action is not None and a.action.status == ActionStatus.OPEN
    ]
    if open_findings:
        return "findings", "badge-danger"
    if req.status == RequestStatus.CLOSED:
        return "done", "badge-ok"
    if req.is_overdue(today):
        return "overdue", "badge-danger"
    if req.status == RequestStatus.SUBMITTED:
        return "review", "badge-info"
    return "due", "badge-warn"


def panel_context(session, arrangement, user, today: date) -> dict[str, Any]:
    """What the panel shows: this fiscal year's questionnaires and their state."""
    year = fiscal_year(today)
    requests = session.scalars(queries.for_arrangement(arrangement.id, year)).unique().all()
    return {
        "questionnaire_panel": {
            "arrangement": arrangement,
            "year": year,
            "rows": [(req, *state(req, today)) for req in requests],
            "may_send": access.can_manage(user, arrangement),
            "today": today,
        }
    }
