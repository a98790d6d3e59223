"""The contractor register: creating, editing, archiving, searching, sorting, permissions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.contractors.models import Certification, CertificationKind, Contractor
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.extensions import db

NTA = "7000012050002"  # 国税庁's own 法人番号, the example in FACTS §7


def form(**fields):
    """A complete, valid contractor form, with ``fields`` overriding."""
    data = {
        "name": "株式会社豊岡情報サービス",
        "name_kana": "とよおかじょうほうさーびす",
        "corporate_number": NTA,
        "address": "兵庫県豊岡市中央町2-4",
        "contact_name": "山田 太郎",
        "contact_email": "Yamada@Example.JP",
        "contact_phone": "0796-23-0000",
        "notes": "保守窓口は平日9時〜17時",
    }
    data.update(fields)
    return data


@pytest.fixture
def procurement(make, login_as):
    user = make.user(Role.PROCUREMENT)
    login_as(user)
    return user


def only_contractor() -> Contractor:
    return db.session.scalars(select(Contractor)).one()


def test_procurement_registers_a_contractor_and_it_is_audited(client, procurement):
    response = client.post(
        "/contractors/new", data=form(corporate_number="７０００－０１－２０５０００２")
    )
    contractor = only_contractor()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/contractors/{contractor.id}")
    assert contractor.name_kana == "トヨオカジョウホウサービス"
    assert contractor.corporate_number == NTA
    assert contractor.contact_email == "yamada@example.jp"

    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "contractor", AuditEvent.object_id == str(contractor.id)
        )
    ).one()
    assert event.action == "create"
    assert event.actor_id == procurement.id
    assert event.after["name"] == "株式会社豊岡情報サービス"
    assert event.after["corporate_number"] == NTA
    assert event.after["name_kana"] == "トヨオカジョウホウサービス"

    html = client.get(f"/contractors/{contractor.id}").get_data(as_text=True)
    assert "株式会社豊岡情報サービス" in html and NTA in html and "保守窓口は平日9時〜17時" in html


def test_sole_proprietor_needs_no_corporate_number(client, procurement):
    assert client.post("/contractors/new", data=form(corporate_number="")).status_code == 302
    assert only_contractor().corporate_number is None


def test_edit_changes_details_and_records_before_and_after(client, make, procurement):
    contractor = make.contractor(name="旧社名株式会社", name_kana="キュウシャメイ")
    response = client.post(
        f"/contractors/{contractor.id}/edit",
        data=form(name="新社名株式会社", name_kana="しんしゃめい", corporate_number=NTA),
    )
    assert response.status_code == 302
    db.session.refresh(contractor)
    assert contractor.name == "新社名株式会社" and contractor.name_kana == "シンシャメイ"
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "contractor", AuditEvent.action == "update"
        )
    ).one()
    assert event.before["name"] == "旧社名株式会社" and event.after["name"] == "新社名株式会社"


def test_edit_form_shows_current_values(client, make, procurement):
    contractor = make.contractor(name="豊岡運輸株式会社", corporate_number=NTA)
    html = client.get(f"/contractors/{contractor.id}/edit").get_data(as_text=True)
    assert 'value="豊岡運輸株式会社"' in html and f'value="{NTA}"' in html


@pytest.mark.parametrize(
    "number, message",
    [
        (
            "8000012050002",
            "法人番号のチェックディジットが正しくありません。入力内容をご確認ください。",
        ),
        ("700001205000", "法人番号は13桁の数字で入力してください。"),
        ("7000-0120-5000A", "法人番号は13桁の数字で入力してください。"),
    ],
)
def test_bad_corporate_number_is_shown_next_to_the_field_and_nothing_is_lost(
    client, procurement, number, message
):
    response = client.post("/contractors/new", data=form(corporate_number=number))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<p class="error" id="corporate_number-error">{message}</p>' in html
    assert 'value="株式会社豊岡情報サービス"' in html and 'value="山田 太郎"' in html
    assert db.session.scalars(select(Contractor)).first() is None


def test_duplicate_corporate_number_names_the_existing_contractor(client, make, procurement):
    existing = make.contractor(name="既存システム株式会社", corporate_number=NTA)
    response = client.post("/contractors/new", data=form(corporate_number="7000 0120 50002"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "この法人番号の委託事業者は既に登録されています。" in html
    assert f'<a href="/contractors/{existing.id}">既存システム株式会社</a>' in html
    assert db.session.scalars(select(Contractor.id)).all() == [existing.id]


def test_keeping_ones_own_corporate_number_on_edit_is_not_a_duplicate(client, make, procurement):
    contractor = make.contractor(corporate_number=NTA)
    assert (
        client.post(
            f"/contractors/{contractor.id}/edit", data=form(corporate_number=NTA)
        ).status_code
        == 302
    )


@pytest.mark.parametrize("reading", ["Toyooka", "豊岡", "トヨオカ1"])
def test_reading_must_be_kana(client, procurement, reading):
    response = client.post("/contractors/new", data=form(name_kana=reading))
    assert response.status_code == 200
    assert "よみがなは、ひらがな又はカタカナで入力してください" in response.get_data(as_text=True)


def test_reading_accepts_half_width_kana_long_vowel_and_middle_dot(client, procurement):
    client.post("/contractors/new", data=form(name_kana="ｴｰｱｲ・ﾃﾞｰﾀ　さーびす"))
    assert only_contractor().name_kana == "エーアイ・データ サービス"


def test_required_fields_and_email_format(client, procurement):
    response = client.post(
        "/contractors/new", data=form(name="", name_kana="", contact_email="yamada@")
    )
    html = response.get_data(as_text=True)
    assert 'id="name-error">入力してください。' in html
    assert 'id="name_kana-error">入力してください。' in html
    assert "メールアドレスの形式が正しくありません。" in html


def test_archive_and_restore(client, make, procurement):
    contractor = make.contractor()
    assert client.post(f"/contractors/{contractor.id}/archive").status_code == 302
    db.session.refresh(contractor)
    assert contractor.archived_at is not None

    # An archived contractor cannot be changed, only restored.
    response = client.post(f"/contractors/{contractor.id}/edit", data=form(), follow_redirects=True)
    assert "アーカイブ済みの委託事業者は変更できません。" in response.get_data(as_text=True)
    db.session.refresh(contractor)
    assert contractor.name != "株式会社豊岡情報サービス"
    html = client.get(f"/contractors/{contractor.id}").get_data(as_text=True)
    assert (
        f"/contractors/{contractor.id}/restore" in html
        and f"/contractors/{contractor.id}/edit" not in html
    )

    assert client.post(f"/contractors/{contractor.id}/restore").status_code == 302
    db.session.refresh(contractor)
    assert contractor.archived_at is None
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "contractor", AuditEvent.object_id == str(contractor.id))
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == ["create", "archive", "restore"]


def test_archived_contractors_are_hidden_unless_asked_for(client, make, procurement):
    make.contractor(name="現役株式会社")
    make.contractor(name="廃業株式会社", archived_at=utcnow())
    html = client.get("/contractors/").get_data(as_text=True)
    assert "現役株式会社" in html and "廃業株式会社" not in html
    html = client.get("/contractors/?archived=1").get_data(as_text=True)
    assert "廃業株式会社" in html


def test_unknown_contractor_is_404(client, procurement):
    assert client.get("/contractors/999999").status_code == 404
    assert client.post("/contractors/999999/archive").status_code == 404


def test_search_by_reading_in_hiragana_name_number_and_contact(client, make, login_as):
    make.contractor(name="豊岡電算株式会社", name_kana="トヨオカデンサン", contact_name="佐藤 花子")
    make.contractor(name="但馬システム株式会社", name_kana="タジマシステム", corporate_number=NTA)
    login_as(make.user(Role.OFFICER))

    def names(query):
        html = client.get(f"/contractors/?q={query}").get_data(as_text=True)
        return {name for name in ("豊岡電算株式会社", "但馬システム株式会社") if name in html}

    assert names("とよおか") == {"豊岡電算株式会社"}
    assert names("ﾀｼﾞﾏ") == {"但馬システム株式会社"}
    assert names("電算") == {"豊岡電算株式会社"}
    assert names("７０００-０１２") == {"但馬システム株式会社"}
    assert names("佐藤") == {"豊岡電算株式会社"}
    assert names("100%") == set()


def test_search_with_full_width_letters_finds_a_latin_name(client, make, login_as):
    make.contractor(name="ABCソフト株式会社", name_kana="エービーシーソフト")
    login_as(make.user(Role.PROCUREMENT))
    assert "ABCソフト株式会社" in client.get("/contractors/?q=ＡＢＣ").get_data(as_text=True)


def test_list_sorts_by_reading_by_default_and_by_number(client, make, login_as):
    make.contractor(name="佐藤工業", name_kana="サトウコウギョウ", corporate_number="9000000000000")
    make.contractor(name="葵商会", name_kana="アオイショウカイ", corporate_number=None)
    make.contractor(name="加藤建設", name_kana="カトウケンセツ", corporate_number=NTA)
    login_as(make.user(Role.AUDITOR))
    html = client.get("/contractors/").get_data(as_text=True)
    assert html.index("葵商会") < html.index("加藤建設") < html.index("佐藤工業")
    html = client.get("/contractors/?sort=kana&dir=desc").get_data(as_text=True)
    assert html.index("佐藤工業") < html.index("加藤建設") < html.index("葵商会")
    # By 法人番号; a contractor without one comes last.
    html = client.get("/contractors/?sort=number").get_data(as_text=True)
    assert html.index("加藤建設") < html.index("佐藤工業") < html.index("葵商会")


def test_list_paginates(client, make, login_as):
    for n in range(3):
        make.contractor(name=f"ページ{n}株式会社", name_kana=f"ページ{'アイウ'[n]}")
    login_as(make.user(Role.ADMIN))
    html = client.get("/contractors/?per_page=2&page=2").get_data(as_text=True)
    assert "ページ2株式会社" in html and "ページ0株式会社" not in html and "全3件" in html


def test_list_query_count_does_not_grow_with_rows(client, make, login_as, count_queries):
    login_as(make.user(Role.ADMIN))
    today = today_tokyo()

    def add(count, start):
        contractors = [
            Contractor(name=f"一括{start + i}株式会社", name_kana=f"イッカツ{start + i:04d}")
            for i in range(count)
        ]
        db.session.add_all(contractors)
        db.session.flush()
        db.session.add_all(
            [
                Certification(contractor_id=c.id, kind=kind, valid_until=today + timedelta(days=30))
                for c in contractors
                for kind in (CertificationKind.ISMS, CertificationKind.PRIVACY_MARK)
            ]
        )
        db.session.commit()

    add(5, 0)
    client.get("/contractors/")
    with count_queries() as few:
        assert client.get("/contractors/?per_page=200").status_code == 200
    add(495, 5)
    with count_queries() as many:
        response = client.get("/contractors/?per_page=200")
        assert response.status_code == 200
    assert response.get_data(as_text=True).count("90日以内に期限") == 200
    assert few.count == many.count


def test_detail_lists_engagements_as_contractor_and_as_subcontractor(client, make, login_as):
    contractor = make.contractor(name="豊岡電算株式会社")
    main = make.contractor(name="元請株式会社")
    department = make.department(name="市民課")
    make.engagement(
        contractor=contractor,
        department=department,
        title="住民情報システム保守",
        starts_on=date(2026, 4, 1),
        ends_on=date(2027, 3, 31),
    )
    other = make.engagement(contractor=main, title="ネットワーク運用")
    make.subcontractor(other, contractor_id=contractor.id, name="豊岡電算株式会社")
    make.engagement(title="無関係の業務")
    login_as(make.user(Role.OFFICER))
    html = client.get(f"/contractors/{contractor.id}").get_data(as_text=True)
    assert (
        "住民情報システム保守" in html
        and "2026年4月1日 〜 2027年3月31日" in html
        and "市民課" in html
    )
    assert "ネットワーク運用" in html and "元請株式会社" in html
    assert "無関係の業務" not in html


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AUDITOR])
def test_readers_can_view_but_not_change(client, make, login_as, role):
    contractor = make.contractor()
    login_as(make.user(role))
    assert client.get("/contractors/").status_code == 200
    html = client.get(f"/contractors/{contractor.id}").get_data(as_text=True)
    assert "/contractors/new" not in html and f"/contractors/{contractor.id}/edit" not in html
    assert client.post("/contractors/new", data=form()).status_code == 403
    assert client.get("/contractors/new").status_code == 403
    assert client.post(f"/contractors/{contractor.id}/edit", data=form()).status_code == 403
    assert client.post(f"/contractors/{contractor.id}/archive").status_code == 403
    assert (
        client.post(
            f"/contractors/{contractor.id}/certifications/new", data={"kind": "isms"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize("role", [Role.SNS_OWNER, Role.CONTRACTOR])
def test_other_roles_cannot_see_the_register(client, make, login_as, role):
    contractor = make.contractor()
    fields = {"contractor_id": contractor.id} if role == Role.CONTRACTOR else {}
    login_as(make.user(role, **fields))
    assert client.get("/contractors/").status_code == 403
    assert client.get(f"/contractors/{contractor.id}").status_code == 403


def test_anonymous_is_sent_to_login(client, make):
    response = client.get("/contractors/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
