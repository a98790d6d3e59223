"""A kind of arrangement that exists only in the tests: 現地確認 (site visits) of a contractor.

It lives entirely here — its model, its table (in its own MetaData, so the app's schema and its
migrations do not know it), its blueprint, its permissions and its registration — to show that a
new kind needs nothing from the shipped code but the registry.
"""

from __future__ import annotations

import pytest
from flask import Blueprint, render_template_string
from flask_login import current_user
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import Boolean, Column, ForeignKey, Integer, MetaData, Table, or_

from vendorguard.arrangements import kinds
from vendorguard.arrangements.access import arrangement_or_404, detail_panels, ensure_can_view
from vendorguard.arrangements.kinds import ArrangementKindSpec, Panel, register_kind, register_panel
from vendorguard.arrangements.models import Arrangement
from vendorguard.auth import roles
from vendorguard.auth.roles import Role
from vendorguard.extensions import db

KIND = "site_visit"
visit_metadata = MetaData()


class SiteVisit(Arrangement):
    """A visit to a contractor's premises; unpublished ones are their department's business."""

    __table__ = Table(
        "test_site_visit",
        visit_metadata,
        Column("id", Integer, ForeignKey(Arrangement.__table__.c.id), primary_key=True),
        Column("published", Boolean, nullable=False, default=False),
    )
    __mapper_args__ = {"polymorphic_identity": KIND}


def visible(user):
    """Published visits, and the user's own department's; the security office sees all."""
    if user.role == Role.ADMIN:
        return SiteVisit.published.is_(True) | SiteVisit.published.is_(False)
    return or_(SiteVisit.published.is_(True), SiteVisit.department_id == user.department_id)


bp = Blueprint("site_visits", __name__, url_prefix="/test-site-visits")


@bp.route("/<int:visit_id>")
def detail(visit_id: int):
    """The visit's page: its title and the panels its kind shows."""
    visit = arrangement_or_404(visit_id)
    ensure_can_view(visit)
    return render_template_string(
        "<h1>{{ arrangement.title }}</h1>{% include 'arrangements/_panels.html' %}",
        **detail_panels(db.session, visit, current_user),
    )


CHECKLIST = '<section class="card"><h2>現地確認の項目</h2><p>{{ visit_note }}</p></section>'


def _checklist(session, arrangement, user, today):
    return {"visit_note": f"checklist of {arrangement.title}"}


@pytest.fixture
def site_visits(app, monkeypatch):
    """The site-visit kind registered, its permissions granted, its table and page in place."""
    monkeypatch.setattr(kinds, "_KINDS", dict(kinds._KINDS))
    monkeypatch.setattr(kinds, "_PANELS", dict(kinds._PANELS))
    monkeypatch.setitem(
        roles.PERMISSIONS, "site_visit.view", frozenset({Role.ADMIN, Role.OFFICER, Role.AUDITOR})
    )
    monkeypatch.setitem(
        roles.PERMISSIONS, "site_visit.manage", frozenset({Role.ADMIN, Role.OFFICER})
    )
    monkeypatch.setitem(roles.ALL_DEPARTMENTS, "site_visit.manage", frozenset({Role.ADMIN}))
    register_panel(Panel("visit_checklist", "site_visits/_checklist.html", _checklist))
    spec = register_kind(
        ArrangementKindSpec(
            value=KIND,
            label="現地確認",
            model=SiteVisit,
            detail_endpoint="site_visits.detail",
            detail_arg="visit_id",
            view_permission="site_visit.view",
            manage_permission="site_visit.manage",
            visibility=visible,
            reminded_roles=frozenset({Role.SNS_OWNER}),
            panels=("evidence", "assessments", "visit_checklist"),
        )
    )
    app.register_blueprint(bp)
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"site_visits/_checklist.html": CHECKLIST}), app.jinja_env.loader]
    )
    visit_metadata.create_all(db.engine)
    yield spec
    db.session.rollback()
    db.session.execute(SiteVisit.__table__.delete())
    db.session.commit()
    visit_metadata.drop_all(db.engine)
