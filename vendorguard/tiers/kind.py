"""Registers the tier panel of engagement pages, the evidence cadence policy and the session hook."""

from __future__ import annotations

from vendorguard.arrangements.kinds import Panel, register_panel
from vendorguard.evidence.standard import set_cadence_policy
from vendorguard.tiers import events  # noqa: F401  (registers the recompute hook)
from vendorguard.tiers.policy import evidence_cadence
from vendorguard.tiers.queries import panel_context

PANEL = register_panel(Panel("tiers", "tiers/_panel.html", panel_context, order=5))
set_cadence_policy(evidence_cadence)
