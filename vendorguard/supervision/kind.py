"""The roster and exit panel on engagement pages, and the roster-change message of the outbox."""

from __future__ import annotations

from vendorguard.arrangements.kinds import Panel, register_panel
from vendorguard.arrangements.models import ArrangementKind
from vendorguard.supervision import (
    notify,  # noqa: F401  (registers the outbox message)
    queries,
)


def _context(session, arrangement, user, today) -> dict:
    if arrangement.kind != ArrangementKind.ENGAGEMENT.value:
        return {"supervision": None}
    staff, flagged, checklist_id, closed_at = session.execute(
        queries.panel_summary(arrangement.id, today)
    ).one()
    checklist = {"closed_at": closed_at} if checklist_id is not None else None
    return {"supervision": {"staff": staff, "flagged": flagged, "checklist": checklist}}


PANEL = register_panel(Panel("supervision", "supervision/_panel.html", _context, order=5))
