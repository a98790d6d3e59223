"""Sections a contractor's page shows below its certificates, registered by the features owning them.

Engagements register theirs (``engagements/kind.py``): contractors sit below engagements and do
not import them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ContractorPanel:
    """A template included on the contractor page, with the context ``context(session, contractor)`` gives."""

    name: str
    template: str
    context: Callable[[Any, Any], dict[str, Any]]
    order: int = 100


_PANELS: dict[str, ContractorPanel] = {}


def register_contractor_panel(panel: ContractorPanel) -> ContractorPanel:
    """Add a panel to every contractor page (the same name again replaces it)."""
    _PANELS[panel.name] = panel
    return panel


def contractor_panels(session, contractor) -> dict[str, Any]:
    """Template context: ``panels`` (template names, in order) and what they show."""
    panels = sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.name))
    context: dict[str, Any] = {"panels": [panel.template for panel in panels]}
    for panel in panels:
        context.update(panel.context(session, contractor))
    return context
