"""Issue 13's SSO acceptance in a real browser: Chromium signs in through the test OpenID provider
(a separate server on 127.0.0.1, its own sign-in form) and comes back with the mapped role and
department; a person the mapping does not know is refused in Japanese."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.extensions import db

pytestmark = pytest.mark.browser


def _sign_in_at_provider(page, live_server, idp, username: str) -> None:
    page.goto(f"{live_server}/login")
    page.click("text=SSOでログイン（庁内ID）")
    page.wait_for_url(f"{idp.issuer}/authorize*")
    page.fill("#username", username)
    page.click("#idp-submit")


def test_mapped_user_signs_in_and_unmapped_user_is_refused(
    live_server, page, idp, oidc_setup, make
):
    oidc_setup(base_url=live_server)
    officer = make.user(Role.AUDITOR, email="hanako@city.example.jp", name="豊岡 花子")
    idp.add_user("hanako", email="hanako@city.example.jp", groups=["staff", "vg-officers"])
    make.user(Role.PROCUREMENT, email="jiro@city.example.jp")
    idp.add_user("jiro", email="jiro@city.example.jp", groups=["staff"])

    _sign_in_at_provider(page, live_server, idp, "hanako")
    page.wait_for_selector("text=シングルサインオン（庁内ID）でログインしました。")
    assert page.url.startswith(live_server)
    assert "豊岡 花子" in page.content()
    db.session.refresh(officer)
    assert officer.role == Role.OFFICER and officer.department_id == oidc_setup.department.id

    page.click("button:has-text('ログアウト')")
    page.wait_for_selector("text=ログアウトしました。")

    _sign_in_at_provider(page, live_server, idp, "jiro")
    page.wait_for_selector("text=役割が割り当てられていないため、ログインできません")
    assert page.url.startswith(f"{live_server}/login")
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sso_refused")).one()
    assert refused.object_label == "jiro@city.example.jp"
    page.goto(f"{live_server}/")
    assert "/login" in page.url  # not signed in
