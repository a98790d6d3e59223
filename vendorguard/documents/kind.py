"""Registers the security terms panel (coverage and generated documents) of every detail page."""

from __future__ import annotations

from vendorguard.arrangements.kinds import Panel, register_panel
from vendorguard.documents.queries import latest_versions


def _context(session, arrangement, user, today):
    return {"documents": session.scalars(latest_versions(arrangement.id)).all()}


PANEL = register_panel(Panel("documents", "arrangements/_terms.html", _context, order=30))
