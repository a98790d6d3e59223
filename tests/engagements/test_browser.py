"""A clerk registers an engagement and records a subcontractor's approval in a real browser."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from vendorguard.auth.roles import Role
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db

pytestmark = pytest.mark.browser


def test_register_an_engagement_and_approve_a_subcontractor(live_server, page, make):
    department = make.department(name="市民課")
    contractor = make.contractor(name="但馬情報サービス株式会社")
    user = make.user(Role.PROCUREMENT)
    page.goto(f"{live_server}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server}/engagements/new")
    page.fill("#title", "住民基本台帳システム運用保守業務")
    page.select_option("#department_id", str(department.id))
    page.select_option("#contractor_id", str(contractor.id))
    page.fill("#starts_on", "2026-04-01")
    page.fill("#ends_on", "2027-03-31")
    page.check("#subcontracting_allowed")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("text=業務委託「住民基本台帳システム運用保守業務」を登録しました。")
    assert "2026年4月1日〜2027年3月31日" in page.content()

    page.click("text=再委託先を追加")
    page.fill("#name", "北但開発株式会社")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("text=未許諾")
    page.click("text=許諾を記録")
    page.fill("#approved_by", "市民課長 豊岡太郎")
    page.fill("#approved_on", "2026-04-15")
    page.click("form.card button[type=submit]")
    page.wait_for_selector("text=許諾を記録しました。")
    assert "市民課長 豊岡太郎" in page.content() and "2026年4月15日" in page.content()
    engagement = db.session.scalars(select(Engagement)).one()
    assert engagement.subcontracting_allowed


def test_contractor_typeahead_fills_the_hidden_id_and_filters(live_server, page, make):
    tajima = make.contractor(name="但馬情報サービス株式会社")
    kinosaki = make.contractor(name="城崎ネット株式会社")
    make.engagement(title="保守業務", contractor=tajima)
    make.engagement(title="運用業務", contractor=kinosaki)
    user = make.user(Role.OFFICER)
    page.goto(f"{live_server}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server}/engagements/")
    page.type("input[name=contractor_q]", "城崎")
    page.wait_for_selector(
        "#contractor-options option[value='城崎ネット株式会社']", state="attached"
    )
    page.fill("input[name=contractor_q]", "城崎ネット株式会社")  # as choosing the suggestion does
    assert page.input_value("#contractor-id") == str(kinosaki.id)
    page.press("input[name=contractor_q]", "Enter")
    page.wait_for_url(f"**contractor={kinosaki.id}**")
    assert "運用業務" in page.content() and "保守業務" not in page.content()
