"""Issue 11's portal journey in a real browser (Debian's Chromium through Playwright).

On My Number work, the contractor adds a staff member with a pledge PDF and proposes a
second-stage subcontractor; the officer approves it; a third stage below a stage the city has
not permitted is refused, citing 番号法第10条.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.evidence.helpers import PDF
from tests.factories import PASSWORD
from vendorguard.auth.roles import Role
from vendorguard.engagements.models import PermissionStatus, Subcontractor
from vendorguard.extensions import db
from vendorguard.supervision.models import StaffMember

pytestmark = pytest.mark.browser


def _sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def _sign_out(page) -> None:
    page.click("header form button[type=submit]:has-text('ログアウト')")
    page.wait_for_url("**/login**")


def _submit(page) -> None:
    page.click("form.card button[type=submit]")


def _sub(name: str) -> Subcontractor:
    db.session.expire_all()
    return db.session.scalars(select(Subcontractor).where(Subcontractor.name == name)).one()


def test_contractor_keeps_roster_and_proposes_and_the_city_decides(
    live_server, page, make, tmp_path
):
    department = make.department(name="市民課")
    officer = make.user(Role.OFFICER, department=department)
    engagement = make.engagement(
        department=department,
        title="住民記録システム運用業務",
        subcontracting_allowed=True,
        handles_my_number=True,
        responsible_officer_id=officer.id,
    )
    first = make.subcontractor(engagement, name="一次開発株式会社")
    contractor_user = make.user(Role.CONTRACTOR, contractor_id=engagement.contractor_id)
    pledge = tmp_path / "誓約書.pdf"
    pledge.write_bytes(PDF)

    _sign_in(page, live_server, contractor_user)
    page.goto(f"{live_server}/portal/engagements/")
    page.click("text=住民記録システム運用業務")
    page.click("text=従事者を追加")
    page.fill("#name", "豊岡 一郎")
    page.fill("#role", "作業者")
    page.fill("#affiliation", "運用部")
    page.fill("#access_rights", "住民記録システム（参照）")
    page.fill("#starts_on", "2026-04-01")
    page.set_input_files("#pledge", str(pledge))
    _submit(page)
    page.wait_for_selector("text=従事者「豊岡 一郎」を登録しました。")
    staff = db.session.scalars(select(StaffMember)).one()
    assert staff.pledge_filename == "誓約書.pdf" and staff.pledge_size == len(PDF)

    page.click("text=再委託先の許諾を申請")
    page.select_option("#parent_id", str(first.id))
    page.fill("#name", "二次保守株式会社")
    page.fill("#work_scope", "夜間の監視")
    page.fill("#information_handled", "稼働ログ（個人番号を含まない）")
    page.check("input[name=flow_down][value='OUT-07']")
    _submit(page)
    page.wait_for_selector("text=再委託先「二次保守株式会社」の許諾を申請しました。")
    second = _sub("二次保守株式会社")
    assert (second.tier, second.permission_status) == (2, PermissionStatus.PROPOSED)
    _sign_out(page)

    _sign_in(page, live_server, officer)
    page.goto(f"{live_server}/engagements/{engagement.id}")
    page.click(f"a[href$='/subcontractors/{second.id}/approve']")
    page.fill("#approved_by", "市民課長 豊岡花子")
    page.fill("#approved_on", "2026-05-01")
    page.fill("#approval_conditions", "作業は市内の拠点に限る")
    _submit(page)
    page.wait_for_selector("text=再委託先「二次保守株式会社」の許諾を記録しました。")
    assert _sub("二次保守株式会社").permission_status == PermissionStatus.APPROVED
    graph = page.locator("img.chain-graph")
    assert graph.evaluate("img => img.complete && img.naturalWidth > 0")
    _sign_out(page)

    _sign_in(page, live_server, contractor_user)
    page.goto(f"{live_server}/portal/engagements/{engagement.id}/subcontractors/new")
    page.select_option("#parent_id", str(first.id))
    page.fill("#name", "未許諾二次株式会社")
    page.fill("#work_scope", "帳票印刷")
    _submit(page)
    page.wait_for_selector("text=再委託先「未許諾二次株式会社」の許諾を申請しました。")
    pending = _sub("未許諾二次株式会社")
    page.goto(f"{live_server}/portal/engagements/{engagement.id}/subcontractors/new")
    page.select_option("#parent_id", str(pending.id))
    page.fill("#name", "三次印刷株式会社")
    page.fill("#work_scope", "封入封緘")
    _submit(page)
    error = page.locator("#parent_id-error")
    assert "番号法第10条" in error.inner_text()
    assert page.input_value("#name") == "三次印刷株式会社"  # nothing typed is lost
    db.session.expire_all()
    assert (
        db.session.scalars(
            select(Subcontractor).where(Subcontractor.name == "三次印刷株式会社")
        ).first()
        is None
    )
