"""Registers the self-check panel (this fiscal year's questionnaires) of every arrangement page,
and the self-check schedule's reaction to tier changes (``schedule`` registers on import)."""

from __future__ import annotations

from vendorguard.arrangements.kinds import Panel, register_panel
from vendorguard.questionnaires import schedule  # noqa: F401  (registers with tiers.services)
from vendorguard.questionnaires.panel import panel_context

PANEL = register_panel(
    Panel("questionnaires", "questionnaires/_panel.html", panel_context, order=25)
)
