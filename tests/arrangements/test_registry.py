"""A kind that only the tests define shows up everywhere a kind matters, with no shipped code edited.

The site-visit kind (``tests/arrangements/site_visits.py``) registers itself with the registry:
lists offer and show it, its permissions and visibility rule decide who sees and changes it, its
detail page shows the panels it asks for, and reminders go to the roles it names and link to its page.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.arrangements.site_visits import SiteVisit, site_visits  # noqa: F401  (fixture)
from tests.conftest import login
from tests.reminders.conftest import add_request
from vendorguard.arrangements import access
from vendorguard.arrangements.models import Arrangement, ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.evidence.models import EvidenceProvider
from vendorguard.extensions import db
from vendorguard.reminders import kinds as reminder_kinds
from vendorguard.reminders import messages, sweep

DAY = date(2026, 12, 1)


@pytest.fixture
def city(make, site_visits):  # noqa: F811  (the fixture imported above)
    """Two departments, one user per role, a draft visit of 市民課 and a published one of 税務課."""
    own = make.department(name="市民課", email="shimin@city.example.jp")
    other = make.department(name="税務課")
    people = {
        "officer": make.user(Role.OFFICER, department=own, email="officer@city.example.jp"),
        "owner": make.user(Role.SNS_OWNER, department=own, email="owner@city.example.jp"),
        "other_officer": make.user(Role.OFFICER, department=other),
        "admin": make.user(Role.ADMIN, email="security@city.example.jp"),
        "procurement": make.user(Role.PROCUREMENT),
        "auditor": make.user(Role.AUDITOR),
    }
    draft = SiteVisit(title="データセンター現地確認", department_id=own.id, published=False)
    published = SiteVisit(title="庁舎保守現地確認", department_id=other.id, published=True)
    for visit in (draft, published):
        visit.state = ArrangementState.ACTIVE
        db.session.add(visit)
    db.session.commit()
    return people, draft, published


def test_lists_offer_and_show_the_new_kind(client, city):
    people, draft, _published = city
    add_request(draft, DAY, provider=EvidenceProvider.INTERNAL)
    login(client, people["officer"])
    requests = client.get("/evidence/requests/").get_data(as_text=True)
    assert '<option value="site_visit"' in requests and "現地確認</option>" in requests
    assert "データセンター現地確認" in requests
    filtered = client.get("/evidence/requests/?kind=site_visit").get_data(as_text=True)
    assert "データセンター現地確認" in filtered
    actions = client.get("/assessments/actions/").get_data(as_text=True)
    assert '<option value="site_visit"' in actions


def test_permissions_and_visibility_come_from_the_registration(app, city):
    people, draft, published = city
    expected = {
        # user: (may read the draft, may change the draft, may read the other department's visit)
        "officer": (True, True, True),
        "owner": (False, False, False),  # sns_owner holds no site_visit.view
        "other_officer": (False, False, True),  # another department's draft stays hidden
        "admin": (True, True, True),
        "procurement": (False, False, False),
        "auditor": (False, False, True),  # reads what is published, not others' drafts
    }
    for name, (read, change, read_other) in expected.items():
        user = people[name]
        assert access.can_view(user, draft) is read, name
        assert access.can_manage(user, draft) is (change and read), name
        assert access.can_view(user, published) is read_other, name
        shown = set(
            db.session.scalars(
                db.select(Arrangement.id).where(
                    Arrangement.kind == "site_visit", access.visible_to(user)
                )
            )
        )
        assert shown == {v.id for v, ok in ((draft, read), (published, read_other)) if ok}, name
    for name, status in (("officer", 200), ("other_officer", 404), ("procurement", 403)):
        client = app.test_client()
        login(client, people[name])
        assert client.get(f"/test-site-visits/{draft.id}").status_code == status, name
        assert client.get(f"/evidence/arrangement/{draft.id}").status_code == status, name


def test_detail_page_shows_the_panels_the_kind_lists(client, city):
    people, draft, _published = city
    login(client, people["officer"])
    page = client.get(f"/test-site-visits/{draft.id}").get_data(as_text=True)
    assert "証跡の確認状況" in page  # evidence panel
    assert f"/assessments/arrangement/{draft.id}" in page  # assessment panel
    assert "checklist of データセンター現地確認" in page  # the kind's own panel
    assert "セキュリティ要件と文書" not in page  # documents: not listed by this kind


def test_reminders_go_to_the_roles_the_kind_names_and_link_to_its_page(app, city):
    people, draft, _published = city
    add_request(draft, DAY + timedelta(days=7), provider=EvidenceProvider.INTERNAL)
    rows = [
        r
        for r in sweep.plan(db.session, DAY, DAY)
        if r.candidate.kind == reminder_kinds.EVIDENCE_DUE
    ]
    assert {r.recipient.email for r in rows} == {"owner@city.example.jp"}
    message = messages.build(rows[0].candidate.kind, rows[0].data)
    assert ("現地確認", "データセンター現地確認") in message.facts
    assert ["site_visits.detail", {"visit_id": draft.id}] in rows[0].data["links"]
