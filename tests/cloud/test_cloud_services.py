"""The cloud service register: CRUD, using departments, approval, permissions, list behaviour."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from vendorguard.approvals.models import ApprovalState
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.cloud.models import CloudService, TermsType, cloud_service_department
from vendorguard.extensions import db
from vendorguard.ismap.models import IsmapKind


def form_data(department, **overrides):
    """A complete, valid submission of the cloud service form."""
    data = {
        "title": "電子申請サービス",
        "department_id": str(department.id),
        "responsible_officer_id": "0",
        "provider_contractor_id": "0",
        "provider_name": "株式会社クラウドテスト",
        "service_url": "https://example.jp/service",
        "purpose": "市民からの電子申請の受付",
        "terms_type": "standard_terms",
        "data_location": "日本国内",
        "governing_law": "日本法",
        "jurisdiction": "東京地方裁判所",
        "ismap_kind": "",
        "ismap_registration_number": "",
        "state": "active",
        "next_review_on": "",
    }
    data.update(overrides)
    return data


def events(service_id, table="cloud_service"):
    """Audit events of one service, oldest first."""
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == table, AuditEvent.object_id == str(service_id))
        .order_by(AuditEvent.seq)
    ).all()


def reload(service):
    """The service as stored now."""
    db.session.expire_all()
    return db.session.get(CloudService, service.id)


def test_officer_registers_edits_archives_and_restores_a_service(client, make, login_as):
    department = make.department(name="市民課")
    officer = make.user(Role.OFFICER, department=department)
    contractor = make.contractor(name="豊岡システム株式会社")
    login_as(officer)
    response = client.post(
        "/cloud-services/new",
        data=form_data(
            department,
            title="  電子申請サービス ",
            responsible_officer_id=str(officer.id),
            ismap_kind="ismap",
            ismap_registration_number="C22-0001-1",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    service = db.session.scalars(select(CloudService)).one()
    assert (service.title, service.department_id, service.responsible_officer_id) == (
        "電子申請サービス",
        department.id,
        officer.id,
    )
    assert (
        service.ismap_kind == IsmapKind.ISMAP
        and service.approval_state == ApprovalState.NOT_APPLIED
    )

    response = client.post(
        f"/cloud-services/{service.id}/edit",
        data=form_data(
            department,
            provider_contractor_id=str(contractor.id),
            provider_name="無視される名前",
            terms_type="contract",
        ),
    )
    assert response.status_code == 302
    service = reload(service)
    assert service.provider_contractor_id == contractor.id and service.provider_name == ""
    assert service.terms_type == TermsType.CONTRACT
    assert service.ismap_registration_number is None and service.ismap_kind is None
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert "豊岡システム株式会社" in html and "個別契約" in html

    assert client.post(f"/cloud-services/{service.id}/archive").status_code == 302
    assert reload(service).archived_at is not None
    link = f'href="/cloud-services/{service.id}"'
    client.get(f"/cloud-services/{service.id}")  # shows (and so clears) the flash message
    assert link not in client.get("/cloud-services/").get_data(as_text=True)
    assert link in client.get("/cloud-services/?archived=1").get_data(as_text=True)
    assert (
        client.post(f"/cloud-services/{service.id}/edit", data=form_data(department)).status_code
        == 302
    )
    assert reload(service).title == "電子申請サービス"  # archived: the edit was refused
    client.post(f"/cloud-services/{service.id}/restore")
    assert reload(service).archived_at is None
    assert [e.action for e in events(service.id)] == ["create", "update", "archive", "restore"]


def test_bad_submission_keeps_input_and_explains_each_field(client, make, login_as):
    department = make.department()
    login_as(make.user(Role.OFFICER, department=department))
    response = client.post(
        "/cloud-services/new",
        data=form_data(
            department,
            title="入力途中のサービス",
            provider_name="",
            service_url="javascript:alert(1)",
            ismap_registration_number="C22-0001-1",
            purpose="ここまで書いた目的",
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "提供事業者を台帳から選ぶか、事業者名を入力してください。" in html
    assert "http:// または https:// で始まるURLを入力してください。" in html
    assert "ISMAP登録番号を入力した場合は区分を選んでください。" in html
    assert "入力途中のサービス" in html and "ここまで書いた目的" in html
    assert db.session.scalars(select(CloudService)).first() is None


def test_service_rejects_provider_missing_even_without_the_form(app, make):
    from vendorguard.cloud import services
    from vendorguard.core.errors import DomainError

    department = make.department()
    with app.test_request_context(), pytest.raises(DomainError) as error:
        services.create_service(
            db.session, services.CloudServiceData(title="x", department_id=department.id)
        )
    assert error.value.field == "provider_name"


def test_using_department_changes_are_recorded_in_the_audit_trail(client, make, login_as):
    owner, kaikei, somu = (
        make.department(name="市民課"),
        make.department(name="会計課"),
        make.department(name="総務課"),
    )
    login_as(make.user(Role.ADMIN))
    client.post("/cloud-services/new", data=form_data(owner, using_department_ids=[str(kaikei.id)]))
    service = db.session.scalars(select(CloudService)).one()
    client.post(
        f"/cloud-services/{service.id}/edit",
        data=form_data(owner, using_department_ids=[str(somu.id)]),
    )
    client.post(
        f"/cloud-services/{service.id}/edit",
        data=form_data(owner, using_department_ids=[str(somu.id)]),
    )
    links = [e for e in events(service.id) if e.after and "using_department_ids" in e.after]
    assert [(e.before["using_department_ids"], e.after["using_department_ids"]) for e in links] == [
        ([], [kaikei.id]),
        ([kaikei.id], [somu.id]),
    ]  # the unchanged third save records nothing
    assert links[1].after["using_departments"] == ["総務課"] and links[1].action == "update"
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert "総務課" in html


def test_department_filter_matches_owner_or_using_department(client, make, login_as):
    owner, user_dept, other = make.department(), make.department(), make.department()
    make.cloud_service(department=owner, title="所管のサービス")
    used = make.cloud_service(department=other, title="利用しているサービス")
    db.session.execute(
        cloud_service_department.insert().values(
            cloud_service_id=used.id, department_id=user_dept.id
        )
    )
    db.session.commit()
    make.cloud_service(department=other, title="関係ないサービス")
    login_as(make.user(Role.AUDITOR))
    html = client.get(f"/cloud-services/?department={user_dept.id}").get_data(as_text=True)
    assert (
        "利用しているサービス" in html
        and "関係ないサービス" not in html
        and "所管のサービス" not in html
    )
    html = client.get(f"/cloud-services/?department={owner.id}").get_data(as_text=True)
    assert "所管のサービス" in html and "利用しているサービス" not in html
