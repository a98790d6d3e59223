"""Statuses (registered / expiring / expired / renewal pending / left the list / not registered),
suggestions by name, and linking a cloud service to its registration."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.cloud.models import CloudService
from vendorguard.extensions import db
from vendorguard.ismap import matching
from vendorguard.ismap.matching import IsmapStatus, status_clause, status_for
from vendorguard.ismap.models import IsmapKind, IsmapRegistration

TODAY = date(2026, 11, 28)


def registration(number: str = "C21-0001-1", **fields) -> IsmapRegistration:
    fields.setdefault("list_kind", IsmapKind.ISMAP)
    fields.setdefault("service_name", "テストサービス")
    fields.setdefault("provider_name", "テスト株式会社")
    return IsmapRegistration(registration_number=number, **fields)


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"valid_until": TODAY + timedelta(days=200)}, IsmapStatus.REGISTERED),
        ({"valid_until": None}, IsmapStatus.REGISTERED),
        ({"valid_until": TODAY + timedelta(days=91)}, IsmapStatus.REGISTERED),
        ({"valid_until": TODAY + timedelta(days=90)}, IsmapStatus.EXPIRING),
        ({"valid_until": TODAY + timedelta(days=20)}, IsmapStatus.EXPIRING),
        ({"valid_until": TODAY}, IsmapStatus.EXPIRING),
        ({"valid_until": TODAY - timedelta(days=1)}, IsmapStatus.EXPIRED),
        # a renewal filed before expiry keeps the registration valid until it is decided
        (
            {"valid_until": TODAY - timedelta(days=30), "renewal_pending": True},
            IsmapStatus.RENEWAL_PENDING,
        ),
        (
            {"valid_until": TODAY + timedelta(days=10), "renewal_pending": True},
            IsmapStatus.RENEWAL_PENDING,
        ),
        (
            {"valid_until": TODAY + timedelta(days=300), "left_list_on": TODAY},
            IsmapStatus.LEFT_LIST,
        ),
        ({"renewal_pending": True, "left_list_on": TODAY}, IsmapStatus.LEFT_LIST),
    ],
)
def test_status_for(app, fields, expected):
    assert status_for(registration(**fields), TODAY) == expected


def test_the_sql_filter_agrees_with_status_for(app):
    cases = [
        {"valid_until": TODAY + timedelta(days=200)},
        {"valid_until": None},
        {"valid_until": TODAY + timedelta(days=90)},
        {"valid_until": TODAY},
        {"valid_until": TODAY - timedelta(days=1)},
        {"valid_until": TODAY - timedelta(days=30), "renewal_pending": True},
        {"valid_until": TODAY + timedelta(days=300), "left_list_on": TODAY},
    ]
    regs = [registration(f"N-{i}", **fields) for i, fields in enumerate(cases)]
    db.session.add_all(regs)
    db.session.commit()
    for status in matching.REGISTRATION_STATUSES:
        found = set(
            db.session.scalars(
                select(IsmapRegistration.registration_number).where(status_clause(status, TODAY))
            )
        )
        assert found == {r.registration_number for r in regs if status_for(r, TODAY) == status}, (
            status
        )


def test_service_status_follows_the_registration_number(app, make):
    db.session.add(registration("C21-0009-1", valid_until=date.today() + timedelta(days=20)))
    db.session.commit()
    linked = make.cloud_service(
        ismap_registration_number="ｃ２１-0009-1 "
    )  # typed with full-width letters
    unknown = make.cloud_service(ismap_registration_number="C99-9999-9")
    unlinked = make.cloud_service()
    status, found = matching.service_status(db.session, linked)
    assert status == IsmapStatus.EXPIRING and found.registration_number == "C21-0009-1"
    assert matching.service_status(db.session, unknown) == (IsmapStatus.NOT_REGISTERED, None)
    assert matching.service_status(db.session, unlinked) == (IsmapStatus.NOT_REGISTERED, None)


def _seed_list() -> None:
    db.session.add_all(
        [
            registration("C21-0001-1", service_name="kintone", provider_name="サイボウズ株式会社"),
            registration("C21-0002-1", service_name="Garoon", provider_name="サイボウズ株式会社"),
            registration("C21-0003-1", service_name="Box", provider_name="株式会社Box Japan"),
            registration(
                "C21-0004-1",
                service_name="Microsoft 365",
                provider_name="日本マイクロソフト株式会社",
            ),
            registration(
                "C21-0005-1",
                service_name="電子申請サービス LoGoフォーム",
                provider_name="株式会社トラストバンク",
            ),
            registration(
                "C21-0006-1", service_name="電子契約サービス", provider_name="電子契約株式会社"
            ),
            registration(
                "C21-0007-1",
                service_name="Amazon Web Services",
                provider_name="アマゾン ウェブ サービス ジャパン合同会社",
            ),
        ]
    )
    db.session.commit()


@pytest.mark.parametrize(
    "service_name, provider_name, expected",
    [
        ("kintone", "サイボウズ（株）", "C21-0001-1"),
        ("ＫＩＮＴＯＮＥ", "", "C21-0001-1"),
        ("LoGoフォーム", "トラストバンク", "C21-0005-1"),
        ("Microsoft365", "日本マイクロソフト", "C21-0004-1"),
        ("AWS（Amazon Web Services）", "アマゾンウェブサービスジャパン", "C21-0007-1"),
        ("電子申請", "株式会社トラストバンク", "C21-0005-1"),
    ],
)
def test_suggestions_rank_the_right_service_first(app, service_name, provider_name, expected):
    _seed_list()
    suggestions = matching.suggest_registrations(db.session, service_name, provider_name)
    assert suggestions and suggestions[0].registration.registration_number == expected
    assert len(suggestions) <= 5
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)


def test_nothing_is_suggested_for_an_unrelated_name(app):
    _seed_list()
    assert matching.suggest_registrations(db.session, "図書館システム", "書籍管理有限会社") == []
    assert matching.suggest_registrations(db.session, "", "") == []


def test_suggestions_read_a_fixed_number_of_queries(app, count_queries):
    _seed_list()
    db.session.add_all(
        [
            registration(f"X-{i}", service_name=f"別のサービス{i}", provider_name=f"別会社{i}")
            for i in range(500)
        ]
    )
    db.session.commit()
    with count_queries() as counter:
        matching.suggest_registrations(db.session, "kintone", "サイボウズ")
    assert counter.count == 2


def test_the_service_page_shows_candidates_and_links_one(client, make, login_as):
    _seed_list()
    service = make.cloud_service(title="kintone（業務アプリ）", provider_name="サイボウズ株式会社")
    login_as(make.user(Role.ADMIN))
    html = client.get(f"/admin/ismap/services/{service.id}").get_data(as_text=True)
    assert "未登録" in html
    assert html.index("C21-0001-1") < html.index("C21-0002-1")
    candidate = db.session.scalars(
        select(IsmapRegistration).where(IsmapRegistration.registration_number == "C21-0001-1")
    ).one()
    response = client.post(
        f"/admin/ismap/services/{service.id}/link", data={"registration_id": candidate.id}
    )
    assert response.status_code == 302
    db.session.expire_all()
    linked = db.session.get(CloudService, service.id)
    assert (linked.ismap_registration_number, linked.ismap_kind) == ("C21-0001-1", IsmapKind.ISMAP)
    after = db.session.scalars(
        select(AuditEvent.after).where(
            AuditEvent.object_type == "cloud_service",
            AuditEvent.object_id == str(service.id),
            AuditEvent.action == "update",
        )
    ).one()
    assert after == {"ismap_registration_number": "C21-0001-1", "ismap_kind": "ismap"}
    html = client.get(f"/admin/ismap/services/{service.id}").get_data(as_text=True)
    assert "紐付け済" in html and "登録済" in html


def test_an_unknown_number_is_explained(client, make, login_as):
    service = make.cloud_service(ismap_registration_number="C99-0000-1")
    login_as(make.user(Role.ADMIN))
    html = client.get(f"/admin/ismap/services/{service.id}").get_data(as_text=True)
    assert "登録番号 C99-0000-1 は取り込んだ ISMAP の一覧にありません。" in html


def test_an_archived_service_is_not_relinked(client, make, login_as):
    _seed_list()
    from vendorguard.core.timeutil import utcnow

    service = make.cloud_service(title="kintone", archived_at=utcnow())
    login_as(make.user(Role.ADMIN))
    candidate = db.session.scalars(select(IsmapRegistration.id)).first()
    html = client.post(
        f"/admin/ismap/services/{service.id}/link",
        data={"registration_id": candidate},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "アーカイブ済みの外部サービスは変更できません。" in html
    db.session.expire_all()
    assert db.session.get(CloudService, service.id).ismap_registration_number is None


def test_linking_needs_the_approver_and_real_ids(client, make, login_as):
    _seed_list()
    department = make.department()
    service = make.cloud_service(department=department)
    candidate = db.session.scalars(select(IsmapRegistration.id)).first()
    login_as(make.user(Role.OFFICER, department=department))
    assert client.get(f"/admin/ismap/services/{service.id}").status_code == 403
    assert (
        client.post(
            f"/admin/ismap/services/{service.id}/link", data={"registration_id": candidate}
        ).status_code
        == 403
    )
    client.post("/logout")
    login_as(make.user(Role.ADMIN))
    assert client.get("/admin/ismap/services/999999").status_code == 404
    assert (
        client.post(
            f"/admin/ismap/services/{service.id}/link", data={"registration_id": 999999}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/admin/ismap/services/{service.id}/link", data={"registration_id": "x"}
        ).status_code
        == 400
    )
