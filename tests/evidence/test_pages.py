"""The arrangement's evidence page: requirements, schedule button, ad-hoc requests, permissions."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.evidence.helpers import day, requirement
from vendorguard.approvals.models import ApprovalState
from vendorguard.auth.roles import Role
from vendorguard.evidence.models import (
    Cadence,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    RequestStatus,
)
from vendorguard.extensions import db
from vendorguard.org.models import Department


def _count(model, **where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_officer_generates_the_schedule_from_the_page(client, make, login_as):
    department = make.department()
    engagement = make.engagement(department=department, handles_my_number=True)
    login_as(make.user(Role.OFFICER, department=department))
    html = client.get(f"/evidence/arrangement/{engagement.id}").get_data(as_text=True)
    assert "証跡項目とスケジュールを更新" in html and "証跡項目なし" in html
    response = client.post(f"/evidence/arrangement/{engagement.id}/generate")
    assert response.status_code == 302
    assert _count(EvidenceRequirement, arrangement_id=engagement.id) == 5
    monthly = _count(EvidenceRequest, arrangement_id=engagement.id)
    assert monthly >= 12
    html = client.get(f"/evidence/arrangement/{engagement.id}?status=all&per_page=200").get_data(
        as_text=True
    )
    assert "特定個人情報の取扱状況報告（月次作業報告）" in html and "2026年4月分" in html
    assert "証跡項目を5件追加" in html
    client.post(f"/evidence/arrangement/{engagement.id}/generate")
    assert _count(EvidenceRequest, arrangement_id=engagement.id) == monthly
    assert "変更はありませんでした" in client.get(
        f"/evidence/arrangement/{engagement.id}"
    ).get_data(as_text=True)


def test_other_departments_read_but_cannot_change(client, make, login_as):
    engagement = make.engagement()
    item = requirement(db.session, engagement, title="手動の項目")
    login_as(make.user(Role.OFFICER))  # another department
    html = client.get(f"/evidence/arrangement/{engagement.id}").get_data(as_text=True)
    assert "手動の項目" in html and f"/evidence/arrangement/{engagement.id}/generate" not in html
    assert "項目を手動で追加" not in html and f"/evidence/requirements/{item.id}/edit" not in html
    for url in (
        f"/evidence/arrangement/{engagement.id}/generate",
        f"/evidence/requirements/{item.id}/archive",
        f"/evidence/arrangement/{engagement.id}/requests/new",
    ):
        assert client.post(url).status_code == 403
    assert client.get(f"/evidence/requirements/{item.id}/edit").status_code == 403


def test_roles_without_the_register_are_refused_and_unknown_ids_are_404(client, make, login_as):
    engagement = make.engagement()
    login_as(make.user(Role.SNS_OWNER))
    assert client.get(f"/evidence/arrangement/{engagement.id}").status_code == 403
    assert client.get("/evidence/arrangement/999999").status_code == 404


def test_another_departments_sns_draft_is_not_revealed(client, make, login_as):
    account = make.social_account(approval_state=ApprovalState.APPLIED)
    login_as(make.user(Role.SNS_OWNER))
    assert client.get(f"/evidence/arrangement/{account.id}").status_code == 404
    client.post("/logout")
    login_as(
        make.user(Role.SNS_OWNER, department=db.session.get(Department, account.department_id))
    )
    assert client.get(f"/evidence/arrangement/{account.id}").status_code == 200


def test_manual_requirements_are_added_edited_archived_and_restored(client, make, login_as):
    department = make.department()
    engagement = make.engagement(department=department)
    login_as(make.user(Role.OFFICER, department=department))
    response = client.post(
        f"/evidence/arrangement/{engagement.id}/requirements/new",
        data={
            "title": "",
            "cadence": "quarterly",
            "provider": "contractor",
            "due_offset_days": "400",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "入力してください。" in html and "0〜365の範囲で入力してください。" in html
    response = client.post(
        f"/evidence/arrangement/{engagement.id}/requirements/new",
        data={
            "title": "作業場所の入退室記録",
            "description": "入退室管理簿の写し",
            "cadence": "quarterly",
            "provider": "contractor",
            "due_offset_days": "15",
            "validity_days": "",
        },
    )
    assert response.status_code == 302
    item = db.session.scalars(
        select(EvidenceRequirement).where(EvidenceRequirement.arrangement_id == engagement.id)
    ).one()
    assert (item.cadence, item.due_offset_days, item.validity_days, item.template_code) == (
        Cadence.QUARTERLY,
        15,
        None,
        None,
    )
    form = client.get(f"/evidence/requirements/{item.id}/edit").get_data(as_text=True)
    assert 'value="quarterly" selected' in form or 'selected value="quarterly"' in form
    assert "半角数字で入力してください。" in client.post(
        f"/evidence/requirements/{item.id}/edit",
        data={
            "title": "作業場所の入退室記録",
            "cadence": "half_yearly",
            "provider": "contractor",
            "due_offset_days": "10",
            "validity_days": "abc",
        },
    ).get_data(as_text=True)
    client.post(
        f"/evidence/requirements/{item.id}/edit",
        data={
            "title": "作業場所の入退室記録",
            "cadence": "half_yearly",
            "provider": "internal",
            "due_offset_days": "10",
            "validity_days": "200",
        },
    )
    db.session.refresh(item)
    assert (item.cadence, item.provider, item.validity_days) == (
        Cadence.HALF_YEARLY,
        EvidenceProvider.INTERNAL,
        200,
    )
    client.post(f"/evidence/arrangement/{engagement.id}/generate")
    assert client.post(f"/evidence/requirements/{item.id}/archive").status_code == 302
    db.session.refresh(item)
    assert item.archived_at is not None
    assert set(
        db.session.scalars(
            select(EvidenceRequest.status).where(EvidenceRequest.evidence_requirement_id == item.id)
        )
    ) == {RequestStatus.CLOSED}
    client.post(f"/evidence/requirements/{item.id}/restore")
    db.session.refresh(item)
    assert item.archived_at is None
    assert set(
        db.session.scalars(
            select(EvidenceRequest.status).where(EvidenceRequest.evidence_requirement_id == item.id)
        )
    ) == {RequestStatus.OPEN}


def test_officer_creates_an_adhoc_request_with_a_new_item(client, make, login_as):
    department = make.department()
    engagement = make.engagement(department=department)
    login_as(make.user(Role.OFFICER, department=department))
    page = client.get(f"/evidence/arrangement/{engagement.id}/requests/new").get_data(as_text=True)
    assert "（新しい項目を作る）" in page
    response = client.post(
        f"/evidence/arrangement/{engagement.id}/requests/new",
        data={"requirement_id": "0", "title": "", "provider": "contractor", "due_on": "2099-01-01"},
    )
    assert "新しい項目の名前を入力してください。" in response.get_data(as_text=True)
    response = client.post(
        f"/evidence/arrangement/{engagement.id}/requests/new",
        data={
            "requirement_id": "0",
            "title": "障害報告書",
            "provider": "contractor",
            "due_on": "2099-01-01",
            "description": "11月20日の障害の原因と対策",
            "note": "至急お願いします。",
        },
    )
    assert response.status_code == 302
    created = db.session.scalars(
        select(EvidenceRequest).where(EvidenceRequest.arrangement_id == engagement.id)
    ).one()
    assert created.scheduled_due_on == day("2099-01-01") and created.due_on == day("2099-01-05")
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "障害報告書" in detail and "至急お願いします。" in detail and "閉庁日のため" in detail
    response = client.post(
        f"/evidence/arrangement/{engagement.id}/requests/new",
        data={"requirement_id": str(created.evidence_requirement_id), "due_on": "2001-01-01"},
    )
    assert "今日以降の日付" in response.get_data(as_text=True)
    response = client.post(
        f"/evidence/arrangement/{engagement.id}/requests/new",
        data={"requirement_id": "0", "title": "x", "due_on": "2026-02-30"},
    )
    assert "存在しない日付です。" in response.get_data(as_text=True)


def test_the_page_shows_the_assurance_state_with_reasons(client, make, login_as):
    engagement = make.engagement()
    item = requirement(db.session, engagement, title="月次作業報告", cadence=Cadence.AD_HOC)
    db.session.add(
        EvidenceRequest(
            evidence_requirement_id=item.id,
            arrangement_id=engagement.id,
            occurrence="adhoc-1",
            scheduled_due_on=day("2026-01-10"),
            due_on=day("2026-01-13"),
        )
    )
    db.session.commit()
    login_as(make.user(Role.AUDITOR))
    html = client.get(f"/evidence/arrangement/{engagement.id}").get_data(as_text=True)
    assert "要対応 1件" in html and "期限超過" in html
    assert "提出期限（2026年1月13日）を過ぎても提出されていません。" in html
    assert "（本来 2026年1月10日・閉庁日のため繰下げ）" in html


def test_arrangement_page_query_count_does_not_grow(client, make, login_as, count_queries):
    engagement = make.engagement()
    item = requirement(db.session, engagement, cadence=Cadence.AD_HOC)
    login_as(make.user(Role.ADMIN))

    def add(n, start):
        db.session.add_all(
            [
                EvidenceRequest(
                    evidence_requirement_id=item.id,
                    arrangement_id=engagement.id,
                    occurrence=f"adhoc-{start + i}",
                    scheduled_due_on=day("2027-02-01"),
                    due_on=day("2027-02-01"),
                )
                for i in range(n)
            ]
        )
        db.session.commit()

    add(5, 0)
    url = f"/evidence/arrangement/{engagement.id}?per_page=200"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add(495, 5)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert few.count == many.count
