"""This fiscal year's self-check state of one arrangement (done / due / overdue / findings open)."""

from __future__ import annotations

from datetime import date
from typing import Any

from vendorguard.arrangements import access
from vendorguard.core.timeutil import fiscal_year
from vendorguard.questionnaires import queries
from vendorguard.questionnaires.models import RequestStatus


def state(req, open_finding: bool, today: date) -> tuple[str, str]:
    """(label, badge) of one questionnaire for the panel; ``open_finding``: a finding of it still
    has an open action."""
    if open_finding:
        return "findings", "badge-danger"
    if req.status == RequestStatus.CLOSED:
        return "done", "badge-ok"
    if req.is_overdue(today):
        return "overdue", "badge-danger"
    if req.status == RequestStatus.SUBMITTED:
        return "review", "badge-info"
    return "due", "badge-warn"


def panel_context(session, arrangement, user, today: date) -> dict[str, Any]:
    """What the panel shows: this fiscal year's questionnaires and their state (one statement)."""
    year = fiscal_year(today)
    rows = session.execute(queries.panel_rows(arrangement.id, year)).all()
    return {
        "questionnaire_panel": {
            "arrangement": arrangement,
            "year": year,
            "rows": [(req, *state(req, open_finding, today)) for req, open_finding in rows],
            "may_send": access.can_manage(user, arrangement),
            "today": today,
        }
    }
