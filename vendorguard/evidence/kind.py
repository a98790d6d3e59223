"""Registers the evidence panel every arrangement detail page shows."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from vendorguard.arrangements.kinds import Panel, Step, register_panel
from vendorguard.evidence import (  # noqa: F401  (register the hooks that keep them)
    request_department,
    standing,
)
from vendorguard.evidence.panel_state import panel_state

SHOWN = 5  # the items the panel lists; the others are counted ("ほか N件")


def _context(session, arrangement, user, today):
    return {"assurance": panel_state(session, arrangement, today, shown=SHOWN)}


def _step(arrangement, context) -> Step:
    assurance = context["assurance"]
    return Step(
        "evidence",
        _("証跡"),
        50,
        done=assurance.status in ("confirmed", "pending"),
        summary=assurance.label,
        action_label=_("証跡を確認する"),
        action_url=url_for("evidence.arrangement", arrangement_id=arrangement.id),
    )


PANEL = register_panel(Panel("evidence", "evidence/_panel.html", _context, order=10, step=_step))
