"""Registers the security terms panel of every detail page and the document line of the coverage page."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from vendorguard.arrangements.kinds import Panel, Step, register_page_context, register_panel
from vendorguard.documents.queries import latest_versions
from vendorguard.documents.services import document_kind, refusal


def _context(session, arrangement, user, today):
    return {"documents": session.scalars(latest_versions(arrangement.id)).all()}


def _step(arrangement, context) -> Step:
    documents = context["documents"]
    latest = documents[0] if documents else None
    return Step(
        "documents",
        _("特記事項"),
        40,
        done=latest is not None,
        summary=_(
            "第%(version)d版（%(date)s 作成）",
            version=latest.version,
            date=latest.created_at.strftime("%Y-%m-%d"),
        )
        if latest is not None
        else _("まだ作成していません"),
        action_label=_("特記事項を作成") if latest is None else _("新しい版を作成"),
        action_url=url_for("documents.versions", arrangement_id=arrangement.id) + "#generate",
    )


PANEL = register_panel(
    Panel("documents", "arrangements/_terms.html", _context, order=30, step=_step)
)


def _coverage_context(session, arrangement):
    return {"document_kind": document_kind(arrangement), "document_refusal": refusal(arrangement)}


register_page_context("coverage", "documents", _coverage_context)
