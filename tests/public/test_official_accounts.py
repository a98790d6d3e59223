"""The public list of official accounts: who is on it, what it shows (and never shows), its
headers, the switch that turns it off, and that no login or fence stands in the way."""

from __future__ import annotations

import re

import pytest

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import utcnow
from vendorguard.extensions import db
from vendorguard.social.models import Platform, SocialAccount

PAGE, JSON = "/public/official-accounts", "/public/official-accounts.json"


@pytest.fixture
def city(make):
    """A published account full of internal details, and one account in every hidden state."""
    from vendorguard.city import services as profile
    from vendorguard.extensions import db as database

    profile.save(database.session, profile.CityData(name="みほん市"))
    database.session.commit()
    department = make.department(name="秘書広報課", email="kouhou@city.example.jp")
    officer = make.user(
        Role.SNS_OWNER,
        department=department,
        name="広報 責任者太郎",
        email="sekininsha@city.example.jp",
    )
    published = make.social_account(
        department=department,
        title="豊岡市公式X",
        platform=Platform.X,
        handle="@toyooka_public_handle",
        account_url="https://x.com/toyooka_public_handle",
        approval_state=ApprovalState.APPROVED,
        state=ArrangementState.ACTIVE,
        responsible_officer_id=officer.id,
        operators="運用 花子\n運用 次郎",
        credential_custodian="秘書広報課長 保管庫",
        recovery_contact="recovery-box@city.example.jp",
        posting_rules="内部の投稿ルール",
        operating_procedure="内部の運用手順",
        purpose="内部の運用目的",
        approval_comment="統括の内部コメント",
    )
    hidden = {}
    for name, fields in {
        "not_applied": {"approval_state": ApprovalState.NOT_APPLIED},
        "applied": {"approval_state": ApprovalState.APPLIED},
        "rejected": {"approval_state": ApprovalState.REJECTED},
        "expired": {"approval_state": ApprovalState.EXPIRED},
        "archived": {"approval_state": ApprovalState.APPROVED, "archived_at": utcnow()},
        "suspended": {
            "approval_state": ApprovalState.APPROVED,
            "state": ArrangementState.SUSPENDED,
        },
        "ended": {"approval_state": ApprovalState.APPROVED, "state": ArrangementState.ENDED},
        "draft_state": {"approval_state": ApprovalState.APPROVED, "state": ArrangementState.DRAFT},
    }.items():
        fields.setdefault("state", ArrangementState.ACTIVE)
        hidden[name] = make.social_account(
            department=department,
            title=f"非公開{name}",
            handle=f"@hidden_{name}",
            account_url=f"https://x.com/hidden_{name}",
            **fields,
        )
    return {"published": published, "hidden": hidden, "officer": officer}


INTERNAL = (
    "広報 責任者太郎",
    "運用 花子",
    "運用 次郎",
    "秘書広報課長 保管庫",
    "recovery-box@city.example.jp",
    "内部の投稿ルール",
    "内部の運用手順",
    "内部の運用目的",
    "統括の内部コメント",
)


def test_only_approved_active_accounts_are_listed(client, city):
    html = client.get(PAGE).get_data(as_text=True)
    data = client.get(JSON).get_json()
    assert (
        "豊岡市公式X" in html
        and "秘書広報課" in html
        and "@toyooka_public_handle" in html  # the handle tells an impersonator's account apart
        and ">https://x.com/toyooka_public_handle</a>" in html  # the address, readable
    )
    assert data["accounts"] == [
        {
            "platform": "x",
            "platform_name": "X（旧Twitter）",
            "name": "豊岡市公式X",
            "handle": "@toyooka_public_handle",
            "url": "https://x.com/toyooka_public_handle",
            "department": "秘書広報課",
        }
    ]
    assert data["city"] == "みほん市"  # the city profile's name
    for name, account in city["hidden"].items():
        for body in (html, client.get(JSON).get_data(as_text=True)):
            assert account.title not in body and account.handle.lstrip("@") not in body, name


def test_no_internal_field_leaks(client, city):
    for url in (PAGE, f"{PAGE}?lang=en", JSON):
        body = client.get(url).get_data(as_text=True)
        for text in INTERNAL:
            assert text not in body, (url, text)
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", body), url  # no e-mail address at all
        assert "csrf" not in body.lower() and "ログアウト" not in body and "main-nav" not in body


def test_headers_make_it_cacheable_and_cookie_free(client, city):
    for url in (PAGE, JSON):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert "Set-Cookie" not in response.headers
    response = client.get(JSON)
    assert (
        response.mimetype == "application/json"
        and response.headers["Access-Control-Allow-Origin"] == "*"
    )


def test_a_signed_in_visitors_response_is_never_shared(client, make, login_as, city):
    login_as(make.user(Role.OFFICER))
    for url in (PAGE, JSON):
        response = client.get(url)
        # Their session cookie is refreshed on this response: no shared cache may keep it.
        assert response.headers["Cache-Control"] == "private, max-age=300"


def test_japanese_by_default_english_by_address(client, city):
    html = client.get(PAGE).get_data(as_text=True)
    assert '<html lang="ja">' in html and "公式SNSアカウント一覧" in html
    assert 'href="/public/official-accounts?lang=en"' in html
    english = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and 'href="/public/official-accounts"' in english
    assert '<html lang="ja">' in client.get(f"{PAGE}?lang=xx").get_data(as_text=True)


def test_the_switch_turns_both_pages_off(app, client, city):
    app.config["PUBLIC_ACCOUNTS_PAGE"] = False
    for url in (PAGE, JSON):
        response = client.get(url)
        assert response.status_code == 404 and "豊岡市公式X" not in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role", list(Role))
def test_no_login_needed_and_no_role_fenced_out(client, make, login_as, city, role):
    fields = {"contractor_id": make.contractor().id} if role == Role.CONTRACTOR else {}
    login_as(make.user(role, **fields))
    for url in (PAGE, JSON):
        response = client.get(url)
        assert response.status_code == 200 and "豊岡市公式X" in response.get_data(as_text=True), (
            role,
            url,
        )


def test_an_empty_list_says_so(client):
    assert "現在、掲載している公式アカウントはありません。" in client.get(PAGE).get_data(
        as_text=True
    )
    assert client.get(JSON).get_json()["accounts"] == []


def test_other_platform_shows_its_name_and_order_follows_the_department_reading(client, make):
    kanko, kouhou = (
        make.department(name="観光課", name_kana="カンコウカ"),
        make.department(name="広報課", name_kana="コウホウカ"),
    )
    approved = {"approval_state": ApprovalState.APPROVED, "state": ArrangementState.ACTIVE}
    make.social_account(
        department=kouhou,
        title="広報Threads",
        platform=Platform.OTHER,
        platform_other="Threads",
        **approved,
    )
    make.social_account(
        department=kanko, title="観光Instagram", platform=Platform.INSTAGRAM, **approved
    )
    accounts = client.get(JSON).get_json()["accounts"]
    assert [(a["name"], a["platform_name"]) for a in accounts] == [
        ("観光Instagram", "Instagram"),
        ("広報Threads", "Threads"),
    ]


def test_the_page_runs_a_fixed_number_of_queries(client, make, count_queries):
    department = make.department()

    def add(count):
        start = db.session.query(SocialAccount).count()
        db.session.add_all(
            [
                SocialAccount(
                    title=f"公式{start + i}",
                    platform=Platform.X,
                    handle=f"@pub{start + i}",
                    department_id=department.id,
                    approval_state=ApprovalState.APPROVED,
                    state=ArrangementState.ACTIVE,
                )
                for i in range(count)
            ]
        )
        db.session.commit()

    add(5)
    client.get(PAGE)
    with count_queries() as few:
        assert client.get(PAGE).status_code == 200
    add(495)
    with count_queries() as many:
        assert client.get(PAGE).get_data(as_text=True).count("<tr>") == 501
    assert few.count == many.count


def test_the_page_says_where_to_report_an_impersonating_account(client, city):
    from vendorguard.city import services as profile

    html = client.get(PAGE).get_data(as_text=True)
    assert "なりすましアカウントを見つけたら" in html and "みほん市" in html

    profile.save(
        db.session,
        profile.CityData(
            name="みほん市",
            security_department="情報政策課",
            phone="0796-00-0000",
            email="joho@city.example.jp",
        ),
    )
    db.session.commit()
    html = client.get(PAGE).get_data(as_text=True)
    assert "みほん市 情報政策課" in html and "電話：0796-00-0000" in html
    assert 'href="mailto:joho@city.example.jp"' in html
    assert client.get(JSON).get_json()["report_impersonation_to"] == {
        "contact": "みほん市 情報政策課",
        "phone": "0796-00-0000",
        "email": "joho@city.example.jp",
    }

    profile.save(
        db.session,
        profile.CityData(
            name="みほん市", impersonation_contact="秘書広報課 なりすまし窓口 0796-11-1111"
        ),
    )
    db.session.commit()
    english = client.get(f"{PAGE}?lang=en").get_data(as_text=True)
    assert "秘書広報課 なりすまし窓口 0796-11-1111" in english
    assert "If you find an impersonating account" in english
