"""An admin edits a clause and watches the live preview in a real browser (CSP and CSRF on)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from vendorguard.auth.roles import Role
from vendorguard.catalog.models import Clause, ClauseStatus, ClauseVersion
from vendorguard.extensions import db

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
