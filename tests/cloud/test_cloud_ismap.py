"""ISMAP status on the cloud service pages: list column and filter, detail, suggestions, risk."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.cloud.conftest import registration
from tests.cloud.test_cloud_list import row_of, titles
from vendorguard.approvals.models import ApprovalState
from vendorguard.auth.roles import Role
from vendorguard.cloud import assurance, queries
from vendorguard.cloud.models import CloudService
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.extensions import db
from vendorguard.ismap.matching import IsmapStatus
from vendorguard.ismap.models import IsmapKind


def test_a_registration_expiring_in_20_days_is_listed_as_expiring(client, make, login_as):
    registration("C21-0020-1", valid_until=today_tokyo() + timedelta(days=20))
    registration("C21-0400-1", valid_until=today_tokyo() + timedelta(days=400))
    make.cloud_service(
        title="ファイル共有", ismap_kind=IsmapKind.ISMAP, ismap_registration_number="C21-0020-1"
    )
    make.cloud_service(
        title="グループウェア", ismap_kind=IsmapKind.ISMAP, ismap_registration_number="C21-0400-1"
    )
    login_as(make.user(Role.OFFICER))
    html = client.get("/cloud-services/").get_data(as_text=True)
    row = row_of(html, "ファイル共有")
    assert '<span class="badge badge-warn">期限間近</span>' in row
    assert f"{(today_tokyo() + timedelta(days=20)):%Y年%-m月%-d日}まで" in row
    assert "期限間近" not in row_of(html, "グループウェア") and "登録済" in row_of(
        html, "グループウェア"
    )
    assert titles(client.get("/cloud-services/?ismap_status=expiring").get_data(as_text=True)) == [
        "ファイル共有"
    ]


def test_a_service_whose_registration_left_the_list_is_flagged(client, make, login_as):
    registration(
        "C21-0099-1",
        valid_until=today_tokyo() + timedelta(days=300),
        left_list_on=date(2026, 1, 15),
    )
    service = make.cloud_service(
        title="住民相談システム",
        handles_high_confidentiality=True,
        ismap_kind=IsmapKind.ISMAP,
        ismap_registration_number="C21-0099-1",
        approval_state=ApprovalState.APPROVED,
        approval_valid_until=today_tokyo() + timedelta(days=200),
    )
    make.cloud_service(title="掲載中のサービス")
    login_as(make.user(Role.AUDITOR))
    html = client.get("/cloud-services/").get_data(as_text=True)
    row = row_of(html, "住民相談システム")
    assert '<span class="badge badge-danger">リストから削除</span>' in row
    assert "要対応：ISMAPリストから削除" in row
    assert titles(client.get("/cloud-services/?ismap_status=left_list").get_data(as_text=True)) == [
        "住民相談システム"
    ]
    assert titles(client.get("/cloud-services/?risk=1").get_data(as_text=True)) == [
        "住民相談システム"
    ]
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert (
        "ISMAP登録番号 C21-0099-1 のサービスは、2026年1月15日にISMAPのリストから削除されました。"
        in html
    )
    assert [
        s.id
        for s in db.session.scalars(
            queries.cloud_list(queries.CloudFilters(risk_only=True))
        ).unique()
    ] == [service.id]


def test_status_filter_agrees_with_the_badges(client, make, login_as):
    today = today_tokyo()
    registration("R-1", valid_until=today + timedelta(days=200))
    registration("R-2", valid_until=None)
    registration("X-1", valid_until=today + timedelta(days=90))
    registration("E-1", valid_until=today - timedelta(days=1))
    registration("P-1", valid_until=today - timedelta(days=30), renewal_pending=True)
    registration("L-1", valid_until=today + timedelta(days=200), left_list_on=today)
    numbers = {
        "登録済A": "R-1",
        "登録済B": "r-2",
        "期限間近": "X-1",
        "期限切れ": "E-1",
        "更新審査中": "P-1",
        "削除": "L-1",
        "番号が一覧にない": "Z-9",
        "番号なし": None,
    }
    for title, number in numbers.items():
        make.cloud_service(
            title=title,
            ismap_registration_number=number,
            ismap_kind=IsmapKind.ISMAP if number else None,
        )
    services = db.session.scalars(select(CloudService)).all()
    standings = assurance.standings(db.session, services)
    login_as(make.user(Role.PROCUREMENT))
    for status in IsmapStatus:
        listed = sorted(
            titles(
                client.get(f"/cloud-services/?ismap_status={status.value}").get_data(as_text=True)
            )
        )
        assert listed == sorted(s.title for s in services if standings[s.id].status == status), (
            status
        )
    assert {s.title: standings[s.id].status for s in services}[
        "登録済B"
    ] == IsmapStatus.REGISTERED  # case-insensitive


def test_detail_shows_the_linked_registration(client, make, login_as):
    registration(
        "C22-0005-1",
        list_kind=IsmapKind.ISMAP_LIU,
        service_name="電子申請プラットフォーム",
        provider_name="ジチタイ・システムズ株式会社",
        audit_period_end=date(2025, 12, 31),
        valid_until=date(2027, 5, 1),
        valid_until_computed=True,
        remarks="2025年更新",
    )
    department = make.department()
    service = make.cloud_service(
        department=department,
        title="電子申請",
        ismap_kind=IsmapKind.ISMAP_LIU,
        ismap_registration_number="C22-0005-1",
    )
    login_as(make.user(Role.OFFICER, department=department))
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    for text in (
        "C22-0005-1",
        "ISMAP-LIU",
        "2027年5月1日",
        "監査対象期間から算出",
        "2025年更新",
        "電子申請プラットフォーム",
    ):
        assert text in html, text
    assert "/admin/ismap/services/" not in html  # linking is the security office's work
    login_as(make.user(Role.ADMIN))
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert f'href="/admin/ismap/services/{service.id}"' in html


def test_detail_suggests_candidates_when_none_is_linked(client, make, login_as):
    for i in range(7):
        registration(
            f"C23-000{i}-1",
            service_name=f"kintone 拡張{i}" if i else "kintone",
            provider_name="サイボウズ株式会社",
        )
    registration("C23-0100-1", service_name="Box", provider_name="株式会社Box Japan")
    service = make.cloud_service(title="kintone", provider_name="サイボウズ株式会社")
    login_as(make.user(Role.ADMIN))
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert (
        "名称が近い登録（候補）" in html
        and "ISMAP（ISMAP-LIU）の登録番号が記録されていません。" in html
    )
    assert (
        html.count('href="/admin/ismap/registrations/') == 5
        and "C23-0000-1" in html
        and "Box" not in html
    )
    assert f'href="/admin/ismap/services/{service.id}"' in html
    login_as(make.user(Role.AUDITOR))
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert "C23-0000-1" in html and "/admin/ismap/services/" not in html


@pytest.mark.parametrize(
    "fields, at_risk",
    [
        ({"ismap": "OK"}, False),
        ({"ismap": "SOON"}, False),  # expiring is still registered
        ({"ismap": "PENDING"}, False),  # a renewal filed in time keeps it valid
        ({"ismap": "OLD"}, True),
        ({"ismap": "GONE"}, True),
        ({"ismap": None}, True),
        ({"ismap": "OK", "approval": None}, True),
        ({"ismap": "OK", "approval": -1}, True),
        ({"ismap": None, "high": False}, False),
        ({"ismap": None, "archived": True}, False),
    ],
)
def test_at_risk_services(make, fields, at_risk):
    today = today_tokyo()
    registration("OK", valid_until=today + timedelta(days=365))
    registration("SOON", valid_until=today + timedelta(days=5))
    registration("PENDING", valid_until=today - timedelta(days=5), renewal_pending=True)
    registration("OLD", valid_until=today - timedelta(days=5))
    registration("GONE", left_list_on=today)
    days = fields.get("approval", 30)
    service = make.cloud_service(
        handles_high_confidentiality=fields.get("high", True),
        ismap_registration_number=fields["ismap"],
        ismap_kind=IsmapKind.ISMAP if fields["ismap"] else None,
        approval_state=ApprovalState.APPROVED if days is not None else ApprovalState.NOT_APPLIED,
        approval_valid_until=today + timedelta(days=days) if days is not None else None,
        archived_at=utcnow() if fields.get("archived") else None,
    )
    found = [
        s.id
        for s in db.session.scalars(
            queries.cloud_list(queries.CloudFilters(risk_only=True))
        ).unique()
    ]
    assert (service.id in found) is at_risk
    if not fields.get("archived"):
        reasons = assurance.risk_reasons(service, assurance.standing(db.session, service))
        assert bool(reasons) is at_risk
