"""Registers the inspection panel (this fiscal year's 実地検査) of engagement detail pages."""

from __future__ import annotations

from vendorguard.arrangements.kinds import Panel, register_panel
from vendorguard.engagements.models import Engagement
from vendorguard.inspections.queries import fiscal_state


def _context(session, arrangement, user, today):
    # Only engagements are inspected; other kinds' pages show nothing of it.
    if not isinstance(arrangement, Engagement):
        return {"inspection_state": None}
    return {"inspection_state": fiscal_state(session, arrangement, user, today)}


PANEL = register_panel(Panel("inspections", "inspections/_panel.html", _context, order=25))
