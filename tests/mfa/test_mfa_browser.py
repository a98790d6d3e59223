"""Issue 13's MFA acceptance in a real browser (Debian's Chromium through Playwright).

An administrator without a second factor signs in and is held on the enrolment page; enrols by
reading the secret the page shows (the QR code is drawn in the page) and typing the code pyotp
computes from it; keeps the recovery codes; signs in again with a code, then with a recovery code,
which does not work a second time.
"""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD
from tests.mfa.conftest import code, settle
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.mfa import queries

pytestmark = pytest.mark.browser

SUBMIT = "section.card form button[type=submit]"


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click(SUBMIT)


def _sign_out(page) -> None:
    page.click("header form[action='/logout'] button")
    page.wait_for_selector("text=ログアウトしました。")


def test_admin_is_made_to_enrol_then_signs_in_with_a_code_and_a_recovery_code(
    app, live_server, page, make
):
    app.config["MFA_REQUIRED_ROLES"] = "admin,procurement,auditor"
    admin = make.user(Role.ADMIN)

    # Enforcement: the password is right, but nothing opens before enrolment.
    _sign_in(page, live_server, admin.email)
    page.wait_for_url(f"{live_server}/mfa/enrol")
    assert "この役割では二要素認証が必須です" in page.content()
    page.goto(f"{live_server}/admin/users/")
    page.wait_for_url(f"{live_server}/mfa/enrol")

    # Enrolment: the QR code is an inline SVG of the page, the secret is shown as text.
    page.click("text=登録を始める")
    page.wait_for_selector("[data-totp-secret]")
    assert page.locator(".qr-code svg path").count() >= 1
    assert page.locator("img").count() == 0  # nothing fetched from an image service
    secret = page.inner_text("[data-totp-secret]").strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    settle()
    page.fill("#code", code(secret))
    page.click(SUBMIT)
    page.wait_for_selector("[data-recovery-codes]")
    recovery = [c.strip() for c in page.locator("[data-recovery-codes] code").all_inner_texts()]
    assert len(recovery) == 10
    assert queries.is_enrolled(db.session, admin.id)
    page.goto(f"{live_server}/admin/users/")
    page.wait_for_selector("h1:has-text('利用者')")
    _sign_out(page)

    # Sign-in with a code: the password alone leads to the second step only.
    _sign_in(page, live_server, admin.email)
    page.wait_for_url(f"{live_server}/mfa/verify")
    page.goto(f"{live_server}/admin/users/")
    assert "/login" in page.url
    page.goto(f"{live_server}/mfa/verify")
    settle()
    page.fill("#code", "000000")
    page.click(SUBMIT)
    page.wait_for_selector("text=確認コードまたは回復コードが正しくありません。")
    page.fill("#code", code(secret, 1))  # enrolment used this step's code: the next one
    page.click(SUBMIT)
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/admin/users/")
    page.wait_for_selector("h1:has-text('利用者')")
    _sign_out(page)

    # Sign-in with a recovery code, which is then used up.
    _sign_in(page, live_server, admin.email)
    page.wait_for_url(f"{live_server}/mfa/verify")
    page.fill("#code", recovery[0])
    page.click(SUBMIT)
    page.wait_for_url(f"{live_server}/")
    _sign_out(page)
    _sign_in(page, live_server, admin.email)
    page.wait_for_url(f"{live_server}/mfa/verify")
    page.fill("#code", recovery[0])
    page.click(SUBMIT)
    page.wait_for_selector("text=確認コードまたは回復コードが正しくありません。")
    assert page.url == f"{live_server}/mfa/verify"
