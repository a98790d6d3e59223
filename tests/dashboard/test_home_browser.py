"""Issue 14's home page in a real browser (Debian's Chromium through Playwright): an officer follows
a count to a list that shows the same number; with nothing urgent the admin's home fits one
1280×800 screen."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.dashboard.test_evidence_blocks import _request
from tests.factories import PASSWORD
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/")


def test_officer_follows_the_overdue_count_to_a_list_of_the_same_number(page, live_server, make):
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

    _sign_in(page, live_server, officer)
    count = page.locator("#today-overdue .today-count").inner_text()
    assert count == "3"
    page.click("#today-overdue a")
    page.wait_for_url("**/evidence/requests/**")
    assert f"全{count}件" in page.locator("main").inner_text()
    assert page.locator("main tbody tr").count() == 3


def test_admin_home_with_nothing_urgent_fits_one_screen(page, live_server, make):
    for n in range(8):
        department = make.department(name=f"第{n + 1}課")
        make.engagement(
            department=department,
            title=f"保守業務{n}",
            ends_on=today_tokyo() + timedelta(days=300),
            responsible_officer_id=make.user(Role.OFFICER, department=department).id,
        )
    admin = make.user(Role.ADMIN)
    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(page, live_server, admin)
    page.goto(f"{live_server}/")  # without the one-off "signed in" message
    assert page.locator("#block-chart svg").count() == 1
    assert page.get_by_text("現在、対応が必要な事項はありません。").count() == 1
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 800, height
