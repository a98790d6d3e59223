"""The roster and exit panel on engagement pages, and the roster-change message of the outbox."""

from __future__ import annotations

from sqlalchemy import func, select

from vendorguard.arrangements.kinds import Panel, register_panel
from vendorguard.arrangements.models import ArrangementKind
from vendorguard.supervision import notify  # noqa: F401  (registers the outbox message)
from vendorguard.supervision.models import ExitChecklist, StaffMember


def _context(session, arrangement, user, today) -> dict:
    if arrangement.kind != ArrangementKind.ENGAGEMENT.value:
        return {"supervision": None}
    staff, flagged = session.execute(
        select(
            func.count(StaffMember.id),
            func.count(StaffMember.id).filter(
                StaffMember.ends_on < today, StaffMember.access_revoked_on.is_(None)
            ),
        ).where(StaffMember.engagement_id == arrangement.id)
    ).one()
    checklist = session.scalar(
        select(ExitChecklist).where(ExitChecklist.engagement_id == arrangement.id)
    )
    return {"supervision": {"staff": staff, "flagged": flagged, "checklist": checklist}}


PANEL = register_panel(Panel("supervision", "supervision/_panel.html", _context, order=5))
