"""Issue 4's acceptance journeys in a real browser (Debian's Chromium through Playwright).

An officer asks for evidence; the contractor uploads a PDF (signed in to the portal, or through a
single-request link without an account); the officer rejects it with a reason; the contractor
sees the reason and resubmits; the officer accepts; the engagement shows 確認済.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from tests.portal.conftest import make_request, pdf_bytes
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence.models import EvidenceRequest, EvidenceSubmission, ReviewDecision
from vendorguard.extensions import db

pytestmark = pytest.mark.browser

TITLE = "情報セキュリティ対策実施状況報告書"


def _sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _officer_creates_request(page, base: str, engagement) -> EvidenceRequest:
    page.goto(f"{base}/evidence/arrangement/{engagement.id}/requests/new")
    page.select_option("#requirement_id", "0")
    page.fill("#due_on", (today_tokyo() + timedelta(days=30)).isoformat())
    page.fill("#note", "令和8年度上期の実施状況を報告してください。")
    page.fill("#title", TITLE)
    page.select_option("#provider", "contractor")
    page.fill("#description", "所定の様式に記入し、PDFで提出してください。")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("text=提出依頼を作成しました")
    return db.session.scalars(select(EvidenceRequest)).one()


def _upload(page, name: str, comment: str) -> None:
    content = pdf_bytes(name.encode().hex()[:24])  # a different small PDF for each name
    page.set_input_files(
        "#files", files=[{"name": name, "mimeType": "application/pdf", "buffer": content}]
    )
    page.fill("#comment", comment)
    page.click("#upload button[type=submit]")
    page.wait_for_selector("text=を提出しました（1件のファイル）")


def _officer_reviews(page, base: str, request_id: int, decision: str, reason: str = "") -> None:
    page.goto(f"{base}/evidence/requests/{request_id}")
    page.check(f"input[name=decision][value={decision}]")
    if reason:
        page.fill("#reason", reason)
    page.click("#review button[type=submit]")
    page.wait_for_selector(
        "text=を受理しました" if decision == "accepted" else "text=を差し戻しました"
    )


def _assert_confirmed(page, base: str, engagement) -> None:
    page.goto(f"{base}/evidence/arrangement/{engagement.id}")
    panel = page.locator("section[aria-labelledby=assurance-heading]")
    assert "確認済" in panel.locator("h2").inner_text()


@pytest.fixture
def setting(make):
    department = make.department(name="市民課", name_kana="シミンカ", phone="0796-23-1111")
    contractor = make.contractor(name="但馬データセンター株式会社")
    engagement = make.engagement(
        department=department, contractor=contractor, title="住民記録システム保守業務"
    )
    officer = make.user(Role.OFFICER, department=department, name="市民 花子")
    return department, contractor, engagement, officer


def test_portal_journey_reject_resubmit_accept_confirmed(live_server, page, browser, make, setting):
    _, contractor, engagement, officer = setting
    contractor_user = make.user(Role.CONTRACTOR, contractor_id=contractor.id, name="但馬 太郎")
    _sign_in(page, live_server, officer)
    evidence_request = _officer_creates_request(page, live_server, engagement)

    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    portal = context.new_page()
    try:
        _sign_in(portal, live_server, contractor_user)
        assert portal.url == f"{live_server}/portal/"
        assert "但馬データセンター株式会社" in portal.locator("header").inner_text()
        portal.click(f"text={TITLE}")
        # content() reads whatever document is there, so wait for the request page first.
        portal.wait_for_url(f"{live_server}/portal/requests/{evidence_request.id}")
        assert "所定の様式に記入し、PDFで提出してください。" in portal.content()
        _upload(portal, "実施状況報告書.pdf", "上期分を提出します。")

        _officer_reviews(
            page, live_server, evidence_request.id, "rejected", "責任者の押印がありません。"
        )

        portal.reload()
        assert "責任者の押印がありません。" in portal.locator("#history").inner_text()
        assert "修正したファイルを再提出する" in portal.content()
        _upload(portal, "実施状況報告書（押印済）.pdf", "押印したものを再提出します。")
    finally:
        context.close()

    _officer_reviews(page, live_server, evidence_request.id, "accepted")
    _assert_confirmed(page, live_server, engagement)
    versions = db.session.scalars(
        select(EvidenceSubmission).order_by(EvidenceSubmission.version)
    ).all()
    assert [(s.version, s.submitted_via, s.decision) for s in versions] == [
        (1, "portal", ReviewDecision.REJECTED),
        (2, "portal", ReviewDecision.ACCEPTED),
    ]


def test_link_journey_without_an_account(app, live_server, page, browser, setting):
    _, _, engagement, officer = setting
    app.config["BASE_URL"] = live_server
    _sign_in(page, live_server, officer)
    evidence_request = _officer_creates_request(page, live_server, engagement)
    page.goto(f"{live_server}/portal/admin/requests/{evidence_request.id}/links")
    page.click("form[action$='/links'] button[type=submit]")  # 14 days, no e-mail
    url = page.input_value("#new-link-url")
    assert url.startswith(f"{live_server}/portal/link/{evidence_request.id}/")

    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    visitor = context.new_page()
    try:
        visitor.goto(url)
        body = visitor.locator("main").inner_text()
        assert (
            TITLE in body and "但馬データセンター株式会社" in visitor.locator("header").inner_text()
        )
        assert "提出期限" in body and "市民課" in body
        _upload(visitor, "報告書.pdf", "リンクから提出します。")

        _officer_reviews(
            page, live_server, evidence_request.id, "rejected", "対象期間の記載がありません。"
        )

        visitor.goto(url)
        assert "対象期間の記載がありません。" in visitor.locator("#history").inner_text()
        _upload(visitor, "報告書（修正）.pdf", "期間を追記しました。")
    finally:
        context.close()

    _officer_reviews(page, live_server, evidence_request.id, "accepted")
    _assert_confirmed(page, live_server, engagement)
    versions = db.session.scalars(
        select(EvidenceSubmission).order_by(EvidenceSubmission.version)
    ).all()
    assert [
        (s.version, s.submitted_via, s.upload_link_id is not None, s.submitted_by_id)
        for s in versions
    ] == [(1, "link", True, None), (2, "link", True, None)]


def test_contractor_filters_the_portal_to_overdue(live_server, page, two_contractors):
    a = two_contractors[0]
    today = today_tokyo()
    db.session.delete(a.request)  # the fixture's fixed date may be past or not: keep only ours
    db.session.commit()
    late = make_request(a.engagement, due=today - timedelta(days=3), title="遅れている報告書")
    soon = make_request(a.engagement, due=today + timedelta(days=70), title="先の報告書")
    _sign_in(page, live_server, a.user)
    page.goto(f"{live_server}/portal/")
    assert page.locator(f"a[href='/portal/requests/{soon.id}']").count() == 1
    page.click("nav.group-tabs >> text=期限超過")
    page.wait_for_url("**/portal/?group=overdue")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1 and "遅れている報告書" in rows.first.inner_text()
    assert "期限を3日過ぎています" in rows.first.inner_text()
    assert page.locator(f"a[href='/portal/requests/{late.id}']").count() == 1
    assert page.locator("nav.group-tabs a[aria-current]").inner_text().startswith("期限超過")
