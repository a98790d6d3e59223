"""An admin edits a clause and watches the live preview in a real browser (CSP and CSRF on)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from vendorguard.auth.roles import Role
from vendorguard.catalog.models import Clause, ClauseStatus, ClauseVersion, Requirement
from vendorguard.extensions import db
from vendorguard.reminders.models import ReminderSetting

pytestmark = pytest.mark.browser


def test_live_preview_follows_the_text_and_the_chosen_engagement(live_server, page, make, catalog):
    engagement = make.engagement(
        title="窓口業務委託", contractor=make.contractor(name="但馬情報サービス株式会社")
    )
    admin = make.user(Role.ADMIN)
    clause = db.session.scalars(select(Clause).where(Clause.code == "ENG-02")).one()
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{live_server}/login")
    page.fill("#email", admin.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server}/catalog/clauses/{clause.id}/edit")
    page.wait_for_selector("#clause-preview >> text=受注者は、本業務の実施に当たって知り得た情報")
    page.select_option("#preview_arrangement", str(engagement.id))
    page.fill(
        "#body",
        "{{ contractor_name }}は、「{{ contract_title }}」で知り得た秘密を守らなければならない。",
    )
    page.wait_for_selector(
        "#clause-preview >> text=但馬情報サービス株式会社は、「窓口業務委託」で知り得た秘密を守らなければならない。"
    )
    page.fill("#body", "{{ config }}")
    page.wait_for_selector("#clause-preview .error >> text=使えない差し込み項目があります：config")
    assert not errors, errors

    page.fill("#body", "受注者は、知り得た秘密を守らなければならない。")
    page.click("#save")
    page.wait_for_selector("text=第2版を下書きとして保存しました")
    versions = db.session.scalars(
        select(ClauseVersion)
        .where(ClauseVersion.clause_id == clause.id)
        .order_by(ClauseVersion.number)
    ).all()
    assert [v.status for v in versions] == [ClauseStatus.APPROVED, ClauseStatus.DRAFT]


def _sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_editors_without_code(live_server, page, make, catalog):
    """Picker inserts at the cursor; the rule builder adds a row and offers only its values."""

    admin = make.user(Role.ADMIN)
    clause = db.session.scalars(select(Clause).where(Clause.code == "ENG-02")).one()
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    _sign_in(page, live_server, admin)

    page.goto(f"{live_server}/catalog/clauses/{clause.id}/edit")
    page.fill("#body", "受注者（）は秘密を守る。")
    page.evaluate("document.getElementById('body').setSelectionRange(4, 4)")
    page.click("[data-placeholder-picker] button[data-insert='{{ contractor_name }}']")
    assert page.input_value("#body") == "受注者（{{ contractor_name }}）は秘密を守る。"
    page.wait_for_selector("#clause-preview >> text=受注者（但馬システム株式会社）は秘密を守る。")

    requirement = db.session.scalars(select(Requirement).where(Requirement.code == "MN-01")).one()
    page.goto(f"{live_server}/catalog/requirements/{requirement.id}/edit")
    rows = page.locator("[data-rule-rows] > li")
    assert rows.count() == 3  # two conditions and the blank row
    page.click("[data-rule-add]")
    assert rows.count() == 4
    new = rows.nth(3)
    assert new.locator("select[data-rule-fact]").get_attribute("name") == "cond-3-fact"
    new.locator("select[data-rule-fact]").select_option("handles_personal_info")
    visible = new.locator("select[data-rule-value] optgroup:not([hidden]) option")
    assert visible.all_inner_texts() == ["個人情報を取り扱う", "個人情報を取り扱わない"]
    rows.nth(2).locator("[data-rule-remove]").click()  # the blank row
    page.check("input[name=rule_mode][value=all]")
    page.click("button[name=rule_action][value=save]")
    page.wait_for_selector("text=を更新しました")
    db.session.expire_all()
    assert requirement.rule == {
        "all": [
            {"fact": "handles_my_number", "op": "is", "value": True},
            {"fact": "segments", "op": "contains", "value": "my_number"},
            {"fact": "handles_personal_info", "op": "is", "value": True},
        ]
    }
    page.goto(f"{live_server}/admin/reminders/settings")
    days = page.locator("[data-day-list]").first
    inputs = days.locator("input[type=number]")
    assert inputs.count() == 5  # 14, 7, 1, 0 and a blank one
    days.locator("[data-day-add]").click()
    inputs.nth(5).fill("30")
    days.locator("li").nth(0).locator("[data-day-remove]").click()  # 14 goes
    assert inputs.nth(0).get_attribute("id") == "evidence_due__offsets"  # the label stays tied
    page.click("main form button[type=submit]:not([data-day-add]):not([data-day-remove])")
    page.wait_for_selector("text=リマインダーの設定を保存しました")
    saved = db.session.scalars(
        select(ReminderSetting).where(ReminderSetting.kind == "evidence_due")
    ).one()
    assert saved.offsets == "30,7,1,0"
    assert not errors, errors
