"""Registers the security terms panel of every detail page and the document line of the coverage page."""

from __future__ import annotations

from vendorguard.arrangements.kinds import Panel, register_page_context, register_panel
from vendorguard.documents.queries import latest_versions
from vendorguard.documents.services import document_kind, refusal


def _context(session, arrangement, user, today):
    return {"documents": session.scalars(latest_versions(arrangement.id)).all()}


PANEL = register_panel(Panel("documents", "arrangements/_terms.html", _context, order=30))


def _coverage_context(session, arrangement):
    return {"document_kind": document_kind(arrangement), "document_refusal": refusal(arrangement)}


register_page_context("coverage", "documents", _coverage_context)
