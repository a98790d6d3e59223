"""The social account list: search, filters, sorting, badges and a fixed number of queries."""

from __future__ import annotations

import re

from sqlalchemy import event, func, select

from vendorguard.approvals.models import ApprovalState
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import utcnow
from vendorguard.extensions import db
from vendorguard.social.models import Platform, SocialAccount


def row_of(html: str, title: str) -> str:
    """The table row that shows ``title``."""
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if f">{title}</a>" in row]
    assert len(rows) == 1, f"{title} shown {len(rows)} times"
    return rows[0]


def titles(html: str) -> list[str]:
    """Account names listed, in order."""
    return re.findall(r'<a href="/social-accounts/\d+">([^<]+)</a>', html)


def test_badges_flag_missing_countermeasures(client, make, login_as, complete_account):
    officer = make.user(Role.OFFICER)
    complete_account(officer=officer, title="対策済み", verified_badge=True)
    make.social_account(title="手つかず", mfa_enabled=False)
    make.social_account(title="確認待ち")  # MFA not yet checked
    login_as(make.user(Role.ADMIN))
    html = client.get("/social-accounts/").get_data(as_text=True)
    good, bad, unknown = (
        row_of(html, "対策済み"),
        row_of(html, "手つかず"),
        row_of(html, "確認待ち"),
    )
    for badge in ("未整備", "多要素認証なし", "責任者未指定", "公式サイト未掲載"):
        assert badge in bad and badge not in good
    assert "多要素認証 未確認" in unknown and "多要素認証なし" not in unknown
    assert "認証バッジあり" in good and "認証バッジあり" not in bad
    assert officer.name in good


def test_search_filters_and_sorting(client, make, login_as):
    kouhou, kankou = make.department(name_kana="コウホウ"), make.department(name_kana="カンコウ")
    make.social_account(
        department=kouhou,
        title="豊岡市広報",
        platform=Platform.X,
        handle="@toyooka_pr",
        mfa_enabled=True,
        approval_state=ApprovalState.APPROVED,
    )
    make.social_account(
        department=kankou,
        title="城崎温泉観光",
        platform=Platform.INSTAGRAM,
        handle="kinosaki_onsen",
        approval_state=ApprovalState.APPLIED,
    )
    make.social_account(
        department=kankou,
        title="閉鎖したアカウント",
        platform=Platform.LINE,
        handle="@closed",
        archived_at=utcnow(),
    )
    login_as(make.user(Role.AUDITOR))

    def listed(**args):
        return titles(client.get("/social-accounts/", query_string=args).get_data(as_text=True))

    assert listed(q="城崎") == ["城崎温泉観光"]
    assert listed(q="@kinosaki") == ["城崎温泉観光"]  # handles match with or without the @
    assert listed(q="toyooka_pr") == ["豊岡市広報"]
    assert listed(department=kouhou.id) == ["豊岡市広報"]
    assert listed(platform="instagram") == ["城崎温泉観光"]
    assert listed(approval="applied") == ["城崎温泉観光"]
    assert listed(mfa_off="1") == ["城崎温泉観光"]
    assert listed(archived="1", platform="line") == ["閉鎖したアカウント"]
    assert listed(platform="myspace", approval="nope") == ["城崎温泉観光", "豊岡市広報"]
    assert listed(sort="department") == ["城崎温泉観光", "豊岡市広報"]  # カンコウ before コウホウ
    assert listed(sort="title", dir="desc") == ["豊岡市広報", "城崎温泉観光"]
    assert listed(sort="platform") == ["城崎温泉観光", "豊岡市広報"]  # instagram < x


def test_list_runs_a_fixed_number_of_queries(client, make, login_as, count_queries):
    department = make.department()
    owner = make.user(Role.SNS_OWNER, department=department)
    login_as(owner)
    other = make.department()

    def add(count):
        start = db.session.scalar(select(func.count(SocialAccount.id)))
        db.session.add_all(
            [
                SocialAccount(
                    title=f"アカウント{start + i}",
                    platform=Platform.X,
                    handle=f"@acct{start + i}",
                    department_id=department.id if i % 2 else other.id,
                    responsible_officer_id=owner.id if i % 3 else None,
                    approval_state=ApprovalState.APPROVED,
                )
                for i in range(count)
            ]
        )
        db.session.commit()

    add(5)
    client.get("/social-accounts/")
    with count_queries() as few:
        assert client.get("/social-accounts/?per_page=200").status_code == 200
    add(495)
    with count_queries() as many:
        response = client.get("/social-accounts/?per_page=200")
    assert len(titles(response.get_data(as_text=True))) == 200
    assert few.count == many.count


def test_list_writes_the_kind_into_its_sql(client, make, login_as):
    """The list's count and page name the arrangement kind, not a parameter: a prepared count's
    generic plan can then find the accounts by the kind's index instead of reading every
    arrangement."""
    make.social_account(title="広報アカウント")
    make.engagement(title="清掃業務委託")
    login_as(make.user(Role.ADMIN))
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        html = client.get("/social-accounts/").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert titles(html) == ["広報アカウント"]
    listed = [
        (statement, parameters) for statement, parameters in seen if "social_account" in statement
    ]
    assert len(listed) == 2  # the count and the page
    for statement, parameters in listed:
        assert "arrangement.kind = 'social_account'" in statement
        values = parameters.values() if isinstance(parameters, dict) else parameters
        assert "social_account" not in set(values)
