"""Use application and approval of cloud services, and who may do what."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.cloud.models import ApprovalState, CloudService, TermsType
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db
from tests.cloud.test_cloud_services import form_data, reload


def actions(service):
    """Audit actions recorded for a service, oldest first."""
    return db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "cloud_service", AuditEvent.object_id == str(service.id))
        .order_by(AuditEvent.seq)).all()


def test_apply_approve_flow_is_audited(client, make, login_as):
    department = make.department()
    officer = make.user(Role.OFFICER, department=department)
    admin = make.user(Role.ADMIN)
    service = make.cloud_service(department=department, responsible_officer_id=officer.id,
                                 handles_high_confidentiality=True)
    login_as(officer)
    client.post(f"/cloud-services/{service.id}/apply")
    assert reload(service).approval_state == ApprovalState.APPLIED
    client.post(f"/cloud-services/{service.id}/apply")  # a second application is refused
    assert "この外部サービスは既に申請中です。" in client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert client.post(f"/cloud-services/{service.id}/approve",
                       data={"approval_valid_until": "2099-03-31"}).status_code == 403

    login_as(admin)
    until = today_tokyo() + timedelta(days=365)
    response = client.post(f"/cloud-services/{service.id}/approve", data={
        "approval_valid_until": until.isoformat(), "approval_comment": "ISMAP登録後に再確認すること"})
    assert response.status_code == 302
    service = reload(service)
    assert service.approval_state == ApprovalState.APPROVED and service.approval_valid_until == until
    assert service.approved_by_id == admin.id and service.approved_at is not None
    assert service.approval_comment == "ISMAP登録後に再確認すること"
    assert actions(service) == ["create", "apply", "approve"]
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert "承認済" in html and admin.name in html


def test_reject_needs_a_reason_and_the_department_may_apply_again(client, make, login_as):
    department = make.department()
    officer = make.user(Role.OFFICER, department=department)
    service = make.cloud_service(department=department, responsible_officer_id=officer.id,
                                 approval_state=ApprovalState.APPLIED)
    login_as(make.user(Role.ADMIN))
    response = client.post(f"/cloud-services/{service.id}/reject", data={"reject_comment": "  "})
    assert response.status_code == 200 and "却下の理由" in response.get_data(as_text=True)
    assert "入力してください。" in response.get_data(as_text=True)
    assert reload(service).approval_state == ApprovalState.APPLIED
    client.post(f"/cloud-services/{service.id}/reject", data={"reject_comment": "約款の準拠法が外国法のため"})
    service = reload(service)
    assert service.approval_state == ApprovalState.REJECTED
    assert service.approval_comment == "約款の準拠法が外国法のため" and service.approval_valid_until is None
    assert actions(service) == ["create", "reject"]

    login_as(officer)
    assert "約款の準拠法が外国法のため" in client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    client.post(f"/cloud-services/{service.id}/apply")
    assert reload(service).approval_state == ApprovalState.APPLIED


def test_approval_date_must_not_be_in_the_past_and_only_applications_are_decided(client, make, login_as):
    service = make.cloud_service(approval_state=ApprovalState.APPLIED)
    login_as(make.user(Role.ADMIN))
    yesterday = today_tokyo() - timedelta(days=1)
    response = client.post(f"/cloud-services/{service.id}/approve",
                           data={"approval_valid_until": yesterday.isoformat()})
    assert "承認の有効期限には今日以降の日付を入力してください。" in response.get_data(as_text=True)
    response = client.post(f"/cloud-services/{service.id}/approve", data={"approval_valid_until": ""})
    assert response.status_code == 200 and reload(service).approval_state == ApprovalState.APPLIED
    draft = make.cloud_service()
    client.post(f"/cloud-services/{draft.id}/approve", data={"approval_valid_until": "2099-01-01"})
    assert reload(draft).approval_state == ApprovalState.NOT_APPLIED


def test_apply_needs_a_named_service_manager(client, make, login_as):
    department = make.department()
    service = make.cloud_service(department=department)
    login_as(make.user(Role.OFFICER, department=department))
    client.post(f"/cloud-services/{service.id}/apply")
    assert reload(service).approval_state == ApprovalState.NOT_APPLIED
    assert "利用申請の前に外部サービス管理者を指定してください。" in client.get(
        f"/cloud-services/{service.id}").get_data(as_text=True)


def test_changing_sensitivity_or_terms_of_an_approved_service_needs_reapproval(client, make, login_as):
    department = make.department()
    officer = make.user(Role.OFFICER, department=department)
    admin = make.user(Role.ADMIN)
    until = today_tokyo() + timedelta(days=30)
    service = make.cloud_service(department=department, approval_state=ApprovalState.APPROVED,
                                 approval_valid_until=until, approved_by_id=admin.id,
                                 terms_type=TermsType.STANDARD_TERMS)
    login_as(officer)
    # Other changes keep the approval.
    client.post(f"/cloud-services/{service.id}/edit", data=form_data(department, purpose="目的を補足"))
    assert reload(service).approval_state == ApprovalState.APPROVED
    response = client.post(f"/cloud-services/{service.id}/edit", data=form_data(
        department, handles_high_confidentiality="y"), follow_redirects=True)
    assert "再承認待ち（申請中）に戻しました" in response.get_data(as_text=True)
    service = reload(service)
    assert service.approval_state == ApprovalState.APPLIED
    assert service.approval_valid_until is None and service.approved_by_id is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "cloud_service")
                               .order_by(AuditEvent.seq.desc())).first()
    assert event.before["approval_state"] == "approved" and event.after["approval_state"] == "applied"

    login_as(admin)
    client.post(f"/cloud-services/{service.id}/approve", data={"approval_valid_until": until.isoformat()})
    login_as(officer)
    client.post(f"/cloud-services/{service.id}/edit", data=form_data(
        department, handles_high_confidentiality="y", terms_type="contract"))
    assert reload(service).approval_state == ApprovalState.APPLIED


def test_lapsed_approval_shows_as_expired_and_may_be_renewed(client, make, login_as):
    department = make.department()
    officer = make.user(Role.OFFICER, department=department)
    service = make.cloud_service(department=department, responsible_officer_id=officer.id,
                                 approval_state=ApprovalState.APPROVED,
                                 approval_valid_until=today_tokyo() - timedelta(days=1))
    login_as(officer)
    assert "承認期限切れ" in client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert f'/cloud-services/{service.id}"' in client.get("/cloud-services/?approval=expired").get_data(as_text=True)
    assert f'/cloud-services/{service.id}"' not in client.get(
        "/cloud-services/?approval=approved").get_data(as_text=True)
    client.post(f"/cloud-services/{service.id}/apply")
    assert reload(service).approval_state == ApprovalState.APPLIED


def test_officers_change_only_their_own_departments_services(client, make, login_as):
    mine, theirs = make.department(), make.department()
    officer = make.user(Role.OFFICER, department=mine)
    other = make.cloud_service(department=theirs)
    login_as(officer)
    assert client.get(f"/cloud-services/{other.id}").status_code == 200  # reading is fine
    assert client.get(f"/cloud-services/{other.id}/edit").status_code == 403
    assert client.post(f"/cloud-services/{other.id}/edit", data=form_data(theirs)).status_code == 403
    for action in ("archive", "apply"):
        assert client.post(f"/cloud-services/{other.id}/{action}").status_code == 403
    assert reload(other).archived_at is None
    # The department drop-down offers only the officer's own department.
    response = client.post("/cloud-services/new", data=form_data(theirs))
    assert response.status_code == 200 and "一覧から選んでください。" in response.get_data(as_text=True)
    assert db.session.scalars(select(CloudService).where(CloudService.department_id == theirs.id)).all() == [other]
    html = client.get("/cloud-services/new").get_data(as_text=True)
    assert f'value="{mine.id}"' in html and f'<option value="{theirs.id}"' not in html
    # Nor can an officer move their own service to another department.
    own = make.cloud_service(department=mine)
    client.post(f"/cloud-services/{own.id}/edit", data=form_data(theirs))
    assert reload(own).department_id == mine.id


def test_auditor_and_procurement_read_but_change_nothing(client, make, login_as):
    department = make.department()
    service = make.cloud_service(department=department, approval_state=ApprovalState.APPLIED)
    for role in (Role.AUDITOR, Role.PROCUREMENT):
        login_as(make.user(role))
        assert client.get("/cloud-services/").status_code == 200
        html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
        assert "編集" not in html and "承認する" not in html
        assert client.get("/cloud-services/new").status_code == 403
        assert client.post("/cloud-services/new", data=form_data(department)).status_code == 403
        for action in ("edit", "archive", "restore", "apply", "approve", "reject"):
            assert client.post(f"/cloud-services/{service.id}/{action}").status_code == 403, action
    assert reload(service).approval_state == ApprovalState.APPLIED


def test_contractors_and_sns_owners_cannot_open_the_register(client, make, login_as):
    service = make.cloud_service()
    login_as(make.user(Role.CONTRACTOR, contractor_id=make.contractor().id))
    assert client.get("/cloud-services/").status_code == 403
    assert client.get(f"/cloud-services/{service.id}").status_code == 403
    login_as(make.user(Role.SNS_OWNER))
    assert client.get("/cloud-services/").status_code == 403


def test_unknown_service_is_404(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    assert client.get("/cloud-services/999999").status_code == 404
    assert client.post("/cloud-services/999999/archive").status_code == 404
