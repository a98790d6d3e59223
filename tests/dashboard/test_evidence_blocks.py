"""The home page shows open requests, items to review and overdue actions (issue 4, item 8)."""

from __future__ import annotations

import re
from datetime import timedelta

from vendorguard.assessments.models import Action, Assessment, AssessmentMethod, AssessmentResult
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence.models import (
    Cadence,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    EvidenceSubmission,
    RequestStatus,
)
from vendorguard.extensions import db


def _block(html: str, key: str) -> str:
    match = re.search(rf'id="block-{key}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def _request(engagement, title: str, due, status=RequestStatus.OPEN) -> EvidenceRequest:
    requirement = EvidenceRequirement(
        arrangement_id=engagement.id,
        title=title,
        cadence=Cadence.AD_HOC,
        provider=EvidenceProvider.CONTRACTOR,
    )
    db.session.add(requirement)
    db.session.flush()
    request = EvidenceRequest(
        evidence_requirement_id=requirement.id,
        arrangement_id=engagement.id,
        occurrence="adhoc-1",
        scheduled_due_on=due,
        due_on=due,
        status=status,
    )
    db.session.add(request)
    db.session.flush()
    return request


def test_officer_home_lists_overdue_requests_submissions_to_review_and_own_overdue_actions(
    client, make, login_as
):
    today = today_tokyo()
    mine, other = make.department(name="市民課"), make.department(name="税務課")
    officer = make.user(Role.OFFICER, department=mine)
    engagement = make.engagement(
        department=mine, title="住民記録保守", next_review_on=today - timedelta(days=3)
    )
    elsewhere = make.engagement(department=other, title="税務保守")
    _request(engagement, "年次セキュリティ報告", today - timedelta(days=10))
    _request(elsewhere, "他課の報告", today - timedelta(days=10))
    submitted = _request(
        engagement, "従事者名簿", today + timedelta(days=5), RequestStatus.SUBMITTED
    )
    db.session.add(EvidenceSubmission(request_id=submitted.id, version=1, submitted_via="portal"))
    assessment = Assessment(
        arrangement_id=engagement.id,
        assessed_on=today - timedelta(days=40),
        result=AssessmentResult.PARTIALLY_CONFORMING,
        method=AssessmentMethod.DOCUMENT,
        valid_until=today + timedelta(days=300),
    )
    db.session.add(assessment)
    db.session.flush()
    db.session.add(
        Action(
            assessment_id=assessment.id,
            arrangement_id=engagement.id,
            finding="持出し記録の不備",
            owner_id=officer.id,
            due_on=today - timedelta(days=1),
        )
    )
    db.session.commit()

    login_as(officer)
    html = client.get("/").get_data(as_text=True)
    overdue = _block(html, "evidence_overdue")
    assert "年次セキュリティ報告" in overdue and "他課の報告" not in overdue
    assert "従事者名簿" in _block(html, "evidence_review")
    assert "持出し記録の不備" in _block(html, "actions_mine")
    # the fourth section is one line; opening it shows its rows
    assert "住民記録保守" not in _block(html, "reviews_due")
    reviews = _block(client.get("/?open=reviews_due").get_data(as_text=True), "reviews_due")
    assert "住民記録保守" in reviews


def test_a_home_count_leads_to_a_list_with_the_same_number(client, make, login_as):
    today = today_tokyo()
    mine, other = make.department(name="市民課"), make.department(name="税務課")
    officer = make.user(Role.OFFICER, department=mine)
    engagement = make.engagement(department=mine, title="住民記録保守")
    elsewhere = make.engagement(department=other, title="税務保守")
    for n in range(3):
        _request(engagement, f"自課の報告{n}", today - timedelta(days=5 + n))
    for n in range(4):
        _request(elsewhere, f"他課の報告{n}", today - timedelta(days=5 + n))
    db.session.commit()
    login_as(officer)
    home = client.get("/").get_data(as_text=True)
    block = _block(home, "evidence_overdue")
    assert "3件" in block
    link = re.search(r'<a href="([^"]+)">一覧で見る</a>', block).group(1).replace("&amp;", "&")
    listing = client.get(link).get_data(as_text=True)
    assert "全3件" in listing and "他課の報告" not in listing
    chips = re.search(r'<ul class="filter-chips".*?</ul>', listing, re.S).group(0)
    assert "所管課：市民課" in chips and "期限超過のみ：はい" in chips
    # Removing the department chip asks for every department explicitly (department=).
    assert re.search(r'href="[^"]*department=(&amp;|")', chips)

    # The list itself starts on the officer's department; 「すべて」 shows every readable one.
    assert "他課の報告" not in client.get("/evidence/requests/").get_data(as_text=True)
    assert "他課の報告" in client.get("/evidence/requests/?department=").get_data(as_text=True)


def _overdue_in_bulk(engagement, count: int, start: int = 0) -> None:
    requirement = EvidenceRequirement(
        arrangement_id=engagement.id,
        title=f"一括の報告{start}",
        cadence=Cadence.AD_HOC,
        provider=EvidenceProvider.CONTRACTOR,
    )
    db.session.add(requirement)
    db.session.flush()
    due = today_tokyo() - timedelta(days=3)
    db.session.add_all(
        EvidenceRequest(
            evidence_requirement_id=requirement.id,
            arrangement_id=engagement.id,
            occurrence=f"bulk-{n}",
            scheduled_due_on=due,
            due_on=due,
            status=RequestStatus.OPEN,
        )
        for n in range(count)
    )
    db.session.commit()


def test_a_count_past_the_home_bound_says_so_and_the_list_counts_on(client, make, login_as):
    from vendorguard.dashboard.statements import HOME_COUNT_BOUND as bound

    department = make.department(name="市民課")
    engagement = make.engagement(department=department, title="住民記録保守")
    login_as(make.user(Role.OFFICER, department=department))
    _overdue_in_bulk(engagement, bound)
    home = client.get("/").get_data(as_text=True)
    strip = re.search(r'<li id="today-overdue".*?</li>', home, re.S).group(0)
    assert f">{bound}<" in strip and "件以上" not in strip
    assert f"{bound}件" in _block(home, "evidence_overdue") and "件以上" not in home

    _overdue_in_bulk(engagement, 1, start=1)  # one past the bound: the home stops counting there
    home = client.get("/").get_data(as_text=True)
    strip = re.search(r'<li id="today-overdue".*?</li>', home, re.S).group(0)
    assert f"{bound}件以上" in strip
    block = _block(home, "evidence_overdue")
    assert f"{bound}件以上" in block and f"ほか{bound - 5}件以上" in block
    link = re.search(r'<a href="([^"]+)">一覧で見る</a>', block).group(1).replace("&amp;", "&")
    listed = client.get(link).get_data(as_text=True)
    assert f"{bound + 1}件" in listed and "件以上" not in listed  # the list's exact count


def test_an_officers_first_overdue_requests_are_their_departments_oldest(client, make, login_as):
    # Another department's older requests come first in the city's due-date order, which the
    # first keys are picked in (Section.counted): the officer sees only their department's.
    today = today_tokyo()
    other = make.engagement(department=make.department(name="税務課"), title="課税保守")
    for n in range(8):
        _request(other, f"他課の報告{n}", today - timedelta(days=100 + n))
    department = make.department(name="市民課")
    first = make.engagement(department=department, title="住民記録保守")
    second = make.engagement(department=department, title="窓口委託")
    for days in range(1, 8):
        _request(first if days % 2 else second, f"市民課の報告{days}", today - timedelta(days=days))
    _request(first, "市民課の提出済み", today - timedelta(days=30), RequestStatus.SUBMITTED)
    db.session.commit()
    login_as(make.user(Role.OFFICER, department=department))

    block = _block(client.get("/").get_data(as_text=True), "evidence_overdue")

    shown = re.findall(r"(市民課の報告\d|他課の報告\d|市民課の提出済み)", block)
    assert shown == [f"市民課の報告{days}" for days in (7, 6, 5, 4, 3)]
    assert "7件" in block and "ほか2件" in block
