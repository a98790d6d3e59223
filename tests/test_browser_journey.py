"""Issue 2's acceptance journey in a real browser (Debian's Chromium through Playwright).

Procurement registers a contractor (an invalid 法人番号 is refused in Japanese first), creates an
engagement with an approved subcontractor, and finds both by search. The pages also fit a phone.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from vendorguard.auth.roles import Role
from vendorguard.contractors import corporate_number
from vendorguard.contractors.models import Contractor
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db

pytestmark = pytest.mark.browser

VALID_NUMBER = corporate_number.make("000012050002")  # 7000012050002
INVALID_NUMBER = "1000012050002"  # same base, wrong check digit


def _submit(page):
    page.click("form.card button[type=submit]")


def test_procurement_registers_contractor_and_engagement_and_finds_them(live_server, page, make):
    department = make.department(name="市民課", name_kana="シミンカ")
    user = make.user(Role.PROCUREMENT)

    page.goto(f"{live_server}/engagements/")  # not signed in: sent to the login page
    assert "/login" in page.url
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/engagements/")

    page.goto(f"{live_server}/contractors/new")
    page.fill("#name", "但馬データセンター株式会社")
    page.fill("#name_kana", "たじまでーたせんたー")
    page.fill("#corporate_number", INVALID_NUMBER)
    _submit(page)
    error = page.locator(".field-error .error").first
    assert "法人番号のチェックディジットが正しくありません" in error.inner_text()
    assert db.session.scalars(select(Contractor)).first() is None
    # What was typed is still there; only the number needs fixing.
    assert page.input_value("#name") == "但馬データセンター株式会社"
    page.fill("#corporate_number", VALID_NUMBER)
    _submit(page)
    page.wait_for_selector("text=委託事業者「但馬データセンター株式会社」を登録しました。")
    contractor = db.session.scalars(select(Contractor)).one()
    assert (
        contractor.corporate_number == VALID_NUMBER
        and contractor.name_kana == "タジマデータセンター"
    )

    page.goto(f"{live_server}/engagements/new")
    page.fill("#title", "住民記録システム保守業務")
    page.fill("#contract_number", "R8-市民-001")
    page.select_option("#department_id", str(department.id))
    page.select_option("#contractor_id", str(contractor.id))
    page.fill("#starts_on", "2026-04-01")
    page.fill("#ends_on", "2027-03-31")
    page.check("#handles_personal_info")
    page.check("#subcontracting_allowed")
    _submit(page)
    page.wait_for_selector("text=業務委託「住民記録システム保守業務」を登録しました。")

    page.click("text=再委託先を追加")
    page.fill("#name", "北但ソフト株式会社")
    page.fill("#approved_by", "市民課長 豊岡花子")
    page.fill("#approved_on", "2026-04-10")
    _submit(page)
    page.wait_for_selector("text=北但ソフト株式会社")
    assert "未許諾" not in page.content()
    engagement = db.session.scalars(select(Engagement)).one()
    db.session.refresh(engagement)

    page.goto(f"{live_server}/contractors/")
    page.fill("input[name=q]", "たじま")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    assert page.locator("table.list tbody a", has_text="但馬データセンター株式会社").count() == 1

    page.goto(f"{live_server}/engagements/")
    page.fill("input[name=q]", "住民記録")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    assert page.locator("table.list tbody a", has_text="住民記録システム保守業務").count() == 1
    page.fill("input[name=q]", "存在しない業務")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    assert page.locator("table.list tbody a", has_text="住民記録システム保守業務").count() == 0

    # A narrow screen: nothing overflows sideways and the menu folds behind a button.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server}/engagements/{engagement.id}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert not page.locator("#main-nav").is_visible()
    page.click("[data-toggle-nav]")
    assert page.locator("#main-nav").is_visible()
