"""The registration list (search, filters, sorting), detail pages, history, and their query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.extensions import db
from vendorguard.ismap import services
from vendorguard.ismap.models import ImportStatus, IsmapImport, IsmapKind, IsmapRegistration

from .conftest import csv_bytes


def _registrations(count: int, start: int = 0) -> None:
    today = today_tokyo()
    db.session.add_all(
        [
            IsmapRegistration(
                registration_number=f"C{start + i:05d}",
                list_kind=IsmapKind.ISMAP if i % 3 else IsmapKind.ISMAP_LIU,
                service_name=f"サービス{start + i}",
                provider_name=f"事業者{start + i}株式会社",
                valid_until=today + timedelta(days=(i % 400) - 100),
                renewal_pending=i % 7 == 0,
                left_list_on=today if i % 11 == 0 else None,
            )
            for i in range(count)
        ]
    )
    db.session.commit()


def _imports(count: int, user) -> None:
    now = utcnow()
    db.session.add_all(
        [
            IsmapImport(
                list_kind=IsmapKind.ISMAP,
                source=f"https://example.jp/list{i}.xlsx",
                sha256="0" * 64,
                started_at=now - timedelta(minutes=i),
                finished_at=now,
                rows_read=i,
                status=ImportStatus.OK if i % 2 else ImportStatus.FAILED,
                error="" if i % 2 else "列「登録番号」が見つかりません。",
                imported_by_id=user.id if i % 3 else None,
                actor_label="cli:ismap-import",
            )
            for i in range(count)
        ]
    )
    db.session.commit()


@pytest.mark.parametrize(
    "url",
    ["/admin/ismap/", "/admin/ismap/?status=expired&kind=ismap&q=サービス&sort=valid&dir=desc"],
)
def test_registration_list_query_count_does_not_grow(client, make, login_as, count_queries, url):
    login_as(make.user(Role.AUDITOR))
    _registrations(5)
    assert "サービス1" in client.get(url).get_data(as_text=True)  # the filtered list is not empty
    with count_queries() as few:
        assert client.get(url + ("&" if "?" in url else "?") + "per_page=200").status_code == 200
    _registrations(500, start=5)
    with count_queries() as many:
        response = client.get(url + ("&" if "?" in url else "?") + "per_page=200")
        assert response.status_code == 200
    assert few.count == many.count


def test_import_history_query_count_does_not_grow(client, make, login_as, count_queries):
    admin = make.user(Role.ADMIN)
    login_as(admin)
    _imports(5, admin)
    client.get("/admin/ismap/imports/")
    with count_queries() as few:
        assert client.get("/admin/ismap/imports/?per_page=200").status_code == 200
    _imports(500, admin)
    with count_queries() as many:
        html = client.get("/admin/ismap/imports/?per_page=200").get_data(as_text=True)
    assert few.count == many.count
    assert admin.name in html and "cli:ismap-import" in html


def test_list_filters_by_status_kind_and_search(client, make, login_as):
    services.import_file(db.session, csv_bytes(), "a.csv", IsmapKind.ISMAP, "test")
    db.session.commit()
    login_as(make.user(Role.OFFICER))
    html = client.get("/admin/ismap/?status=expiring").get_data(as_text=True)
    assert "庁内ファイル共有サービス" in html and "期限間近" in html
    assert "グループウェア クラウド" not in html
    html = client.get("/admin/ismap/?status=renewal_pending").get_data(as_text=True)
    assert "電子申請プラットフォーム" in html and "庁内ファイル共有サービス" not in html
    html = client.get("/admin/ismap/?q=（株）グループウェア").get_data(as_text=True)
    assert "グループウェア クラウド" in html and "電子申請プラットフォーム" not in html
    html = client.get("/admin/ismap/?q=c21-0001").get_data(as_text=True)
    assert "テストクラウド基盤サービス" in html and "庁内ファイル共有サービス" not in html
    assert "該当する登録はありません。" in client.get("/admin/ismap/?kind=ismap_liu").get_data(
        as_text=True
    )
    assert "監査対象期間から算出" in client.get("/admin/ismap/").get_data(as_text=True)
    # nonsense filter values are ignored rather than failing
    assert client.get("/admin/ismap/?status=nope&kind=nope&sort=nope&page=x").status_code == 200


def test_registration_detail_lists_the_services_naming_it(client, make, login_as):
    services.import_file(db.session, csv_bytes(), "a.csv", IsmapKind.ISMAP, "test")
    db.session.commit()
    service = make.cloud_service(title="庁内ファイル共有", ismap_registration_number="C21-0002-1")
    registration = db.session.scalars(
        select(IsmapRegistration).where(IsmapRegistration.registration_number == "C21-0002-1")
    ).one()
    login_as(make.user(Role.PROCUREMENT))
    html = client.get(f"/admin/ismap/registrations/{registration.id}").get_data(as_text=True)
    assert "庁内ファイル共有サービス" in html and service.title in html and "期限間近" in html
    assert client.get("/admin/ismap/registrations/999999").status_code == 404
    assert client.get("/admin/ismap/imports/999999").status_code == 404


def test_viewers_see_no_import_button_and_others_are_kept_out(client, make, login_as):
    login_as(make.user(Role.AUDITOR))
    html = client.get("/admin/ismap/").get_data(as_text=True)
    assert 'href="/admin/ismap/import"' not in html and 'href="/admin/ismap/imports/"' in html
    client.post("/logout")
    login_as(make.user(Role.SNS_OWNER))
    assert client.get("/admin/ismap/").status_code == 403
    assert client.get("/admin/ismap/imports/").status_code == 403


def test_import_page_offers_the_configured_url(app, client, make, login_as):
    login_as(make.user(Role.ADMIN))
    html = client.get("/admin/ismap/import").get_data(as_text=True)
    assert "一覧の URL が設定されていません。" in html
    html = client.post(
        "/admin/ismap/fetch", data={"fetch-list_kind": "ismap"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "一覧の URL が設定されていません（VENDORGUARD_ISMAP_LIST_URL）。" in html
    app.config["ISMAP_LIST_URL"] = "https://www.ismap.go.jp/list.xlsx"
    html = client.get("/admin/ismap/import").get_data(as_text=True)
    assert "https://www.ismap.go.jp/list.xlsx" in html and "ダウンロードして取り込む" in html
