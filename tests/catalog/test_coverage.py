"""Coverage per arrangement, waivers, and the articles handed to the document generator."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from vendorguard.auth.roles import Role
from vendorguard.catalog import clause_services, services
from vendorguard.catalog.models import Clause, Requirement, Waiver
from vendorguard.core.errors import DomainError, Forbidden
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db

OUT = [f"OUT-{n:02d}" for n in range(1, 14)]


def _requirement(code: str) -> Requirement:
    return db.session.scalars(select(Requirement).where(Requirement.code == code)).one()


def _archive_clause(code: str) -> None:
    clause_services.archive_clause(
        db.session, db.session.scalars(select(Clause).where(Clause.code == code)).one()
    )
    db.session.commit()


def test_my_number_engagement_articles_name_contractor_period_and_subcontractor(ja, make, catalog):
    contractor = make.contractor(name="但馬システム株式会社")
    engagement = make.engagement(
        contractor=contractor,
        title="住民記録システム運用保守業務",
        starts_on=date(2026, 4, 1),
        ends_on=date(2027, 3, 31),
        handles_personal_info=True,
        handles_my_number=True,
        subcontracting_allowed=True,
        contractor_representative="運用部長 山田太郎",
        work_locations="豊岡市役所本庁舎3階",
    )
    make.subcontractor(
        engagement,
        name="城崎データサービス株式会社",
        work_scope="帳票の印刷",
        approved_by="市民課長",
        approved_on=date(2026, 4, 10),
    )
    make.subcontractor(engagement, approved=False, name="未承諾の会社")
    db.session.expire_all()
    loaded = db.session.get(
        Engagement, engagement.id
    )  # relationships not loaded: the API loads what it needs

    articles = services.render_articles(db.session, loaded)
    covered = {code for article in articles for code in article.requirement_codes}
    assert set(OUT) | {"MN-01", "MN-03"} <= covered
    assert covered == set(OUT) | {"PI-01", "PI-02", "PI-03", "MN-01", "MN-02", "MN-03"}
    text = "\n".join(p for article in articles for p in article.paragraphs)
    # The parties are defined once, by the template's preamble; the articles only use them.
    assert "（以下「受注者」という。）" not in text and "（以下「発注者」という。）" not in text
    assert "本契約に係る業務「住民記録システム運用保守業務」（以下「本業務」という。）" in text
    assert "城崎データサービス株式会社（再委託する業務：帳票の印刷。令和8年4月10日許諾）" in text
    assert "この契約" not in text and "承諾を得た場合は、この限りでない" not in text
    assert "未承諾の会社" not in text
    assert "運用部長 山田太郎" in text and "豊岡市役所本庁舎3階" in text
    headings = [a.heading for a in articles]
    assert (
        headings[:2] == ["基本的事項", "関係法令の遵守"]
        and "特定個人情報の取扱い" in headings
        and headings[-1] == "損害賠償及び契約の解除"
    )
    assert all(a.paragraphs and isinstance(a.clause_version_id, int) for a in articles)
    with pytest.raises(dataclasses.FrozenInstanceError):
        articles[0].heading = "x"

    western = services.render_articles(db.session, loaded, date_style="western")
    assert "2026年4月10日許諾" in "\n".join(p for a in western for p in a.paragraphs)


def test_work_without_personal_information_gets_no_pi_or_my_number_articles(ja, make, catalog):
    articles = services.render_articles(db.session, make.engagement())
    headings = [a.heading for a in articles]
    assert "特定個人情報の取扱い" not in headings and "個人情報の取扱い" not in headings
    assert {c for a in articles for c in a.requirement_codes} == set(OUT)


def test_cloud_and_social_documents_use_their_own_clauses(ja, make, catalog):
    service = make.cloud_service(
        title="電子申請サービス", provider_name="出石クラウド株式会社", data_location="日本国内"
    )
    provider = services.render_articles(db.session, service, internal=False)
    assert [a.heading for a in provider] == ["データの保存場所、準拠法及び管轄裁判所"]
    headings = [a.heading for a in services.render_articles(db.session, service, internal=True)]
    assert headings == [
        "利用規程の遵守及び利用範囲",
        "利用申請及び承認",
        "外部サービス管理者",
        "利用状況の記録",
        "情報の保存場所及び準拠法の確認",
        "約款の確認",
    ]
    account = make.social_account(
        handle="@example_city", purpose="市政情報の発信", operators="広報係 佐藤\n広報係 鈴木"
    )
    articles = services.render_articles(db.session, account)
    first = articles[0].paragraphs
    assert "本アカウントを、市政情報の発信のために運用する" in first[0] and first[-2:] == [
        "（1）広報係 佐藤",
        "（2）広報係 鈴木",
    ]


def test_gap_blocks_generation_until_an_admin_records_a_waiver(ja, make, catalog):
    engagement = make.engagement()
    _archive_clause("ENG-14")  # 事故の公表 (OUT-12)
    result = services.coverage(db.session, engagement)
    assert [r.code for r in result.gaps] == ["OUT-12"] and not result.is_complete
    row = next(row for row in result.rows if row.requirement.code == "OUT-12")
    assert (row.clause_version, row.waiver, row.status) == (None, None, "gap")
    with pytest.raises(services.CoverageIncomplete) as caught:
        services.render_articles(db.session, engagement)
    assert caught.value.codes == ["OUT-12"] and "OUT-12" in caught.value.message

    with pytest.raises(Forbidden):
        services.record_waiver(
            db.session, engagement, _requirement("OUT-12"), "理由", make.user(Role.PROCUREMENT)
        )
    admin = make.user(Role.ADMIN)
    with pytest.raises(DomainError, match="理由を入力してください"):
        services.record_waiver(db.session, engagement, _requirement("OUT-12"), "  ", admin)
    with pytest.raises(DomainError, match="承認済みの条項「秘密の保持」で網羅されている"):
        services.record_waiver(db.session, engagement, _requirement("OUT-07"), "理由", admin)
    with pytest.raises(DomainError, match="この案件には適用されない"):
        services.record_waiver(db.session, engagement, _requirement("MN-01"), "理由", admin)

    waiver = services.record_waiver(
        db.session,
        engagement,
        _requirement("OUT-12"),
        "公表は市の公表基準によるため、個別契約では定めない。",
        admin,
    )
    db.session.commit()
    result = services.coverage(db.session, engagement)
    assert result.is_complete and result.waivers == [waiver]
    articles = services.render_articles(db.session, engagement)
    assert "OUT-12" not in {c for a in articles for c in a.requirement_codes}
    with pytest.raises(DomainError, match="既に記録されています"):
        services.record_waiver(db.session, engagement, _requirement("OUT-12"), "二度目", admin)

    services.withdraw_waiver(db.session, waiver)
    db.session.commit()
    assert [r.code for r in services.coverage(db.session, engagement).gaps] == ["OUT-12"]


def test_coverage_page_shows_gaps_and_admin_records_a_waiver(client, make, login_as, catalog):
    engagement = make.engagement(handles_my_number=True)
    _archive_clause("ENG-16")  # 特定個人情報の取扱い
    login_as(make.user(Role.PROCUREMENT))
    html = client.get(f"/catalog/coverage/{engagement.id}").get_data(as_text=True)
    assert "未網羅の要件 3件" in html and html.count('badge badge-danger">未網羅</span>') == 3
    assert "マイナンバー（特定個人情報）を取り扱う" in html  # why it applies, in words
    assert "適用除外の記録" not in html  # procurement cannot record waivers
    assert (
        client.post(
            f"/catalog/coverage/{engagement.id}/waivers",
            data={"requirement_id": _requirement("MN-01").id, "reason": "x"},
        ).status_code
        == 403
    )

    client.post("/logout")
    login_as(make.user(Role.ADMIN))
    mn01 = _requirement("MN-01")
    response = client.post(
        f"/catalog/coverage/{engagement.id}/waivers", data={"requirement_id": mn01.id, "reason": ""}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "入力してください。" in html
    response = client.post(
        f"/catalog/coverage/{engagement.id}/waivers",
        data={"requirement_id": mn01.id, "reason": "再委託を一切認めない契約のため。"},
    )
    assert response.status_code == 302
    html = client.get(f"/catalog/coverage/{engagement.id}").get_data(as_text=True)
    assert "未網羅の要件 2件" in html and "再委託を一切認めない契約のため。" in html
    waiver = db.session.scalars(select(Waiver)).one()
    assert client.post(f"/catalog/waivers/{waiver.id}/withdraw").status_code == 302
    db.session.refresh(waiver)
    assert waiver.archived_at is not None
    assert "取り消された適用除外（1件）" in client.get(
        f"/catalog/coverage/{engagement.id}"
    ).get_data(as_text=True)


def test_coverage_page_for_every_kind_and_unknown_ids(client, make, login_as, catalog):
    department = make.department()
    login_as(make.user(Role.OFFICER, department=department))
    # (a draft SNS account of another department would be hidden: 404)
    for arrangement in (
        make.engagement(department=department),
        make.cloud_service(department=department),
        make.social_account(department=department),
    ):
        response = client.get(f"/catalog/coverage/{arrangement.id}")
        assert response.status_code == 200
        assert "すべての要件を網羅" in response.get_data(as_text=True)
    assert client.get("/catalog/coverage/999999").status_code == 404


def test_coverage_gaps_in_one_statement_agree_with_the_coverage(ja, make, catalog, count_queries):
    plain = make.engagement()
    my_number = make.engagement(handles_personal_info=True, handles_my_number=True)
    _archive_clause("ENG-14")  # 事故の公表 (OUT-12): a gap for both
    services.record_waiver(db.session, plain, _requirement("OUT-12"), "理由", make.user(Role.ADMIN))
    db.session.commit()
    for engagement, expected in ((plain, []), (my_number, ["OUT-12"])):
        loaded = services.load_arrangement(db.session, engagement.id)
        with count_queries() as counter:
            gaps = services.coverage_gaps(db.session, loaded)
        assert counter.count == 1
        assert [r.code for r in gaps] == expected
        assert [r.code for r in services.coverage(db.session, loaded).gaps] == expected
