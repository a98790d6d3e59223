"""Certificates of a contractor: entering them, their validity badges, and the list filter."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.contractors.models import Certification, CertificationKind, CertificationState
from vendorguard.contractors.queries import held_certifications
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.extensions import db


def days(n: int) -> date:
    return today_tokyo() + timedelta(days=n)


@pytest.fixture
def admin(make, login_as):
    user = make.user(Role.ADMIN)
    login_as(user)
    return user


def cert_form(**fields):
    data = {
        "kind": "isms",
        "kind_other": "",
        "number": "IS 123456",
        "issuer": "一般財団法人テスト認証機構",
        "scope": "本社 システム開発部",
        "valid_from": "2025-04-01",
        "valid_until": "2028-03-31",
    }
    data.update(fields)
    return data


def badges(html: str) -> list[str]:
    """The text of every badge in a page, in order."""
    return re.findall(r'<span class="badge [^"]*">([^<]*)</span>', html)


def test_admin_adds_edits_archives_and_restores_a_certificate(client, make, admin):
    contractor = make.contractor()
    response = client.post(f"/contractors/{contractor.id}/certifications/new", data=cert_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/contractors/{contractor.id}#certifications")
    certification = db.session.scalars(select(Certification)).one()
    assert (certification.kind, certification.number, certification.valid_until) == (
        CertificationKind.ISMS,
        "IS 123456",
        date(2028, 3, 31),
    )

    response = client.post(
        f"/contractors/{contractor.id}/certifications/{certification.id}/edit",
        data=cert_form(valid_until="2031/3/31", number="ＩＳ　１２３４５６"),
    )
    assert response.status_code == 302
    db.session.refresh(certification)
    assert certification.valid_until == date(2031, 3, 31) and certification.number == "IS 123456"

    client.post(f"/contractors/{contractor.id}/certifications/{certification.id}/archive")
    db.session.refresh(certification)
    assert certification.archived_at is not None
    client.post(f"/contractors/{contractor.id}/certifications/{certification.id}/restore")
    db.session.refresh(certification)
    assert certification.archived_at is None
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "certification")
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == ["create", "update", "archive", "restore"]


def test_edit_form_preselects_the_kind(client, make, admin):
    contractor = make.contractor()
    certification = make.certification(
        contractor, kind=CertificationKind.PRIVACY_MARK, valid_until=days(400)
    )
    html = client.get(
        f"/contractors/{contractor.id}/certifications/{certification.id}/edit"
    ).get_data(as_text=True)
    assert re.search(r'<option selected value="privacy_mark">プライバシーマーク</option>', html)
    assert f'value="{days(400).isoformat()}"' in html


def test_other_kind_needs_a_name(client, make, admin):
    contractor = make.contractor()
    response = client.post(
        f"/contractors/{contractor.id}/certifications/new", data=cert_form(kind="other")
    )
    assert response.status_code == 200
    assert (
        'id="kind_other-error">「その他」を選んだときは、認証の名称を入力してください。'
        in response.get_data(as_text=True)
    )
    client.post(
        f"/contractors/{contractor.id}/certifications/new",
        data=cert_form(kind="other", kind_other="ISO/IEC 27017"),
    )
    assert db.session.scalars(select(Certification)).one().kind_label == "ISO/IEC 27017"


def test_end_before_start_is_shown_next_to_valid_until(client, make, admin):
    contractor = make.contractor()
    response = client.post(
        f"/contractors/{contractor.id}/certifications/new",
        data=cert_form(valid_from="2026-04-01", valid_until="2026-03-31"),
    )
    html = response.get_data(as_text=True)
    assert 'id="valid_until-error">有効期限は有効期間の開始日以降の日付にしてください。' in html
    assert 'value="IS 123456"' in html  # nothing typed is lost
    assert db.session.scalars(select(Certification)).first() is None


def test_every_mistake_is_reported_at_once(client, make, admin):
    contractor = make.contractor()
    html = client.post(
        f"/contractors/{contractor.id}/certifications/new",
        data=cert_form(kind="other", valid_from="2026-05-01", valid_until="2026-04-01"),
    ).get_data(as_text=True)
    assert 'id="kind_other-error">' in html and 'id="valid_until-error">' in html


def test_unreadable_date_gets_a_japanese_message(client, make, admin):
    contractor = make.contractor()
    html = client.post(
        f"/contractors/{contractor.id}/certifications/new", data=cert_form(valid_until="来年3月")
    ).get_data(as_text=True)
    assert (
        'id="valid_until-error">日付は 2027-04-01、2027/4/1 または 令和9年4月1日 のように入力してください。'
        in html
    )


def test_unknown_kind_is_refused(client, make, admin):
    contractor = make.contractor()
    response = client.post(
        f"/contractors/{contractor.id}/certifications/new", data=cert_form(kind="gold")
    )
    assert response.status_code == 200
    assert db.session.scalars(select(Certification)).first() is None


def test_certificate_of_another_contractor_is_404(client, make, admin):
    mine, theirs = make.contractor(), make.contractor()
    certification = make.certification(theirs)
    base = f"/contractors/{mine.id}/certifications/{certification.id}"
    assert client.get(f"{base}/edit").status_code == 404
    assert client.post(f"{base}/edit", data=cert_form()).status_code == 404
    assert client.post(f"{base}/archive").status_code == 404
    assert client.post(f"{base}/restore").status_code == 404
    assert client.get(f"/contractors/{mine.id}/certifications/999999/edit").status_code == 404
    db.session.refresh(certification)
    assert certification.archived_at is None and certification.number != "IS 123456"


def test_archived_contractor_gets_no_new_certificates(client, make, admin):
    contractor = make.contractor(archived_at=utcnow())
    response = client.post(f"/contractors/{contractor.id}/certifications/new", data=cert_form())
    assert "アーカイブ済みの委託事業者は変更できません。" in response.get_data(as_text=True)
    assert db.session.scalars(select(Certification)).first() is None


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AUDITOR])
def test_readers_cannot_change_certificates(client, make, login_as, role):
    contractor = make.contractor()
    certification = make.certification(contractor)
    login_as(make.user(role))
    html = client.get(f"/contractors/{contractor.id}").get_data(as_text=True)
    assert "/certifications/new" not in html and "/edit" not in html
    base = f"/contractors/{contractor.id}/certifications/{certification.id}"
    assert client.post(f"{base}/edit", data=cert_form()).status_code == 403
    assert client.post(f"{base}/archive").status_code == 403


def test_detail_shows_a_state_badge_for_each_certificate(client, make, login_as):
    contractor = make.contractor()
    make.certification(
        contractor, kind=CertificationKind.ISMS, valid_from=days(-300), valid_until=days(400)
    )
    make.certification(contractor, kind=CertificationKind.PRIVACY_MARK, valid_until=days(30))
    make.certification(contractor, kind=CertificationKind.SOC2, valid_until=days(-1))
    make.certification(
        contractor, kind=CertificationKind.ISMAP, valid_until=days(500), archived_at=utcnow()
    )
    make.certification(
        contractor, kind=CertificationKind.OTHER, kind_other="ISO 9001", valid_from=days(10)
    )
    login_as(make.user(Role.AUDITOR))
    html = client.get(f"/contractors/{contractor.id}").get_data(as_text=True)
    rows = {
        kind: row
        for row in html.split("<tr>")
        for kind in ("ISMS（ISO/IEC 27001）", "プライバシーマーク", "SOC 2", "ISMAP", "ISO 9001")
        if f">{kind}</td>" in row
    }
    assert badges(rows["ISMS（ISO/IEC 27001）"]) == ["有効"]
    assert badges(rows["プライバシーマーク"]) == ["90日以内に期限"]
    assert badges(rows["SOC 2"]) == ["期限切れ"]
    assert badges(rows["ISMAP"]) == ["アーカイブ済"]
    assert badges(rows["ISO 9001"]) == ["有効期間前"]
    assert "期限なし" in rows["ISO 9001"]


def test_state_on_boundaries():
    certification = Certification(
        kind=CertificationKind.ISMS, valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31)
    )
    assert certification.state_on(date(2025, 12, 31)) == CertificationState.NOT_YET_VALID
    assert (
        certification.state_on(date(2026, 10, 1)) == CertificationState.VALID
    )  # 91 days before the end
    assert (
        certification.state_on(date(2026, 10, 2)) == CertificationState.EXPIRING
    )  # 90 days before
    assert (
        certification.state_on(date(2026, 12, 31)) == CertificationState.EXPIRING
    )  # last valid day
    assert certification.state_on(date(2027, 1, 1)) == CertificationState.EXPIRED


def test_list_shows_held_kinds_and_warns_only_when_no_renewal_is_on_file(client, make, login_as):
    expiring = make.contractor(name="期限間近株式会社", name_kana="キゲンマヂカ")
    make.certification(expiring, kind=CertificationKind.ISMS, valid_until=days(20))
    make.certification(expiring, kind=CertificationKind.PRIVACY_MARK, valid_until=days(700))
    renewed = make.contractor(name="更新済株式会社", name_kana="コウシンズミ")
    make.certification(renewed, kind=CertificationKind.ISMS, valid_until=days(20))
    make.certification(
        renewed, kind=CertificationKind.ISMS, valid_from=days(21), valid_until=days(1115)
    )
    lapsed = make.contractor(name="失効株式会社", name_kana="シッコウ")
    make.certification(lapsed, kind=CertificationKind.ISMS, valid_until=days(-5))
    login_as(make.user(Role.PROCUREMENT))
    html = client.get("/contractors/").get_data(as_text=True)
    rows = {
        name: row
        for row in html.split("<tr>")
        for name in ("期限間近株式会社", "更新済株式会社", "失効株式会社")
        if name in row
    }
    until = f"{days(20).year}年{days(20).month}月{days(20).day}日"
    assert badges(rows["期限間近株式会社"]) == [
        f"ISMS（ISO/IEC 27001）（{until}まで）",
        "プライバシーマーク",
        "90日以内に期限",
    ]
    assert re.search(r'<td class="num" data-label="有効な認証数">2</td>', rows["期限間近株式会社"])
    assert badges(rows["更新済株式会社"]) == ["ISMS（ISO/IEC 27001）"]
    assert badges(rows["失効株式会社"]) == ["なし"]


def test_cert_filter_keeps_contractors_holding_that_kind_today(client, make, login_as):
    holder = make.contractor(name="保有株式会社")
    make.certification(
        holder, kind=CertificationKind.PRIVACY_MARK, valid_from=days(-10), valid_until=days(10)
    )
    expired = make.contractor(name="期限切れ株式会社")
    make.certification(expired, kind=CertificationKind.PRIVACY_MARK, valid_until=days(-1))
    archived = make.contractor(name="取消株式会社")
    make.certification(
        archived, kind=CertificationKind.PRIVACY_MARK, valid_until=days(100), archived_at=utcnow()
    )
    future = make.contractor(name="取得予定株式会社")
    make.certification(future, kind=CertificationKind.PRIVACY_MARK, valid_from=days(1))
    other_kind = make.contractor(name="ISMSのみ株式会社")
    make.certification(other_kind, kind=CertificationKind.ISMS)
    login_as(make.user(Role.OFFICER))
    html = client.get("/contractors/?cert=privacy_mark").get_data(as_text=True)
    shown = {
        name
        for name in (
            "保有株式会社",
            "期限切れ株式会社",
            "取消株式会社",
            "取得予定株式会社",
            "ISMSのみ株式会社",
        )
        if name in html
    }
    assert shown == {"保有株式会社"}
    assert '<option value="privacy_mark" selected>' in html
    # An unknown kind is ignored rather than an error.
    assert client.get("/contractors/?cert=nonsense").status_code == 200


def test_held_certifications_without_end_date_never_expire():
    certifications = [
        Certification(kind=CertificationKind.ISMAP, valid_until=None),
        Certification(kind=CertificationKind.ISMAP, valid_until=days(5)),
    ]
    [held] = held_certifications(certifications, today_tokyo())
    assert held.until is None and not held.expiring
