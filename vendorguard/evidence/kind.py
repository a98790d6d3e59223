"""Registers the evidence panel every arrangement detail page shows."""

from __future__ import annotations

from vendorguard.arrangements.kinds import Panel, register_panel
from vendorguard.evidence.assurance import assurance_for


def _context(session, arrangement, user, today):
    return {"assurance": assurance_for(session, arrangement, today)}


PANEL = register_panel(Panel("evidence", "evidence/_panel.html", _context, order=10))
