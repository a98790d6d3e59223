"""Actions: edit, close with a resolution, reopen; who may do it; the list and its filters."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from vendorguard.approvals.models import ApprovalState
from vendorguard.assessments import queries
from vendorguard.assessments.models import Action, ActionStatus, Assessment, AssessmentResult
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.extensions import db

NC = AssessmentResult.NONCONFORMING


def _one_action(make, assess, owner=None, department=None, **fields):
    department = department or make.department()
    owner = owner or make.user(Role.OFFICER, department=department)
    engagement = make.engagement(department=department)
    assessment = assess(
        engagement, owner=owner, result=NC, findings=["アクセスログを保管していない"], **fields
    )
    action = db.session.scalars(select(Action).where(Action.assessment_id == assessment.id)).one()
    return engagement, assessment, action


def test_close_requires_a_resolution_then_reopen(client, make, login_as, assess):
    officer = make.user(Role.OFFICER)
    engagement, assessment, action = _one_action(
        make, assess, owner=officer, department=officer.department
    )
    login_as(officer)
    response = client.post(
        f"/assessments/actions/{action.id}/close",
        data={"resolution": "  ", "closed_on": "2026-06-01"},
    )
    assert response.status_code == 200
    assert "入力してください。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == ActionStatus.OPEN

    response = client.post(
        f"/assessments/actions/{action.id}/close",
        data={
            "resolution": "ログの保管期間を1年とする手順書を受領し、設定画面で確認した。",
            "closed_on": "2026-06-01",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    closed = db.session.get(Action, action.id)
    assert (closed.status, closed.closed_on, closed.closed_by_id) == (
        ActionStatus.CLOSED,
        date(2026, 6, 1),
        officer.id,
    )
    assert (
        client.post(
            f"/assessments/actions/{action.id}/close",
            data={"resolution": "x", "closed_on": "2026-06-01"},
        ).status_code
        == 200
    )  # already closed: told so, nothing changes

    assert client.post(f"/assessments/actions/{action.id}/reopen").status_code == 302
    db.session.expire_all()
    reopened = db.session.get(Action, action.id)
    assert (reopened.status, reopened.closed_on, reopened.closed_by_id) == (
        ActionStatus.OPEN,
        None,
        None,
    )
    events = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "action", AuditEvent.object_id == str(action.id))
        .order_by(AuditEvent.seq)
    ).all()
    assert events == ["create", "close", "reopen"]


def test_close_refuses_future_and_pre_assessment_dates(client, make, login_as, assess):
    officer = make.user(Role.OFFICER)
    _, _, action = _one_action(make, assess, owner=officer, department=officer.department)
    login_as(officer)
    html = client.post(
        f"/assessments/actions/{action.id}/close",
        data={"resolution": "是正済み", "closed_on": "2099-01-01"},
    ).get_data(as_text=True)
    assert "完了日に未来の日付は指定できません。" in html
    html = client.post(
        f"/assessments/actions/{action.id}/close",
        data={"resolution": "是正済み", "closed_on": "2026-01-01"},
    ).get_data(as_text=True)
    assert "完了日は確認日" in html and "是正済み" in html


def test_edit_an_action(client, make, login_as, assess):
    officer = make.user(Role.OFFICER)
    colleague = make.user(Role.OFFICER, department=officer.department)
    _, _, action = _one_action(make, assess, owner=officer, department=officer.department)
    login_as(officer)
    response = client.post(
        f"/assessments/actions/{action.id}/edit",
        data={
            "finding": "アクセスログを6か月しか保管していない",
            "owner_id": str(colleague.id),
            "due_on": "2026-07-31",
            "contractor_response": "7月末までに設定を変更すると回答あり",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(Action, action.id)
    assert (changed.finding, changed.owner_id, changed.due_on, changed.contractor_response) == (
        "アクセスログを6か月しか保管していない",
        colleague.id,
        date(2026, 7, 31),
        "7月末までに設定を変更すると回答あり",
    )
    html = client.post(
        f"/assessments/actions/{action.id}/edit",
        data={"finding": "", "owner_id": str(colleague.id), "due_on": "2026-03-01"},
    ).get_data(as_text=True)
    assert "入力してください。" in html


def test_add_an_action_later(client, make, login_as, assess):
    officer = make.user(Role.OFFICER)
    engagement = make.engagement(department=officer.department)
    assessment = assess(engagement)
    login_as(officer)
    assert client.get(f"/assessments/{assessment.id}/actions/new").status_code == 200
    response = client.post(
        f"/assessments/{assessment.id}/actions/new",
        data={
            "finding": "退職者のアカウントが残っている",
            "owner_id": str(officer.id),
            "due_on": "2026-05-15",
        },
    )
    assert response.status_code == 302
    action = db.session.scalars(select(Action)).one()
    assert (action.assessment_id, action.arrangement_id, action.status) == (
        assessment.id,
        engagement.id,
        ActionStatus.OPEN,
    )


def test_auditor_reads_but_changes_nothing(client, make, login_as, assess):
    engagement, assessment, action = _one_action(make, assess)
    login_as(make.user(Role.AUDITOR))
    for url in (
        f"/assessments/arrangement/{engagement.id}",
        f"/assessments/{assessment.id}",
        "/assessments/actions/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "アクセスログを保管していない" in html
        assert "完了にする" not in html and "確認を記録する" not in html
        assert f"/assessments/{assessment.id}/archive" not in html and "/edit" not in html
    for method, url in (
        ("post", f"/assessments/arrangement/{engagement.id}/new"),
        ("post", f"/assessments/{assessment.id}/archive"),
        ("get", f"/assessments/actions/{action.id}/edit"),
        ("post", f"/assessments/actions/{action.id}/close"),
        ("post", f"/assessments/actions/{action.id}/reopen"),
        ("get", f"/assessments/{assessment.id}/actions/new"),
    ):
        assert getattr(client, method)(url, data={"resolution": "x"}).status_code == 403, url


def test_other_department_reads_but_gets_403_on_changes(client, make, login_as, assess):
    engagement, assessment, action = _one_action(make, assess)
    login_as(make.user(Role.OFFICER))  # an officer of another department, not in charge
    assert client.get(f"/assessments/{assessment.id}").status_code == 200
    assert "完了にする" not in client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    for url in (
        f"/assessments/arrangement/{engagement.id}/new",
        f"/assessments/{assessment.id}/archive",
        f"/assessments/actions/{action.id}/edit",
        f"/assessments/actions/{action.id}/close",
        f"/assessments/actions/{action.id}/reopen",
        f"/assessments/{assessment.id}/actions/new",
    ):
        assert (
            client.post(url, data={"resolution": "x", "closed_on": "2026-06-01"}).status_code == 403
        ), url
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == ActionStatus.OPEN


def test_person_in_charge_from_another_department_closes_own_action(client, make, login_as, assess):
    policy_officer = make.user(
        Role.OFFICER
    )  # e.g. 情報政策課, put in charge of another department's finding
    engagement, assessment, action = _one_action(make, assess, owner=policy_officer)
    assert engagement.department_id != policy_officer.department_id
    login_as(policy_officer)
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "完了にする" in page and "措置を追加" not in page
    # may record the contractor's response, but not rewrite the finding, hand it on or move the deadline
    response = client.post(
        f"/assessments/actions/{action.id}/edit",
        data={
            "finding": "書き換え",
            "owner_id": str(make.user(Role.OFFICER).id),
            "due_on": "2030-01-01",
            "contractor_response": "6月中に対応予定",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Action, action.id)
    assert (edited.finding, edited.owner_id, edited.due_on, edited.contractor_response) == (
        "アクセスログを保管していない",
        policy_officer.id,
        date(2026, 5, 31),
        "6月中に対応予定",
    )
    response = client.post(
        f"/assessments/actions/{action.id}/close",
        data={"resolution": "保管設定の変更を確認した。", "closed_on": "2026-06-10"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Action, action.id).closed_by_id == policy_officer.id
    assert (
        client.post(f"/assessments/{assessment.id}/archive").status_code == 403
    )  # the assessment is not theirs


def test_sns_owner_cannot_open_engagement_assessments(client, make, login_as, assess):
    engagement, assessment, action = _one_action(make, assess)
    login_as(make.user(Role.SNS_OWNER, department=engagement_department(engagement)))
    assert client.get(f"/assessments/{assessment.id}").status_code == 403
    assert client.get(f"/assessments/arrangement/{engagement.id}").status_code == 403
    assert "アクセスログを保管していない" not in client.get("/assessments/actions/").get_data(
        as_text=True
    )


def engagement_department(engagement):
    from vendorguard.org.models import Department

    return db.session.get(Department, engagement.department_id)


def test_unknown_ids_are_404(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    for url in (
        "/assessments/arrangement/999",
        "/assessments/999",
        "/assessments/actions/999/edit",
    ):
        assert client.get(url).status_code == 404, url


def test_list_filters(client, make, login_as, assess):
    me = make.user(Role.OFFICER)
    other_department = make.department(name="会計課")
    mine_engagement = make.engagement(department=me.department, title="窓口業務委託")
    theirs = make.engagement(department=other_department, title="財務システム保守")
    assess(mine_engagement, owner=me, result=NC, findings=["私の措置"], due_on=date(2026, 5, 1))
    done = assess(
        theirs,
        owner=make.user(Role.OFFICER, department=other_department),
        result=NC,
        findings=["他課の措置", "完了した措置"],
        due_on=date(2026, 5, 1),
    )
    closed = db.session.scalars(select(Action).where(Action.finding == "完了した措置")).one()
    closed.status, closed.closed_on, closed.resolution = (
        ActionStatus.CLOSED,
        date(2026, 4, 20),
        "済",
    )
    db.session.commit()
    assert done.id
    login_as(me)

    def shown(query=""):
        html = client.get(f"/assessments/actions/{query}").get_data(as_text=True)
        return {name for name in ("私の措置", "他課の措置", "完了した措置") if name in html}

    assert shown() == {"私の措置", "他課の措置"}
    assert shown("?mine=1") == {"私の措置"}
    assert shown(f"?department={other_department.id}") == {"他課の措置"}
    assert shown("?status=closed") == {"完了した措置"}
    assert shown("?status=all") == {"私の措置", "他課の措置", "完了した措置"}
    assert shown("?q=財務") == {"他課の措置"}
    assert shown("?kind=cloud_service") == set()


def test_social_drafts_of_other_departments_stay_hidden(client, make, login_as, assess):
    sns_owner = make.user(Role.SNS_OWNER)
    draft = make.social_account(approval_state=ApprovalState.NOT_APPLIED)
    published = make.social_account(approval_state=ApprovalState.APPROVED)
    owner = make.user(Role.ADMIN)
    assess(draft, owner=owner, result=NC, findings=["下書きの指摘"])
    assess(published, owner=owner, result=NC, findings=["公開中の指摘"])
    login_as(sns_owner)
    html = client.get("/assessments/actions/").get_data(as_text=True)
    assert "公開中の指摘" in html and "下書きの指摘" not in html
    assert client.get(f"/assessments/arrangement/{draft.id}").status_code == 404


def test_flagged_while_latest_is_nonconforming_with_open_actions(make, assess):
    engagement, assessment, action = _one_action(make, assess)
    assert queries.is_flagged(db.session, engagement.id)
    flagged = db.session.scalars(queries.flagged_arrangement_ids()).all()
    assert flagged == [engagement.id]
    action.status = ActionStatus.CLOSED
    db.session.commit()
    assert not queries.is_flagged(db.session, engagement.id)
    action.status = ActionStatus.OPEN
    db.session.commit()
    assess(engagement, assessed_on=date(2026, 6, 1))  # a newer conforming assessment
    assert not queries.is_flagged(db.session, engagement.id)
    partial = make.engagement()
    assess(
        partial,
        owner=make.user(Role.ADMIN),
        result=AssessmentResult.PARTIALLY_CONFORMING,
        findings=["軽微"],
    )
    assert not queries.is_flagged(db.session, partial.id)
    assert db.session.scalars(select(Assessment)).all()
