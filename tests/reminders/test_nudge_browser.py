"""督促 in a real browser: the officer double-clicks "remind now" on an overdue request and the
contractor gets exactly one mail (a real SMTP server on loopback)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from tests.factories import PASSWORD
from tests.reminders.conftest import add_request
from vendorguard.core.timeutil import today_tokyo

pytestmark = pytest.mark.browser


def test_double_click_on_remind_now_sends_one_mail(page, live_server, city, smtp):
    overdue = add_request(city.engagement, today_tokyo() - timedelta(days=4))
    page.goto(f"{live_server}/login")
    page.fill("#email", city.officer.email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{live_server}/evidence/requests/{overdue.id}")
    assert page.locator("#contractor-contact").inner_text().count("但馬情報システム株式会社") == 1
    page.fill("#remind-note", "今週中にご提出ください。")
    page.dblclick("button:has-text('督促のメールを送る')")
    page.wait_for_selector("text=督促のメールを1件送りました。")
    deadline = time.monotonic() + 5  # a second mail, if one were sent, would arrive within this
    while time.monotonic() < deadline and len(smtp.inbox.messages) < 2:
        time.sleep(0.2)
    assert len(smtp.inbox.messages) == 1
    recipients, mail = smtp.inbox.messages[0]
    assert recipients == ["tanaka@tajima.example.jp"]
    assert "今週中にご提出ください。" in mail.get_body(("plain",)).get_content()
