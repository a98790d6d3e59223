"""The step list at the top of an engagement's page: 取扱情報 → 再委託と許諾 → 要件の網羅 →
特記事項 → 証跡, what is done and the next action.

The first three are the engagement's own (and the catalog's, below it); 特記事項 and 証跡 come from
the documents and evidence panels (``Panel.step``), which engagements does not import.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from vendorguard.arrangements.kinds import Step
from vendorguard.catalog.services import coverage_gaps
from vendorguard.engagements.models import Engagement


def own_steps(session: Session, engagement: Engagement) -> list[Step]:
    """Information handled, subcontracting and the city's permission, requirement coverage."""
    items = list(engagement.information_items)
    subcontractors = [s for s in engagement.subcontractors if s.archived_at is None]
    unpermitted = [s for s in subcontractors if not s.is_approved]
    gaps = coverage_gaps(session, engagement)
    edit = url_for("engagements.edit", engagement_id=engagement.id)
    detail = url_for("engagements.detail", engagement_id=engagement.id)
    return [
        Step(
            "information",
            _("取扱情報"),
            10,
            done=bool(items),
            summary=_("%(count)d件の情報", count=len(items)) if items else _("登録されていません"),
            action_label=_("取り扱う情報を登録する"),
            action_url=edit,
        ),
        Step(
            "subcontracting",
            _("再委託と許諾"),
            20,
            done=not unpermitted,
            summary=(
                _("再委託なし")
                if not subcontractors
                else _("許諾の記録がない再委託先 %(count)d件", count=len(unpermitted))
                if unpermitted
                else _("%(count)d件すべて許諾済み", count=len(subcontractors))
            ),
            action_label=_("許諾を記録する"),
            action_url=detail + "#subcontractors",
        ),
        Step(
            "coverage",
            _("要件の網羅"),
            30,
            done=not gaps,
            summary=_("すべて網羅") if not gaps else _("未網羅 %(count)d件", count=len(gaps)),
            action_label=_("要件の網羅状況を確認する"),
            action_url=url_for("catalog.coverage", arrangement_id=engagement.id),
        ),
    ]


def step_list(session: Session, engagement: Engagement, panel_steps: list[Step]) -> dict:
    """Every step in order and the first one not done (the page's primary action)."""
    steps = sorted([*own_steps(session, engagement), *panel_steps], key=lambda s: s.order)
    return {"steps": steps, "next_step": next((s for s in steps if not s.done), None)}
