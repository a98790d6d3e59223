"""Issue 14: the English UI shows no Japanese UI text. A sample of pages per role is rendered in
English over data seeded in ASCII; what remains after the seeded values are taken out (and the
language switcher's own "日本語") must hold no Japanese character."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from lxml import html as lxml_html

from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.evidence.models import (
    Cadence,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    RequestStatus,
)
from vendorguard.extensions import db

# Hiragana, katakana (with ・ and ー), CJK ideographs, full-width forms (：、（）), CJK punctuation.
JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-confirm")
LANGUAGE_NAMES = ("日本語",)  # the switcher names each language in itself
# Audit events keep the label their object had when the change was made (a record, like data):
# an evidence request recorded in Japanese reads 「2026年11月分」 in every language.
RECORDED_LABELS = re.compile(r"\d{4}年\d{1,2}月分")
KNOWN_LEFTOVERS = RECORDED_LABELS


def _request(arrangement, title: str, due_on: date) -> EvidenceRequest:
    requirement = EvidenceRequirement(
        arrangement_id=arrangement.id,
        title=title,
        description="Report on the security measures taken this month.",
        cadence=Cadence.MONTHLY,
        provider=EvidenceProvider.CONTRACTOR,
    )
    db.session.add(requirement)
    db.session.flush()
    request = EvidenceRequest(
        evidence_requirement_id=requirement.id,
        arrangement_id=arrangement.id,
        occurrence=f"{due_on:%Y-%m}",
        scheduled_due_on=due_on,
        due_on=due_on,
        status=RequestStatus.OPEN,
    )
    db.session.add(request)
    db.session.commit()
    return request


@pytest.fixture
def city(make):
    """A department, a contractor, an engagement, a cloud service, an SNS account, a request
    overdue and one due later, and one English-speaking user per role; all data in ASCII."""
    department = make.department(name="Citizens Division", name_kana="Citizens", code="CIT")
    contractor = make.contractor(name="Tajima Systems KK", name_kana="Tajima Systems")
    users = {
        role: make.user(
            role,
            department=department if role in (Role.OFFICER, Role.SNS_OWNER) else None,
            contractor_id=contractor.id if role == Role.CONTRACTOR else None,
            name=f"{role.value.title()} User",
            locale="en",
        )
        for role in Role
    }
    engagement = make.engagement(
        department=department,
        contractor=contractor,
        title="Resident records maintenance",
        contract_number="R8-CIT-001",
        state=ArrangementState.ACTIVE,
        responsible_officer_id=users[Role.OFFICER].id,
    )
    cloud = make.cloud_service(
        department=department, title="Web forms service", provider_name="Forms Cloud Inc"
    )
    social = make.social_account(
        department=department, title="City news account", handle="@city_news"
    )
    today = date.today()
    overdue = _request(engagement, "Monthly work report", today - timedelta(days=5))
    _request(engagement, "Access log review", today + timedelta(days=40))
    ids = {
        "engagement": engagement.id,
        "contractor": contractor.id,
        "cloud": cloud.id,
        "social": social.id,
        "request": overdue.id,
        "department": department.id,
    }
    return users, ids


PAGES = {
    Role.ADMIN: [
        "/",
        "/engagements/{engagement}",
        "/evidence/requests/",
        "/evidence/requests/{request}",
        "/admin/users/",
        "/departments/{department}",
        "/admin/reminders/",
        "/notifications/",
        "/catalog/requirements/",
        "/tiers/concentration",
    ],
    Role.PROCUREMENT: ["/", "/contractors/", "/contractors/{contractor}", "/engagements/"],
    Role.OFFICER: [
        "/",
        "/engagements/",
        "/evidence/requests/{request}",
        "/cloud-services/{cloud}",
        "/questionnaires/",
        "/evidence/requests/",
    ],
    Role.AUDITOR: ["/", "/admin/audit/", "/assessments/actions/", "/contractors/{contractor}"],
    Role.SNS_OWNER: ["/", "/social-accounts/", "/social-accounts/{social}"],
    Role.CONTRACTOR: ["/portal/", "/portal/?group=overdue", "/portal/requests/{request}"],
}


def ui_text(page: str) -> str:
    """The text people read on a page: body text and the attributes read out or shown."""
    tree = lxml_html.fromstring(page)
    for element in tree.xpath("//script | //style | //template"):
        element.drop_tree()
    parts = [" ".join(tree.body.itertext())]
    for attribute in ATTRIBUTES:
        parts += tree.xpath(f"//@{attribute}")
    parts += tree.xpath("//head/title/text()")
    return "\n".join(str(part) for part in parts)


def japanese_in(text: str) -> list[str]:
    """Each Japanese run with some context around it."""
    for name in LANGUAGE_NAMES:
        text = text.replace(name, "")
    text = KNOWN_LEFTOVERS.sub(" ", text)
    return [
        " ".join(text[max(0, m.start() - 30) : m.end() + 30].split())
        for m in JAPANESE.finditer(text)
    ]


@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: role.value)
def test_english_pages_show_no_japanese_ui_text(app, client, city, login_as, role):
    users, ids = city
    login_as(users[role])
    found = {}
    for template in PAGES[role]:
        url = template.format(**ids)
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert 'lang="en"' in page, url
        if leftovers := japanese_in(ui_text(page)):
            found[url] = leftovers
    assert not found, "\n".join(f"{url}: {text}" for url, rest in found.items() for text in rest)
