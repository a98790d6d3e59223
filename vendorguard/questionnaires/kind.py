"""Registers the self-check panel (this fiscal year's questionnaires) of every arrangement page."""

from __future__ import annotations

from vendorguard.arrangements.kinds import Panel, register_panel
from vendorguard.questionnaires.panel import panel_context

PANEL = register_panel(
    Panel("questionnaires", "questionnaires/_panel.html", panel_context, order=25)
)
