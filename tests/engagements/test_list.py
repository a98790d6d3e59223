"""The engagement list: search, the filters other pages link to, sorting, and a fixed query count."""

from __future__ import annotations

import re
from datetime import date, timedelta

from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db


def _titles(client, query: str = "") -> list[str]:
    html = client.get(f"/engagements/?per_page=200&{query}").get_data(as_text=True)
    return re.findall(r'<a href="/engagements/\d+">([^<]+)</a>', html)


def test_ending_within_counts_days_from_today_in_japan(client, make, login_as):
    today = today_tokyo()
    make.engagement(title="今日終了", starts_on=today - timedelta(days=300), ends_on=today)
    make.engagement(
        title="30日後終了",
        starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=30),
    )
    make.engagement(
        title="31日後終了",
        starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=31),
    )
    make.engagement(
        title="昨日終了", starts_on=today - timedelta(days=300), ends_on=today - timedelta(days=1)
    )
    login_as(make.user(Role.AUDITOR))
    assert sorted(_titles(client, "ending_within=30")) == sorted(["今日終了", "30日後終了"])
    assert len(_titles(client, "ending_within=abc")) == 4  # nonsense is ignored, not an error


def test_starting_fy_is_april_to_march(client, make, login_as):
    make.engagement(title="年度初日", starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
    make.engagement(title="年度末日", starts_on=date(2028, 3, 31), ends_on=date(2028, 3, 31))
    make.engagement(title="前年度末", starts_on=date(2027, 3, 31), ends_on=date(2028, 3, 31))
    make.engagement(title="翌年度初日", starts_on=date(2028, 4, 1), ends_on=date(2029, 3, 31))
    login_as(make.user(Role.AUDITOR))
    assert sorted(_titles(client, "starting_fy=2027")) == sorted(["年度初日", "年度末日"])


def test_flag_segment_department_contractor_state_and_archived_filters(client, make, login_as):
    tax, welfare = make.department(name="税務課"), make.department(name="福祉課")
    vendor = make.contractor()
    make.engagement(
        title="番号",
        department=tax,
        handles_my_number=True,
        handles_personal_info=True,
        segment_my_number=True,
    )
    make.engagement(
        title="個人",
        department=welfare,
        handles_personal_info=True,
        segment_lgwan=True,
        state=ArrangementState.ACTIVE,
    )
    make.engagement(
        title="一般",
        department=welfare,
        contractor=vendor,
        segment_internet=True,
        state=ArrangementState.ACTIVE,
    )
    make.engagement(title="過去", department=tax, archived_at=utcnow())
    login_as(make.user(Role.PROCUREMENT))
    assert _titles(client, "my_number=1") == ["番号"]
    assert sorted(_titles(client, "personal=1")) == sorted(["番号", "個人"])
    assert _titles(client, "segment=my_number") == ["番号"]
    assert _titles(client, "segment=lgwan") == ["個人"]
    assert _titles(client, "segment=internet") == ["一般"]
    assert len(_titles(client, "segment=bogus")) == 3
    assert _titles(client, f"department={tax.id}") == ["番号"]
    assert sorted(_titles(client, f"department={tax.id}&archived=1")) == sorted(["番号", "過去"])
    assert _titles(client, f"contractor={vendor.id}") == ["一般"]
    assert sorted(_titles(client, "state=active")) == sorted(["個人", "一般"])
    assert _titles(client, "state=active&personal=1") == ["個人"]


def test_search_matches_title_number_contractor_name_and_reading(client, make, login_as):
    tajima = make.contractor(name="但馬情報サービス株式会社", name_kana="タジマジョウホウサービス")
    kinosaki = make.contractor(name="城崎システム株式会社", name_kana="キノサキシステム")
    make.engagement(title="住民基本台帳システム保守", contractor=tajima, contract_number="R8-0100")
    make.engagement(
        title="観光サイト運用（令和8年度）", contractor=kinosaki, contract_number="R8-0200"
    )
    login_as(make.user(Role.OFFICER))
    assert _titles(client, "q=たじま") == ["住民基本台帳システム保守"]
    assert _titles(client, "q=ｷﾉｻｷ") == ["観光サイト運用（令和8年度）"]
    assert _titles(client, "q=城崎") == ["観光サイト運用（令和8年度）"]
    assert _titles(client, "q=Ｒ8-0100") == ["住民基本台帳システム保守"]
    assert _titles(client, "q=（令和8年度）") == ["観光サイト運用（令和8年度）"]
    assert _titles(client, "q=%25") == []  # a wildcard is a literal character


def test_sorting_by_contractor_reading_and_default_newest_first(client, make, login_as):
    a = make.contractor(name="和田山商事", name_kana="ワダヤマショウジ")
    b = make.contractor(name="出石商事", name_kana="イズシショウジ")
    make.engagement(
        title="古い業務", contractor=a, starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31)
    )
    make.engagement(
        title="新しい業務", contractor=b, starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31)
    )
    login_as(make.user(Role.ADMIN))
    assert _titles(client) == ["新しい業務", "古い業務"]
    assert _titles(client, "sort=start&dir=asc") == ["古い業務", "新しい業務"]
    assert _titles(client, "sort=contractor") == [
        "新しい業務",
        "古い業務",
    ]  # イズシ before ワダヤマ
    assert _titles(client, "sort=contractor&dir=desc") == ["古い業務", "新しい業務"]


def test_list_query_count_does_not_grow(client, make, login_as, count_queries):
    make.schemes()
    department, contractor = make.department(), make.contractor()
    login_as(make.user(Role.ADMIN))
    for _ in range(5):
        make.engagement(department=department, contractor=contractor, handles_personal_info=True)
    with count_queries() as few:
        assert client.get("/engagements/?per_page=200").status_code == 200
    db.session.add_all(
        [
            Engagement(
                title=f"一括業務{n}",
                department_id=department.id,
                contractor_id=contractor.id,
                starts_on=date(2026, 4, 1),
                ends_on=date(2027, 3, 31),
                handles_my_number=True,
            )
            for n in range(495)
        ]
    )
    db.session.commit()
    with count_queries() as many:
        response = client.get("/engagements/?per_page=200&sort=contractor")
    assert response.status_code == 200
    assert len(re.findall(r'<a href="/engagements/\d+">', response.get_data(as_text=True))) == 200
    assert few.count == many.count


def test_detail_query_count_does_not_grow(client, make, login_as, count_queries):
    make.schemes()
    engagement = make.engagement(subcontracting_allowed=True)
    make.subcontractor(engagement)
    login_as(make.user(Role.ADMIN))
    with count_queries() as few:
        assert client.get(f"/engagements/{engagement.id}").status_code == 200
    for _ in range(20):
        make.subcontractor(engagement, approved=False)
    with count_queries() as many:
        assert client.get(f"/engagements/{engagement.id}").status_code == 200
    assert few.count == many.count


def test_every_sort_pages_through_the_same_rows_as_one_long_page(client, make, login_as):
    # The page's keys come from a select of the engagement table alone (joined only to what the
    # sort needs): paged three at a time, each sort and direction must list exactly the rows of
    # one long page, in its order, archived ones left out unless asked for.
    tax, welfare = make.department(name="税務課"), make.department(name="福祉課")
    contractors = [make.contractor(name=f"商事{n}", name_kana=f"ショウジ{n % 3}") for n in range(4)]
    for n in range(11):
        make.engagement(
            title=f"業務{n % 4}-{n}",
            department=tax if n % 2 else welfare,
            contractor=contractors[n % 4],
            contract_number=f"R8-{n % 5:03d}{n}" if n % 3 else None,
            starts_on=date(2026, 4, 1 + n % 3),
            ends_on=date(2027, 3, 1 + n % 4),
            archived_at=utcnow() if n in (4, 7) else None,
        )
    login_as(make.user(Role.ADMIN))
    for query in ("", f"department={tax.id}", "archived=1", "q=業務1"):
        for sort in ("start", "end", "title", "number", "contractor"):
            for direction in ("asc", "desc"):
                args = f"{query}&sort={sort}&dir={direction}"
                whole = _titles(client, args)
                paged = []
                for page in range(1, 6):
                    html = client.get(f"/engagements/?per_page=3&page={page}&{args}")
                    found = re.findall(
                        r'<a href="/engagements/\d+">([^<]+)</a>', html.get_data(as_text=True)
                    )
                    paged += found if page <= -(-len(whole) // 3) else []
                assert paged == whole, args
                assert ("業務0-4" in whole) == (query == "archived=1"), args
    assert len(_titles(client)) == 9
    assert len(_titles(client, "archived=1")) == 11
    assert sorted(_titles(client, f"department={tax.id}")) == sorted(
        f"業務{n % 4}-{n}" for n in (1, 3, 5, 9)
    )
