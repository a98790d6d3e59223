"""One city profile, edited by an administrator, is the only city any output names: documents,
reminder mails, the portal and the public page."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from tests.reminders.conftest import add_request, city, remind, smtp  # noqa: F401  (fixtures)
from vendorguard.approvals.models import ApprovalState
from vendorguard.auth.roles import Role
from vendorguard.city.models import CityProfile
from vendorguard.extensions import db

PROFILE = {
    "name": "みほん市",
    "name_kana": "みほんし",
    "postal_code": "000-0001",
    "address": "みほん県みほん市中央町1番1号",
    "mayor_title": "市長",
    "mayor_name": "見本 一郎",
    "phone": "0796-01-0001",
    "email": "info@city.example.jp",
    "security_department": "情報政策課",
    "impersonation_contact": "情報政策課（電話 0796-01-1101）",
}


def save_profile_as_admin(client, make, login_as) -> None:
    login_as(make.user(Role.ADMIN))
    response = client.post("/settings/city", data=PROFILE)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_admin_edits_the_profile_and_bad_input_keeps_what_was_saved(client, make, login_as):
    save_profile_as_admin(client, make, login_as)
    (row,) = db.session.scalars(select(CityProfile)).all()
    assert row.name == "みほん市" and row.security_department == "情報政策課"
    page = client.get("/settings/city").get_data(as_text=True)
    assert 'value="みほん県みほん市中央町1番1号"' in page
    bad = client.post("/settings/city", data={**PROFILE, "name": "", "postal_code": "12"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "入力してください" in html and "郵便番号は" in html
    db.session.expire_all()
    assert db.session.get(CityProfile, row.id).name == "みほん市"


def test_only_administrators_edit_the_profile(client, make, login_as):
    login_as(make.user(Role.OFFICER))
    assert client.get("/settings/city").status_code == 403


def test_public_page_and_json_name_the_profile_city_and_its_contact(client, make, login_as):
    save_profile_as_admin(client, make, login_as)
    make.social_account(
        title="みほん市公式X",
        handle="@example_city",
        account_url="https://x.com/example_city",
        approval_state=ApprovalState.APPROVED,
        official_list_url="https://www.city.example.jp/sns",
    )
    client.post("/logout")
    html = client.get("/public/official-accounts").get_data(as_text=True)
    assert "<title>みほん市 公式SNSアカウント一覧</title>" in html
    assert "情報政策課（電話 0796-01-1101）" in html and "豊岡" not in html
    data = json.loads(client.get("/public/official-accounts.json").get_data(as_text=True))
    assert data["city"] == "みほん市"


def test_reminder_mail_names_the_profile_city(app, smtp, city, make):  # noqa: F811
    from vendorguard.city import services as profile

    profile.save(db.session, profile.CityData(**PROFILE))
    db.session.commit()
    add_request(city.engagement, date(2026, 12, 15))
    result = remind(app, "--as-of", "2026-12-01")
    assert result.exit_code == 0, result.output
    bodies = [m.get_body(("plain",)).get_content() for _to, m in smtp.inbox.messages]
    assert bodies and all("vendorguard（みほん市）" in body for body in bodies)
    assert not any("豊岡" in body for body in bodies)


def test_portal_names_the_profile_city(client, make, login_as):
    save_profile_as_admin(client, make, login_as)
    contractor = make.contractor(name="みほん商事株式会社")
    user = make.user(Role.CONTRACTOR, contractor_id=contractor.id, name="担当者")
    client.post("/logout")
    login_as(user)
    page = client.get("/portal/").get_data(as_text=True)
    assert "みほん市から貴社にお願いしている証跡" in page and "豊岡" not in page


def test_without_a_profile_no_other_city_is_printed(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    page = client.get("/settings/city").get_data(as_text=True)
    assert "（市の名称未設定）" in page and "豊岡" not in page
