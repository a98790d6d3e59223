"""Use applications (利用申請 → 承認): checklist from the catalog, approval, expiry, renewal, rejection."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.cloud.conftest import (
    application_data,
    checked_value,
    checklist_codes,
    registration,
    reload,
)
from vendorguard.approvals import services as approval_services
from vendorguard.approvals.models import ApplicationStatus, ApprovalState
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.catalog.services import applicable_requirements
from vendorguard.cloud import queries
from vendorguard.cloud.models import ChecklistAnswer, CloudUseApplication, TermsType
from vendorguard.core.dates import add_months
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.extensions import db
from vendorguard.ismap.models import IsmapKind


def actions(object_type, object_id):
    """Audit actions recorded for an object, oldest first."""
    return db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.seq)
    ).all()


def applications_of(service):
    """The service's applications, oldest first."""
    db.session.expire_all()
    return db.session.scalars(
        select(CloudUseApplication)
        .where(CloudUseApplication.service_id == service.id)
        .order_by(CloudUseApplication.id)
    ).all()


def at_risk_ids():
    """Ids of the services the list's 要対応 filter shows."""
    return [
        s.id
        for s in db.session.scalars(
            queries.cloud_list(queries.CloudFilters(risk_only=True))
        ).unique()
    ]


def setup_service(make, **fields):
    department = make.department(name="市民課")
    officer = make.user(Role.OFFICER, department=department)
    service = make.cloud_service(department=department, responsible_officer_id=officer.id, **fields)
    return department, officer, service


def test_apply_approve_expire_and_renew(client, make, login_as, catalog):
    registration("C21-0001-1", valid_until=today_tokyo() + timedelta(days=400))
    department, officer, service = setup_service(
        make,
        title="電子申請サービス",
        ismap_kind=IsmapKind.ISMAP,
        ismap_registration_number="C21-0001-1",
    )
    admin = make.user(Role.ADMIN)
    login_as(officer)

    # The form opens with the checklist of the service as registered (standard terms, 機密性1).
    html = client.get(f"/cloud-services/{service.id}/apply").get_data(as_text=True)
    asked = checklist_codes(html)
    assert "CL-09" in asked and "CL-02" not in asked

    # Choosing 機密性2 and a contract changes the checklist: the page asks again, saves nothing.
    response = client.post(
        f"/cloud-services/{service.id}/apply", data=application_data(catalog.high, asked)
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "確認項目を更新しました" in html
    codes = checklist_codes(html)
    assert {"CL-02", "CL-03", "CL-05", "CL-08", "CL-12"} <= set(codes) and "CL-09" not in codes
    assert "電子申請の受付と審査" in html  # what was typed is kept
    assert applications_of(service) == []

    response = client.post(
        f"/cloud-services/{service.id}/apply",
        data=application_data(
            catalog.high,
            codes,
            answers={"CL-08": "not_done"},
            notes={"CL-08": "出口計画は来月までに作成"},
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [application] = applications_of(service)
    service = reload(service)
    assert (
        application.status == ApplicationStatus.SUBMITTED and application.applicant_id == officer.id
    )
    assert (
        application.confidentiality_level_id == catalog.high.id
        and application.terms_type == TermsType.CONTRACT
    )
    assert application.checklist["CL-08"] == {
        "title": "更改・廃止時の対策（データの移行・消去）",
        "answer": "not_done",
        "note": "出口計画は来月までに作成",
        "order": codes.index("CL-08") + 1,
    }
    assert service.approval_state == ApprovalState.APPLIED
    assert service.handles_high_confidentiality and service.terms_type == TermsType.CONTRACT
    assert service.id in at_risk_ids()  # 機密性2以上 and not yet approved

    # The security office sees the open item and must comment to approve with it.
    login_as(admin)
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert (
        "未対応または未回答の確認項目が1件あります。" in html and "出口計画は来月までに作成" in html
    )
    default_until = add_months(today_tokyo(), 12) - timedelta(days=1)
    assert f'value="{default_until.isoformat()}"' in html
    response = client.post(
        f"/cloud-services/{service.id}/approve",
        data={"approval_valid_until": default_until.isoformat(), "approval_comment": ""},
    )
    assert response.status_code == 200
    assert "承認する場合は、その理由や条件をコメントに記入してください。" in response.get_data(
        as_text=True
    )
    assert reload(service).approval_state == ApprovalState.APPLIED
    response = client.post(
        f"/cloud-services/{service.id}/approve",
        data={
            "approval_valid_until": default_until.isoformat(),
            "approval_comment": "出口計画の提出を条件に承認",
        },
    )
    assert response.status_code == 302
    service, [application] = reload(service), applications_of(service)
    assert (
        service.approval_state == ApprovalState.APPROVED
        and service.approval_valid_until == default_until
    )
    assert (
        service.approved_by_id == admin.id
        and service.approval_comment == "出口計画の提出を条件に承認"
    )
    assert (
        application.status == ApplicationStatus.APPROVED
        and application.valid_until == default_until
    )
    assert application.decided_by_id == admin.id and application.decided_at is not None
    assert service.id not in at_risk_ids()
    assert actions("cloud_use_application", application.id) == ["create", "approve"]
    assert actions("cloud_service", service.id)[-2:] == ["apply", "approve"]

    # A year later the approval has run out.
    yesterday = today_tokyo() - timedelta(days=1)
    service.approval_valid_until = application.valid_until = yesterday
    db.session.commit()
    login_as(officer)
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert "承認期限切れ" in html and "利用承認の有効期限が過ぎています" in html
    assert f'/cloud-services/{service.id}"' in client.get(
        "/cloud-services/?approval=expired"
    ).get_data(as_text=True)
    assert service.id in at_risk_ids()

    # The renewal starts from the last application.
    html = client.get(f"/cloud-services/{service.id}/apply").get_data(as_text=True)
    assert "利用申請（更新・変更）" in html and "前回の申請" in html
    assert "出口計画は来月までに作成" in html and "市民課職員 約20名" in html
    assert (
        checked_value(html, "answer_CL_02") == "done"
        and checked_value(html, "answer_CL_08") == "not_done"
    )
    assert f'<option selected value="{catalog.high.id}">' in html
    assert checklist_codes(html) == codes
    response = client.post(
        f"/cloud-services/{service.id}/apply",
        data=application_data(catalog.high, codes, notes={"CL-08": "出口計画を作成済み"}),
    )
    assert response.status_code == 302
    assert reload(service).approval_state == ApprovalState.APPLIED
    login_as(admin)
    until = today_tokyo() + timedelta(days=365)
    client.post(
        f"/cloud-services/{service.id}/approve", data={"approval_valid_until": until.isoformat()}
    )
    service = reload(service)
    assert (
        service.effective_approval_state == ApprovalState.APPROVED
        and service.approval_valid_until == until
    )
    first, second = applications_of(service)
    assert (
        first.effective_status == ApplicationStatus.EXPIRED
        and second.status == ApplicationStatus.APPROVED
    )
    html = client.get(f"/cloud-services/{service.id}/applications").get_data(as_text=True)
    newest, oldest = html.split(f'id="application-{second.id}"')[1].split(
        f'id="application-{first.id}"'
    )
    assert "出口計画を作成済み" in newest and "承認期限切れ" not in newest
    assert "出口計画は来月までに作成" in oldest and "承認期限切れ" in oldest


def test_renewal_before_expiry_keeps_the_current_approval(client, make, login_as, catalog):
    registration("C21-0002-1")
    admin = make.user(Role.ADMIN)
    until = today_tokyo() + timedelta(days=30)
    department, officer, service = setup_service(
        make,
        handles_high_confidentiality=True,
        terms_type=TermsType.CONTRACT,
        ismap_kind=IsmapKind.ISMAP,
        ismap_registration_number="C21-0002-1",
        approval_state=ApprovalState.APPROVED,
        approval_valid_until=until,
        approved_by_id=admin.id,
        approved_at=utcnow(),
    )
    login_as(officer)
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert "あと30日です。更新の申請をしてください。" in html
    codes = checklist_codes(
        client.get(f"/cloud-services/{service.id}/apply").get_data(as_text=True)
    )
    assert (
        client.post(
            f"/cloud-services/{service.id}/apply", data=application_data(catalog.high, codes)
        ).status_code
        == 302
    )
    service = reload(service)
    assert service.approval_state == ApprovalState.APPLIED and service.has_current_approval
    assert service.id not in at_risk_ids()  # still approved until the old date
    html = client.get("/cloud-services/").get_data(as_text=True)
    assert "現在の承認は" in html and "要対応：" not in html

    login_as(admin)
    client.post(
        f"/cloud-services/{service.id}/reject",
        data={"reject_comment": "契約書の写しを添付してください"},
    )
    service = reload(service)
    assert (
        service.approval_state == ApprovalState.APPROVED and service.approval_valid_until == until
    )
    assert applications_of(service)[0].status == ApplicationStatus.REJECTED
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert "契約書の写しを添付してください" in html


def test_rejection_requires_a_comment_and_the_department_may_apply_again(
    client, make, login_as, catalog
):
    department, officer, service = setup_service(make)
    login_as(officer)
    codes = checklist_codes(
        client.get(f"/cloud-services/{service.id}/apply").get_data(as_text=True)
    )
    client.post(
        f"/cloud-services/{service.id}/apply",
        data=application_data(catalog.low, codes, terms="standard_terms"),
    )
    assert reload(service).approval_state == ApprovalState.APPLIED

    login_as(make.user(Role.ADMIN))
    response = client.post(f"/cloud-services/{service.id}/reject", data={"reject_comment": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "却下の理由" in html and "入力してください。" in html
    assert reload(service).approval_state == ApprovalState.APPLIED
    with_reason = "約款の準拠法が外国法のため"
    assert (
        client.post(
            f"/cloud-services/{service.id}/reject", data={"reject_comment": with_reason}
        ).status_code
        == 302
    )
    service = reload(service)
    assert service.approval_state == ApprovalState.REJECTED and service.approval_valid_until is None
    [application] = applications_of(service)
    assert (
        application.status == ApplicationStatus.REJECTED
        and application.decision_comment == with_reason
    )
    assert actions("cloud_use_application", application.id) == ["create", "reject"]

    login_as(officer)
    assert with_reason in client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    html = client.get(f"/cloud-services/{service.id}/apply").get_data(as_text=True)
    assert "電子申請の受付と審査" in html  # prefilled from the rejected application
    client.post(
        f"/cloud-services/{service.id}/apply",
        data=application_data(catalog.low, codes, terms="standard_terms"),
    )
    assert reload(service).approval_state == ApprovalState.APPLIED


def test_checklist_comes_from_the_catalog(client, make, login_as, catalog):
    department = make.department()
    officer = make.user(Role.OFFICER, department=department)
    high = make.cloud_service(
        department=department,
        title="基幹クラウド",
        handles_high_confidentiality=True,
        terms_type=TermsType.CONTRACT,
        responsible_officer_id=officer.id,
    )
    standard = make.cloud_service(
        department=department, title="会議日程調整", responsible_officer_id=officer.id
    )
    login_as(officer)
    high_codes = checklist_codes(
        client.get(f"/cloud-services/{high.id}/apply").get_data(as_text=True)
    )
    standard_codes = checklist_codes(
        client.get(f"/cloud-services/{standard.id}/apply").get_data(as_text=True)
    )
    # 機密性2以上: ISMAP or other assurance, contract terms, a named manager, an exit plan.
    assert {"CL-02", "CL-03", "CL-05", "CL-08", "CL-12"} <= set(high_codes)
    assert not {"CL-09", "CL-11"} & set(high_codes)
    # Standard terms without 機密性2以上: a record of use and a review of the terms, no ISMAP or contract.
    assert {"CL-05", "CL-09", "CL-11"} <= set(standard_codes)
    assert not {"CL-02", "CL-03", "CL-08", "CL-12"} & set(standard_codes)
    for service, codes in ((high, high_codes), (standard, standard_codes)):
        assert [r.code for r in applicable_requirements(db.session, service)] == codes
    html = client.get(f"/cloud-services/{high.id}/apply").get_data(as_text=True)
    assert "CL-02 ISMAPクラウドサービスリスト等を参考にした選定" in html
    assert (
        "機密性2以上の情報を扱うサービスは、ISMAP登録や認証の取得状況を確かめてから選ぶ。" in html
    )
    assert "自治体機密性2（機密性2以上）" in html and "自治体機密性1" in html


def test_bad_submission_keeps_input_and_explains_each_field(client, make, login_as, catalog):
    department, officer, service = setup_service(
        make, handles_high_confidentiality=True, terms_type=TermsType.CONTRACT
    )
    login_as(officer)
    codes = checklist_codes(
        client.get(f"/cloud-services/{service.id}/apply").get_data(as_text=True)
    )
    response = client.post(
        f"/cloud-services/{service.id}/apply",
        data=application_data(
            catalog.high,
            codes,
            answers={"CL-03": "not_applicable", "CL-07": ""},
            purpose="",
            users_description="",
            notes={"CL-02": "ISO/IEC 27017 の認証を確認した"},
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "入力内容を確認してください。" in html
    assert html.count("入力してください。") >= 2 and "該当しない理由を記入してください。" in html
    assert (
        "ISO/IEC 27017 の認証を確認した" in html and "申請者の氏名・住所・連絡先、申請内容" in html
    )
    assert (
        checked_value(html, "answer_CL_03") == "not_applicable"
        and checked_value(html, "answer_CL_07") is None
    )
    assert (
        applications_of(service) == []
        and reload(service).approval_state == ApprovalState.NOT_APPLIED
    )

    # Unanswered items are allowed; the approver sees them.
    response = client.post(
        f"/cloud-services/{service.id}/apply",
        data=application_data(
            catalog.high,
            codes,
            answers={"CL-07": "", "CL-03": "not_applicable"},
            notes={"CL-03": "国の共同調達の契約に含まれる"},
        ),
    )
    assert response.status_code == 302
    [application] = applications_of(service)
    assert [item.code for item in application.open_items] == ["CL-07"]
    assert application.checklist["CL-03"]["answer"] == ChecklistAnswer.NOT_APPLICABLE.value


def test_approval_rules(client, make, login_as, catalog):
    department, officer, service = setup_service(make)
    login_as(make.user(Role.ADMIN))
    # Nothing under review: nothing to decide.
    response = client.post(
        f"/cloud-services/{service.id}/approve",
        data={"approval_valid_until": "2099-01-01"},
        follow_redirects=True,
    )
    assert "審査中の利用申請がありません。" in response.get_data(as_text=True)
    assert reload(service).approval_state == ApprovalState.NOT_APPLIED

    login_as(officer)
    codes = checklist_codes(
        client.get(f"/cloud-services/{service.id}/apply").get_data(as_text=True)
    )
    client.post(
        f"/cloud-services/{service.id}/apply",
        data=application_data(catalog.low, codes, terms="standard_terms"),
    )
    # A second application while one is under review is refused.
    response = client.get(f"/cloud-services/{service.id}/apply", follow_redirects=True)
    assert "この外部サービスは既に申請中です。" in response.get_data(as_text=True)
    login_as(make.user(Role.ADMIN))
    yesterday = today_tokyo() - timedelta(days=1)
    response = client.post(
        f"/cloud-services/{service.id}/approve",
        data={"approval_valid_until": yesterday.isoformat()},
    )
    assert "承認の有効期限には今日以降の日付を入力してください。" in response.get_data(as_text=True)
    response = client.post(
        f"/cloud-services/{service.id}/approve", data={"approval_valid_until": ""}
    )
    assert response.status_code == 200 and reload(service).approval_state == ApprovalState.APPLIED
    # Everything answered: no comment needed.
    assert (
        client.post(
            f"/cloud-services/{service.id}/approve", data={"approval_valid_until": "2099-03-31"}
        ).status_code
        == 302
    )
    assert reload(service).approval_valid_until == date(2099, 3, 31)


def test_approval_months_are_configurable(app, client, make, login_as, catalog):
    app.config["CLOUD_APPROVAL_MONTHS"] = 6
    department, officer, service = setup_service(make)
    login_as(officer)
    codes = checklist_codes(
        client.get(f"/cloud-services/{service.id}/apply").get_data(as_text=True)
    )
    client.post(
        f"/cloud-services/{service.id}/apply",
        data=application_data(catalog.low, codes, terms="standard_terms"),
    )
    login_as(make.user(Role.ADMIN))
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert f'value="{approval_services.default_valid_until(6).isoformat()}"' in html
    assert approval_services.default_valid_until(12, date(2026, 4, 1)) == date(2027, 3, 31)


def test_withdrawal(client, make, login_as, catalog):
    department, officer, service = setup_service(make)
    login_as(officer)
    codes = checklist_codes(
        client.get(f"/cloud-services/{service.id}/apply").get_data(as_text=True)
    )
    client.post(
        f"/cloud-services/{service.id}/apply",
        data=application_data(catalog.low, codes, terms="standard_terms"),
    )
    assert client.post(f"/cloud-services/{service.id}/withdraw").status_code == 302
    [application] = applications_of(service)
    assert (
        application.status == ApplicationStatus.WITHDRAWN
        and application.decided_by_id == officer.id
    )
    assert reload(service).approval_state == ApprovalState.NOT_APPLIED
    assert actions("cloud_use_application", application.id) == ["create", "withdraw"]
    response = client.post(f"/cloud-services/{service.id}/withdraw", follow_redirects=True)
    assert "取り下げられる審査中の利用申請がありません。" in response.get_data(as_text=True)


def test_apply_needs_a_named_service_manager(client, make, login_as, catalog):
    department = make.department()
    service = make.cloud_service(department=department)
    login_as(make.user(Role.OFFICER, department=department))
    html = client.get(f"/cloud-services/{service.id}/apply").get_data(as_text=True)
    assert "外部サービス管理者が指定されていません。" in html
    codes = checklist_codes(html)
    response = client.post(
        f"/cloud-services/{service.id}/apply",
        data=application_data(catalog.low, codes, terms="standard_terms"),
        follow_redirects=True,
    )
    assert "利用申請の前に外部サービス管理者を指定してください。" in response.get_data(as_text=True)
    assert (
        applications_of(service) == []
        and reload(service).approval_state == ApprovalState.NOT_APPLIED
    )


def test_sensitivity_and_terms_changes_against_the_approval(client, make, login_as, catalog):
    from tests.cloud.test_cloud_services import form_data

    admin = make.user(Role.ADMIN)
    department, officer, service = setup_service(
        make,
        approval_state=ApprovalState.APPROVED,
        approval_valid_until=today_tokyo() + timedelta(days=30),
        approved_by_id=admin.id,
    )
    login_as(officer)
    manager = {"responsible_officer_id": str(officer.id)}
    client.post(
        f"/cloud-services/{service.id}/edit",
        data=form_data(department, purpose="目的を補足", **manager),
    )
    assert (
        reload(service).approval_state == ApprovalState.APPROVED
    )  # other changes keep the approval
    response = client.post(
        f"/cloud-services/{service.id}/edit",
        data=form_data(department, handles_high_confidentiality="y", **manager),
        follow_redirects=True,
    )
    assert "利用承認を取り消しました。新しい内容で利用申請を行ってください。" in response.get_data(
        as_text=True
    )
    service = reload(service)
    assert (
        service.approval_state == ApprovalState.NOT_APPLIED and service.approval_valid_until is None
    )

    # While an application is under review its basis cannot change.
    codes = checklist_codes(
        client.get(f"/cloud-services/{service.id}/apply").get_data(as_text=True)
    )
    assert (
        client.post(
            f"/cloud-services/{service.id}/apply",
            data=application_data(catalog.high, codes, terms="standard_terms"),
        ).status_code
        == 302
    )
    response = client.post(
        f"/cloud-services/{service.id}/edit", data=form_data(department, **manager)
    )
    assert "利用申請の審査中は、機密性の区分と契約形態を変更できません。" in response.get_data(
        as_text=True
    )
    assert reload(service).handles_high_confidentiality


def test_who_may_do_what(client, make, login_as, catalog):
    department, officer, service = setup_service(make)
    login_as(officer)
    codes = checklist_codes(
        client.get(f"/cloud-services/{service.id}/apply").get_data(as_text=True)
    )
    client.post(
        f"/cloud-services/{service.id}/apply",
        data=application_data(catalog.low, codes, terms="standard_terms"),
    )
    # An officer cannot decide on the own department's application.
    for action in ("approve", "reject"):
        assert (
            client.post(
                f"/cloud-services/{service.id}/{action}",
                data={"approval_valid_until": "2099-01-01", "reject_comment": "x"},
            ).status_code
            == 403
        )

    other = make.cloud_service(responsible_officer_id=officer.id)
    login_as(make.user(Role.OFFICER, department=make.department()))  # another department's officer
    assert client.get(f"/cloud-services/{other.id}/apply").status_code == 403
    assert (
        client.post(
            f"/cloud-services/{other.id}/apply",
            data=application_data(catalog.low, codes, terms="standard_terms"),
        ).status_code
        == 403
    )
    assert client.post(f"/cloud-services/{service.id}/withdraw").status_code == 403
    html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
    assert "申請を取り下げる" not in html and "承認する" not in html

    login_as(make.user(Role.SNS_OWNER, department=department))
    for action in ("approve", "reject", "withdraw"):
        assert client.post(f"/cloud-services/{service.id}/{action}").status_code == 403
    assert client.get(f"/cloud-services/{service.id}/applications").status_code == 403

    for role in (Role.AUDITOR, Role.PROCUREMENT):
        login_as(make.user(role))
        assert client.get(f"/cloud-services/{service.id}/applications").status_code == 200
        html = client.get(f"/cloud-services/{service.id}").get_data(as_text=True)
        assert (
            "審査中の利用申請" in html and "承認する" not in html and "申請を取り下げる" not in html
        )
        assert client.get(f"/cloud-services/{service.id}/apply").status_code == 403
        for action in ("apply", "approve", "reject", "withdraw"):
            assert client.post(f"/cloud-services/{service.id}/{action}").status_code == 403, (
                role,
                action,
            )
    assert applications_of(service)[0].status == ApplicationStatus.SUBMITTED
    assert reload(service).approval_state == ApprovalState.APPLIED

    login_as(make.user(Role.ADMIN))
    assert client.get("/cloud-services/999999/apply").status_code == 404
    assert client.get("/cloud-services/999999/applications").status_code == 404
    assert client.post("/cloud-services/999999/approve").status_code == 404


def test_applications_page_runs_a_fixed_number_of_queries(
    client, make, login_as, count_queries, catalog
):
    department, officer, service = setup_service(make)
    admin = make.user(Role.ADMIN)

    def add(count):
        db.session.add_all(
            [
                CloudUseApplication(
                    service_id=service.id,
                    department_id=department.id,
                    applicant_id=officer.id,
                    purpose=f"目的{i}",
                    confidentiality_level_id=catalog.low.id,
                    status=ApplicationStatus.APPROVED,
                    decided_by_id=admin.id,
                    checklist={
                        "CL-05": {
                            "title": "外部サービス管理者の指名",
                            "answer": "done",
                            "note": "",
                            "order": 1,
                        }
                    },
                )
                for i in range(count)
            ]
        )
        db.session.commit()

    login_as(make.user(Role.AUDITOR))
    add(5)
    with count_queries() as few:
        assert client.get(f"/cloud-services/{service.id}/applications").status_code == 200
    add(100)
    with count_queries() as many:
        html = client.get(f"/cloud-services/{service.id}/applications").get_data(as_text=True)
    assert few.count == many.count and html.count("外部サービス管理者の指名") == 105
