"""The engagement register: create, edit, archive, restore, field rules and who may do what."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.engagements.helpers import audit_actions, engagement_form
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.engagements.models import Engagement, ReportingCycle
from vendorguard.extensions import db


def _count() -> int:
    return db.session.scalar(select(func.count(Engagement.id)))


def test_procurement_registers_edits_archives_and_restores(client, make, login_as):
    department, contractor = (
        make.department(name="市民課"),
        make.contractor(name="但馬情報サービス株式会社"),
    )
    officer = make.user(Role.OFFICER, department=department, name="豊岡花子")
    login_as(make.user(Role.PROCUREMENT))
    response = client.post(
        "/engagements/new",
        data=engagement_form(
            department,
            contractor,
            responsible_officer_id=str(officer.id),
            handles_personal_info="y",
            segment_lgwan="y",
            access_scope="住民票データ（閲覧のみ）",
            next_review_on="2026-10-01",
        ),
    )
    assert response.status_code == 302
    engagement = db.session.scalars(select(Engagement)).one()
    assert response.headers["Location"].endswith(f"/engagements/{engagement.id}")
    assert (engagement.title, engagement.contract_number) == (
        "住民基本台帳システム運用保守業務",
        "R8-0001",
    )
    assert engagement.responsible_officer_id == officer.id
    assert engagement.handles_personal_info and not engagement.handles_my_number
    assert engagement.segment_lgwan and not engagement.segment_internet
    assert engagement.state == ArrangementState.ACTIVE and engagement.next_review_on == date(
        2026, 10, 1
    )

    html = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    for text in (
        "住民基本台帳システム運用保守業務",
        "市民課",
        "豊岡花子",
        "但馬情報サービス株式会社",
        "保守課長 但馬一郎",
        "LGWAN接続系",
        "住民票データ（閲覧のみ）",
        "2026年4月1日〜2027年3月31日",
    ):
        assert text in html

    response = client.post(
        f"/engagements/{engagement.id}/edit",
        data=engagement_form(
            department,
            contractor,
            title="住民基本台帳システム運用保守業務（令和8年度）",
            contract_number="",
            reporting_cycle="quarterly",
            responsible_officer_id="",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(engagement)
    assert engagement.title.endswith("（令和8年度）")
    assert engagement.contract_number is None  # an emptied number is "none yet", not ""
    assert engagement.reporting_cycle == ReportingCycle.QUARTERLY
    assert engagement.responsible_officer_id is None and not engagement.handles_personal_info

    client.post(f"/engagements/{engagement.id}/archive")
    db.session.refresh(engagement)
    assert engagement.archived_at is not None
    assert f'href="/engagements/{engagement.id}"' not in client.get("/engagements/").get_data(
        as_text=True
    )
    assert f'href="/engagements/{engagement.id}"' in client.get(
        "/engagements/?archived=1"
    ).get_data(as_text=True)
    assert (
        client.get(f"/engagements/{engagement.id}/edit").status_code == 302
    )  # archived: read-only
    client.post(f"/engagements/{engagement.id}/restore")
    db.session.refresh(engagement)
    assert engagement.archived_at is None
    assert audit_actions("engagement", engagement.id) == ["create", "update", "archive", "restore"]


def test_end_date_before_start_is_refused_next_to_end_date_and_input_is_kept(
    client, make, login_as
):
    department, contractor = make.department(), make.contractor()
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/engagements/new",
        data=engagement_form(
            department,
            contractor,
            starts_on="2026-04-01",
            ends_on="2026-03-31",
            description="窓口業務の委託",
        ),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="ends_on-error">終了日は開始日と同じ日かそれより後の日付にしてください。' in html
    assert 'value="住民基本台帳システム運用保守業務"' in html and "窓口業務の委託" in html
    assert _count() == 0
    # the same day is a valid one-day contract
    response = client.post(
        "/engagements/new",
        data=engagement_form(department, contractor, starts_on="2026-04-01", ends_on="2026-04-01"),
    )
    assert response.status_code == 302


def test_missing_and_malformed_fields_are_explained_in_japanese(client, make, login_as):
    department, contractor = make.department(), make.contractor()
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/engagements/new",
        data=engagement_form(
            department, contractor, title="", contractor_id="", starts_on="2026/13/40"
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="title-error">入力してください。' in html
    assert 'id="contractor_id-error">選択してください。' in html
    assert 'id="starts_on-error">存在しない日付です。' in html
    assert _count() == 0


def test_duplicate_contract_number_is_refused_on_its_field(client, make, login_as):
    department, contractor = make.department(), make.contractor()
    make.engagement(contract_number="R8-0001")
    login_as(make.user(Role.PROCUREMENT))
    response = client.post(
        "/engagements/new", data=engagement_form(department, contractor, contract_number="Ｒ8-0001")
    )
    assert response.status_code == 200
    assert 'id="contract_number-error">この契約番号は既に登録されています。' in response.get_data(
        as_text=True
    )
    assert _count() == 1
    # two engagements without a number yet are fine
    for _ in range(2):
        assert (
            client.post(
                "/engagements/new", data=engagement_form(department, contractor, contract_number="")
            ).status_code
            == 302
        )


def test_my_number_work_is_personal_information_work(client, make, login_as):
    department, contractor = make.department(), make.contractor()
    login_as(make.user(Role.PROCUREMENT))
    client.post(
        "/engagements/new",
        data=engagement_form(
            department, contractor, handles_my_number="y", handles_personal_info=None
        ),
    )
    engagement = db.session.scalars(select(Engagement)).one()
    assert engagement.handles_my_number and engagement.handles_personal_info
    html = client.get("/engagements/?my_number=1").get_data(as_text=True)
    assert "マイナンバー" in html and "個人情報" in html


def test_officer_registers_only_for_own_department(client, make, login_as):
    mine, other = make.department(name="税務課"), make.department(name="福祉課")
    contractor = make.contractor()
    login_as(make.user(Role.OFFICER, department=mine))
    html = client.get("/engagements/new").get_data(as_text=True)
    assert f'<option selected value="{mine.id}">税務課</option>' in html
    assert "福祉課" not in html
    assert (
        client.post("/engagements/new", data=engagement_form(other, contractor)).status_code == 403
    )
    assert _count() == 0
    assert (
        client.post("/engagements/new", data=engagement_form(mine, contractor)).status_code == 302
    )
    engagement = db.session.scalars(select(Engagement)).one()
    # moving it to another department is refused too
    response = client.post(
        f"/engagements/{engagement.id}/edit", data=engagement_form(other, contractor)
    )
    assert response.status_code == 403
    db.session.refresh(engagement)
    assert engagement.department_id == mine.id


def test_officer_sees_other_departments_engagement_read_only(client, make, login_as):
    mine, other = make.department(), make.department()
    engagement = make.engagement(department=other, subcontracting_allowed=True)
    sub = make.subcontractor(engagement, approved=False)
    login_as(make.user(Role.OFFICER, department=mine))
    response = client.get(f"/engagements/{engagement.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"/engagements/{engagement.id}/edit" not in html and "/archive" not in html
    assert (
        "/subcontractors/new" not in html
        and "/information/new" not in html
        and "/approve" not in html
    )
    base = f"/engagements/{engagement.id}"
    for url in (
        f"{base}/edit",
        f"{base}/subcontractors/new",
        f"{base}/information/new",
        f"{base}/subcontractors/{sub.id}/approve",
        f"{base}/subcontractors/{sub.id}/edit",
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        f"{base}/edit",
        f"{base}/archive",
        f"{base}/restore",
        f"{base}/subcontractors/new",
        f"{base}/subcontractors/{sub.id}/approve",
        f"{base}/subcontractors/{sub.id}/archive",
        f"{base}/information/new",
    ):
        assert (
            client.post(url, data={"approved_by": "課長", "approved_on": "2026-04-01"}).status_code
            == 403
        ), url
    db.session.refresh(sub)
    assert not sub.is_approved and sub.archived_at is None


def test_officer_changes_own_departments_engagement(client, make, login_as):
    mine = make.department()
    engagement = make.engagement(department=mine)
    login_as(make.user(Role.OFFICER, department=mine))
    html = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert f"/engagements/{engagement.id}/edit" in html
    assert client.post(f"/engagements/{engagement.id}/archive").status_code == 302
    db.session.refresh(engagement)
    assert engagement.archived_at is not None


def test_auditor_reads_everything_and_changes_nothing(client, make, login_as):
    engagement = make.engagement()
    login_as(make.user(Role.AUDITOR))
    assert client.get("/engagements/").status_code == 200
    html = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert engagement.title in html and "/edit" not in html and "業務委託を登録" not in html
    assert client.get("/engagements/new").status_code == 403
    assert client.post(f"/engagements/{engagement.id}/archive").status_code == 403
    assert client.post(f"/engagements/{engagement.id}/edit").status_code == 403


def test_sns_owner_and_contractor_users_cannot_open_the_register(client, make, login_as):
    engagement = make.engagement()
    login_as(make.user(Role.SNS_OWNER))
    assert client.get("/engagements/").status_code == 403
    assert client.get(f"/engagements/{engagement.id}").status_code == 403
    client.post("/logout")
    login_as(make.user(Role.CONTRACTOR, contractor_id=engagement.contractor_id))
    assert client.get("/engagements/").status_code == 403
    assert client.get(f"/engagements/{engagement.id}").status_code == 403


def test_unknown_engagement_is_404(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    assert client.get("/engagements/999999").status_code == 404
    assert client.get("/engagements/999999/edit").status_code == 404
    assert client.post("/engagements/999999/archive").status_code == 404


def test_detail_links_the_contractor_page(client, make, login_as):
    engagement = make.engagement()
    login_as(make.user(Role.PROCUREMENT))
    html = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert f'href="/contractors/{engagement.contractor_id}"' in html
