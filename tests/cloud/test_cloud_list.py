"""The cloud service list: search, filters, sorting, badges and a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.cloud.conftest import registration
from vendorguard.approvals.models import ApprovalState
from vendorguard.auth.roles import Role
from vendorguard.cloud import queries
from vendorguard.cloud.models import CloudService, TermsType
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.extensions import db
from vendorguard.ismap.models import IsmapKind, IsmapRegistration


def row_of(html: str, title: str) -> str:
    """The table row that shows ``title``."""
    rows = [row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if f">{title}</a>" in row]
    assert len(rows) == 1, f"{title} shown {len(rows)} times"
    return rows[0]


def titles(html: str) -> list[str]:
    """Service names listed, in order."""
    return re.findall(r'<a href="/cloud-services/\d+">([^<]+)</a>', html)


def test_risk_badge_when_high_confidentiality_lacks_ismap_or_approval(client, make, login_as):
    today = today_tokyo()
    registration("C21-0001-1", valid_until=today + timedelta(days=400))
    registration("C21-0002-1", valid_until=today - timedelta(days=1))
    registration("C21-0003-1", left_list_on=today)
    valid = today + timedelta(days=100)
    approved = {"approval_state": ApprovalState.APPROVED, "approval_valid_until": valid}
    ismap = {"ismap_kind": IsmapKind.ISMAP, "ismap_registration_number": "C21-0001-1"}
    make.cloud_service(title="ISMAPなし", handles_high_confidentiality=True, **approved)
    make.cloud_service(
        title="一覧にない番号",
        handles_high_confidentiality=True,
        **approved,
        ismap_kind=IsmapKind.ISMAP,
        ismap_registration_number="C99-9999-9",
    )
    make.cloud_service(
        title="ISMAP期限切れ",
        handles_high_confidentiality=True,
        **approved,
        ismap_kind=IsmapKind.ISMAP,
        ismap_registration_number="C21-0002-1",
    )
    make.cloud_service(title="未承認", handles_high_confidentiality=True, **ismap)
    make.cloud_service(
        title="承認期限切れ",
        handles_high_confidentiality=True,
        **ismap,
        approval_state=ApprovalState.APPROVED,
        approval_valid_until=today - timedelta(days=1),
    )
    make.cloud_service(title="問題なし", handles_high_confidentiality=True, **ismap, **approved)
    make.cloud_service(title="機密性1のみ")
    make.cloud_service(
        title="機密性1でリスト削除",
        ismap_kind=IsmapKind.ISMAP,
        ismap_registration_number="C21-0003-1",
    )
    login_as(make.user(Role.AUDITOR))
    html = client.get("/cloud-services/").get_data(as_text=True)
    assert "ISMAP未登録" in row_of(html, "ISMAPなし") and "利用未承認" not in row_of(
        html, "ISMAPなし"
    )
    assert "ISMAP未登録" in row_of(html, "一覧にない番号")
    assert "ISMAP登録の期限切れ" in row_of(html, "ISMAP期限切れ")
    assert "利用未承認" in row_of(html, "未承認") and "ISMAP未登録" not in row_of(html, "未承認")
    assert "利用承認の期限切れ" in row_of(html, "承認期限切れ")
    for title in ("問題なし", "機密性1のみ", "機密性1でリスト削除"):
        assert "要対応" not in row_of(html, title)
    assert "リストから削除" in row_of(
        html, "機密性1でリスト削除"
    )  # flagged by its ISMAP status all the same
    assert "機密性2以上" in row_of(html, "問題なし") and "機密性2以上" not in row_of(
        html, "機密性1のみ"
    )
    assert "ISMAP<" in row_of(html, "問題なし") and "約款" in row_of(html, "機密性1のみ")
    # The list's 要対応 filter, as a page and as a query, agrees with the badges.
    at_risk = ["ISMAPなし", "一覧にない番号", "ISMAP期限切れ", "未承認", "承認期限切れ"]
    assert sorted(titles(client.get("/cloud-services/?risk=1").get_data(as_text=True))) == sorted(
        at_risk
    )
    assert sorted(
        s.title
        for s in db.session.scalars(
            queries.cloud_list(queries.CloudFilters(risk_only=True))
        ).unique()
    ) == sorted(at_risk)


def test_search_covers_name_provider_reading_and_ismap_number(client, make, login_as):
    contractor = make.contractor(
        name="但馬情報サービス株式会社", name_kana="タジマジョウホウサービス"
    )
    make.cloud_service(title="電子契約", provider_contractor_id=contractor.id, provider_name="")
    make.cloud_service(title="ファイル共有", provider_name="Example Cloud Inc.")
    make.cloud_service(
        title="グループウェア",
        ismap_kind=IsmapKind.ISMAP_LIU,
        ismap_registration_number="L23-0042-1",
    )
    login_as(make.user(Role.PROCUREMENT))

    def found(q):
        return titles(client.get("/cloud-services/", query_string={"q": q}).get_data(as_text=True))

    assert found("電子") == ["電子契約"]
    assert found("たじま") == ["電子契約"]  # the contractor's reading, typed in hiragana
    assert found("但馬情報") == ["電子契約"]
    assert found("example") == ["ファイル共有"]
    assert found("L23-0042") == ["グループウェア"]
    assert found("100%") == []
    html = client.get("/cloud-services/").get_data(as_text=True)
    assert "但馬情報サービス株式会社" in row_of(html, "電子契約") and "ISMAP-LIU" in row_of(
        html, "グループウェア"
    )


def test_filters(client, make, login_as):
    registration("C1")
    make.cloud_service(
        title="個別契約で機密",
        terms_type=TermsType.CONTRACT,
        handles_high_confidentiality=True,
        ismap_kind=IsmapKind.ISMAP,
        ismap_registration_number="C1",
    )
    make.cloud_service(title="約款で申請中", approval_state=ApprovalState.APPLIED)
    make.cloud_service(title="古いサービス", archived_at=utcnow())
    login_as(make.user(Role.AUDITOR))

    def listed(**args):
        return sorted(
            titles(client.get("/cloud-services/", query_string=args).get_data(as_text=True))
        )

    assert listed(terms="contract") == ["個別契約で機密"]
    assert listed(terms="standard_terms") == ["約款で申請中"]
    assert listed(high="1") == ["個別契約で機密"]
    assert listed(ismap_status="registered") == ["個別契約で機密"]
    assert listed(ismap_status="not_registered") == ["約款で申請中"]
    assert listed(approval="applied") == ["約款で申請中"]
    assert listed(approval="not_applied") == ["個別契約で機密"]
    assert listed(archived="1", approval="not_applied") == ["個別契約で機密", "古いサービス"]
    assert listed(terms="nonsense", approval="bogus", department="x", ismap_status="?") == [
        "個別契約で機密",
        "約款で申請中",
    ]


def test_sorting_by_name_provider_and_approval(client, make, login_as):
    contractor = make.contractor(name="あいう", name_kana="アイウ")
    make.cloud_service(title="B", provider_name="ワ社", approval_state=ApprovalState.APPROVED)
    make.cloud_service(title="A", provider_name="", provider_contractor_id=contractor.id)
    make.cloud_service(title="C", provider_name="カ社", approval_state=ApprovalState.APPLIED)
    login_as(make.user(Role.ADMIN))

    def order(**args):
        return titles(client.get("/cloud-services/", query_string=args).get_data(as_text=True))

    assert order() == ["A", "B", "C"]
    assert order(sort="name", dir="desc") == ["C", "B", "A"]
    assert order(sort="provider") == ["A", "C", "B"]
    assert order(sort="approval") == ["C", "A", "B"]  # applications waiting for a decision first


def test_list_runs_a_fixed_number_of_queries(client, make, login_as, count_queries):
    admin = make.user(Role.ADMIN)
    login_as(admin)
    department = make.department()
    today = today_tokyo()

    def add(start, count):
        contractor = make.contractor()
        db.session.add_all(
            [
                IsmapRegistration(
                    registration_number=f"C{i:05d}",
                    list_kind=IsmapKind.ISMAP,
                    service_name=f"サービス{i}",
                    valid_until=today + timedelta(days=i % 200 - 50),
                    left_list_on=today if i % 7 == 0 else None,
                )
                for i in range(start, start + count)
                if i % 5
            ]
        )
        db.session.add_all(
            [
                CloudService(
                    title=f"サービス{i}",
                    department_id=department.id,
                    responsible_officer_id=admin.id,
                    provider_contractor_id=contractor.id if i % 2 else None,
                    provider_name="" if i % 2 else "事業者",
                    ismap_kind=IsmapKind.ISMAP if i % 3 else None,
                    ismap_registration_number=f"C{i:05d}" if i % 3 else None,
                    handles_high_confidentiality=bool(i % 3),
                )
                for i in range(start, start + count)
            ]
        )
        db.session.commit()

    add(0, 5)
    client.get("/cloud-services/")
    with count_queries() as few:
        assert client.get("/cloud-services/?per_page=200").status_code == 200
    add(5, 495)
    with count_queries() as many:
        response = client.get("/cloud-services/?per_page=200")
        assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert len(titles(html)) == 200 and "リストから削除" in html and "期限間近" in html
    assert few.count == many.count
    with count_queries() as filtered:
        assert (
            client.get("/cloud-services/?per_page=200&ismap_status=expiring&risk=1").status_code
            == 200
        )
    assert filtered.count == many.count
