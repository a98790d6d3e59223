"""Issue 6's acceptance journey in a real browser (Debian's Chromium through Playwright).

An SNS owner registers an account through the guided form and applies; the security office
approves it; it appears on the public page, which a resident opens without signing in. Accounts
left as a draft, rejected, or approved and then archived never appear.
"""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from vendorguard.auth.roles import Role

pytestmark = pytest.mark.browser


def sign_in(browser, live_server, user):
    """A new browser context signed in as ``user`` (confirm dialogs accepted)."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    return page


def register(page, live_server, owner, title, handle):
    """Fill the guided form completely, save, and return the account's page address."""
    page.goto(f"{live_server}/social-accounts/new")
    page.fill("#title", title)
    page.select_option("#platform", "instagram")
    page.fill("#handle", handle)
    page.fill("#account_url", f"https://www.instagram.com/{handle}/")
    page.fill("#purpose", "観光情報の発信")
    page.select_option("#responsible_officer_id", str(owner.id))
    page.fill("#operators", "観光 一郎\n観光 二郎")
    page.fill("#posting_rules", "観光イベントの情報のみ。機密性2以上の情報は投稿しない。")
    page.fill("#operating_procedure", "投稿前に係長が内容を確認する。")
    page.fill("#official_list_url", "https://www.city.example.jp/sns/")
    page.check("#profile_names_department")
    page.check("input[name=mfa][value=on]")
    page.fill("#credential_custodian", "観光課長")
    page.fill("#recovery_contact", "kanko@city.example.jp")
    page.click("form.card button[type=submit]")
    page.wait_for_selector(f"text=アカウント「{title}」を登録しました。")
    assert page.locator(".attention").count() == 0  # nothing missing
    return page.url


def apply(page, url, title):
    page.goto(url)
    page.click("button:has-text('承認を申請')")
    page.wait_for_selector(f"text=アカウント「{title}」の承認を申請しました。")


def decide(page, url, title, approve: bool):
    page.goto(url)
    if approve:
        page.fill("#approval_comment", "運用手順を確認しました。")
        page.click("button:has-text('承認する')")
        page.wait_for_selector(f"text=アカウント「{title}」を承認しました。")
    else:
        page.fill("#reject_comment", "アカウント名に所管課名を入れてください。")
        page.click("button:has-text('却下する')")
        page.wait_for_selector(f"text=アカウント「{title}」の申請を却下しました。")


def test_owner_registers_office_approves_and_the_public_sees_only_that(
    live_server, browser, page, make
):
    from vendorguard.city import services as profile
    from vendorguard.extensions import db

    profile.save(db.session, profile.CityData(name="みほん市"))
    db.session.commit()
    department = make.department(name="観光課", name_kana="カンコウカ")
    owner = make.user(Role.SNS_OWNER, department=department, name="観光 太郎")
    admin = make.user(Role.ADMIN, name="情報 政策")

    owner_page = sign_in(browser, live_server, owner)
    approved = register(owner_page, live_server, owner, "城崎温泉観光公式", "kinosaki_official")
    draft = register(owner_page, live_server, owner, "下書きのアカウント", "draft_account")
    rejected = register(owner_page, live_server, owner, "却下されるアカウント", "rejected_account")
    archived = register(owner_page, live_server, owner, "閉鎖したアカウント", "closed_account")
    for url, title in (
        (approved, "城崎温泉観光公式"),
        (rejected, "却下されるアカウント"),
        (archived, "閉鎖したアカウント"),
    ):
        apply(owner_page, url, title)
    # The owner may not decide on their own application.
    owner_page.goto(approved)
    assert owner_page.locator("button:has-text('承認する')").count() == 0

    admin_page = sign_in(browser, live_server, admin)
    decide(admin_page, approved, "城崎温泉観光公式", approve=True)
    decide(admin_page, rejected, "却下されるアカウント", approve=False)
    decide(admin_page, archived, "閉鎖したアカウント", approve=True)

    owner_page.goto(archived)
    owner_page.click("button:has-text('アーカイブ')")
    owner_page.wait_for_selector("text=アカウント「閉鎖したアカウント」をアーカイブしました。")
    owner_page.goto(approved)
    assert owner_page.locator("text=掲載中").count() == 1

    # A resident, never signed in.
    page.goto(f"{live_server}/public/official-accounts")
    assert page.title() == "みほん市 公式SNSアカウント一覧"
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    assert "城崎温泉観光公式" in rows.first.inner_text()
    link = rows.first.locator("a")
    assert link.inner_text() == "https://www.instagram.com/kinosaki_official/"
    assert link.get_attribute("href") == "https://www.instagram.com/kinosaki_official/"
    assert "Instagram" in rows.first.inner_text() and "観光課" in rows.first.inner_text()
    content = page.content()
    for hidden in (
        "下書きのアカウント",
        "却下されるアカウント",
        "閉鎖したアカウント",
        "draft_account",
        "rejected_account",
        "closed_account",
        "観光 太郎",
        "観光 一郎",
        "観光課長",
        "kanko@",
    ):
        assert hidden not in content, hidden
    assert page.locator("#main-nav").count() == 0 and page.locator("text=ログアウト").count() == 0
    page.click("text=English")
    page.wait_for_url(f"{live_server}/public/official-accounts?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("table.list tbody tr").count() == 1

    for p in (owner_page, admin_page):
        p.context.close()
    assert draft  # registered, never applied for
