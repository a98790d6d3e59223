"""Registers the assessment panel (latest 確認 and open 措置) of every arrangement detail page."""

from __future__ import annotations

from vendorguard.arrangements.kinds import Panel, register_panel
from vendorguard.assessments.queries import summary_context

PANEL = register_panel(Panel("assessments", "assessments/_summary.html", summary_context, order=20))
