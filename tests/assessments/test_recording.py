"""Recording assessments: findings become actions, validation, the next review date follows."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from vendorguard.assessments import services
from vendorguard.assessments.models import Action, ActionStatus, Assessment, AssessmentResult
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db


def _post(client, arrangement_id, **fields):
    data = {
        "assessed_on": "2026-04-10",
        "result": "conforming",
        "method": "report",
        "summary": "定期報告書と作業従事者名簿を確認した。",
    }
    data.update(fields)
    return client.post(f"/assessments/arrangement/{arrangement_id}/new", data=data)


def test_findings_become_actions_with_owner_and_due_date(client, make, login_as):
    department = make.department()
    officer = make.user(Role.OFFICER, department=department)
    colleague = make.user(Role.OFFICER, department=department)
    engagement = make.engagement(department=department)
    login_as(officer)
    response = _post(
        client,
        engagement.id,
        result="partially_conforming",
        findings="・作業従事者名簿が古い\n\n2. 教育記録が提出されていない\n  \n",
        owner_id=str(colleague.id),
        due_on="2026-05-31",
    )
    assessment = db.session.scalars(select(Assessment)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{assessment.id}")
    assert assessment.result == AssessmentResult.PARTIALLY_CONFORMING
    assert assessment.assessed_by_id == officer.id
    assert assessment.valid_until == date(2027, 4, 10)  # one year by default
    actions = db.session.scalars(select(Action).order_by(Action.id)).all()
    assert [a.finding for a in actions] == ["作業従事者名簿が古い", "教育記録が提出されていない"]
    assert {(a.owner_id, a.due_on, a.status, a.arrangement_id) for a in actions} == {
        (colleague.id, date(2026, 5, 31), ActionStatus.OPEN, engagement.id)
    }
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "作業従事者名簿が古い" in page and "一部不適合" in page and colleague.name in page


def test_recording_writes_audit_events(client, make, login_as):
    officer = make.user(Role.OFFICER)
    engagement = make.engagement(department=officer.department)
    login_as(officer)
    _post(
        client,
        engagement.id,
        result="nonconforming",
        findings="A\nB",
        owner_id=str(officer.id),
        due_on="2026-06-30",
    )
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.object_type, AuditEvent.actor_id)
        .where(
            AuditEvent.object_type.in_(["assessment", "action", "engagement"]),
            AuditEvent.actor_id == officer.id,
        )
        .order_by(AuditEvent.seq)
    ).all()
    # the next review date lives on the arrangement: its update is recorded under the engagement
    assert [(e.action, e.object_type) for e in events] == [
        ("create", "assessment"),
        ("create", "action"),
        ("create", "action"),
        ("update", "engagement"),
    ]
    update = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "engagement", AuditEvent.action == "update"
        )
    ).one()
    assert (
        update.after["next_review_on"] == "2027-04-10" and update.before["next_review_on"] is None
    )


def test_nonconforming_without_findings_is_refused_and_input_kept(client, make, login_as):
    officer = make.user(Role.OFFICER)
    engagement = make.engagement(department=officer.department)
    login_as(officer)
    for result, label in (("nonconforming", "不適合"), ("partially_conforming", "一部不適合")):
        response = _post(
            client,
            engagement.id,
            result=result,
            summary="現地で入退室記録を確認した。",
            findings=" \n・\n",
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f"「{label}」の場合は、指摘事項を1件以上入力してください（1行に1件）。" in html
        assert "現地で入退室記録を確認した。" in html  # nothing typed is lost
    assert db.session.scalars(select(Assessment)).all() == []
    assert db.session.get(type(engagement), engagement.id).next_review_on is None


def test_findings_need_a_due_date_and_an_owner_who_can_act(client, make, login_as):
    officer = make.user(Role.OFFICER)
    auditor = make.user(Role.AUDITOR)
    engagement = make.engagement(department=officer.department)
    login_as(officer)
    html = _post(
        client, engagement.id, result="nonconforming", findings="A", owner_id=str(officer.id)
    ).get_data(as_text=True)
    assert "指摘事項がある場合は、措置の期限を入力してください。" in html
    html = _post(
        client,
        engagement.id,
        result="nonconforming",
        findings="A",
        owner_id=str(auditor.id),
        due_on="2026-05-01",
    ).get_data(as_text=True)
    assert "選択肢が正しくありません。" in html  # an auditor is not offered: they change nothing
    assert db.session.scalars(select(Assessment)).all() == []


def test_owner_outside_the_choices_is_refused_by_the_service(make, app):
    officer = make.user(Role.OFFICER)
    auditor = make.user(Role.AUDITOR)
    engagement = make.engagement(department=officer.department)
    data = services.AssessmentData(
        assessed_on=date(2026, 4, 1),
        result=AssessmentResult.NONCONFORMING,
        method="report",
        summary="x",
        findings="A",
        owner_id=auditor.id,
        due_on=date(2026, 5, 1),
    )
    try:
        services.record_assessment(db.session, engagement, data, officer, today=date(2026, 4, 1))
    except services.DomainError as error:
        assert error.field == "owner_id"
    else:
        raise AssertionError("an auditor cannot be put in charge of an action")


def test_future_date_and_bad_validity_are_refused(client, make, login_as):
    officer = make.user(Role.OFFICER)
    engagement = make.engagement(department=officer.department)
    login_as(officer)
    tomorrow = today_tokyo() + timedelta(days=1)
    html = _post(client, engagement.id, assessed_on=tomorrow.isoformat()).get_data(as_text=True)
    assert "確認日に未来の日付は指定できません。" in html
    html = _post(client, engagement.id, valid_until="2026-04-10").get_data(as_text=True)
    assert "有効期限は確認日より後の日付にしてください。" in html
    html = _post(client, engagement.id, summary="").get_data(as_text=True)
    assert "入力してください。" in html
    assert db.session.scalars(select(Assessment)).all() == []


def test_conforming_without_findings_creates_no_action(client, make, login_as):
    officer = make.user(Role.OFFICER)
    service = make.cloud_service(department=officer.department)
    login_as(officer)
    response = _post(client, service.id, valid_until="2026-10-09")
    assert response.status_code == 302
    assert db.session.scalars(select(Action)).all() == []
    db.session.expire_all()
    assert db.session.get(type(service), service.id).next_review_on == date(2026, 10, 9)


def test_next_review_date_follows_the_latest_assessment(make, assess):
    engagement = make.engagement(
        next_review_on=date(2026, 3, 1)
    )  # set by hand before any assessment
    first = assess(engagement, assessed_on=date(2025, 4, 1))
    assert engagement.next_review_on == date(2026, 4, 1)
    second = assess(engagement, assessed_on=date(2026, 4, 1), valid_until=date(2026, 9, 30))
    assert engagement.next_review_on == date(2026, 9, 30)
    backdated = assess(
        engagement, assessed_on=date(2025, 10, 1)
    )  # entered late: older than the latest
    assert engagement.next_review_on == date(2026, 9, 30)

    services.archive_assessment(db.session, second, engagement)
    db.session.commit()
    assert engagement.next_review_on == backdated.valid_until == date(2026, 10, 1)
    services.archive_assessment(db.session, backdated, engagement)
    services.archive_assessment(db.session, first, engagement)
    db.session.commit()
    assert engagement.next_review_on == date(2026, 3, 1)  # the hand-set date comes back
    services.restore_assessment(db.session, second, engagement)
    db.session.commit()
    assert engagement.next_review_on == date(2026, 9, 30)


def test_archive_and_restore_through_the_pages(client, make, login_as, assess):
    officer = make.user(Role.OFFICER)
    engagement = make.engagement(department=officer.department)
    older = assess(engagement, assessed_on=date(2025, 4, 1))
    newer = assess(
        engagement,
        owner=officer,
        result=AssessmentResult.NONCONFORMING,
        findings=["鍵の管理が不十分"],
        assessed_on=date(2026, 4, 1),
    )
    login_as(officer)
    assert client.post(f"/assessments/{newer.id}/archive").status_code == 302
    db.session.expire_all()
    assert db.session.get(Assessment, newer.id).archived_at is not None
    assert db.session.get(type(engagement), engagement.id).next_review_on == older.valid_until
    history = client.get(f"/assessments/arrangement/{engagement.id}").get_data(as_text=True)
    assert "鍵の管理が不十分" not in history  # archived ones only on request
    assert "鍵の管理が不十分" in client.get(
        f"/assessments/arrangement/{engagement.id}?archived=1"
    ).get_data(as_text=True)
    assert "鍵の管理が不十分" not in client.get("/assessments/actions/").get_data(as_text=True)
    assert client.post(f"/assessments/{newer.id}/restore").status_code == 302
    db.session.expire_all()
    assert db.session.get(type(engagement), engagement.id).next_review_on == date(2027, 4, 1)
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "assessment", AuditEvent.object_id == str(newer.id))
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == ["create", "archive", "restore"]


def test_archived_arrangement_takes_no_new_assessment(client, make, login_as):
    from vendorguard.core.timeutil import utcnow

    officer = make.user(Role.OFFICER)
    engagement = make.engagement(department=officer.department, archived_at=utcnow())
    login_as(officer)
    page = client.get(f"/assessments/arrangement/{engagement.id}").get_data(as_text=True)
    assert "確認を記録する" not in page
    response = _post(client, engagement.id)
    assert "アーカイブ済みの案件には確認を記録できません。" in response.get_data(as_text=True)
    assert db.session.scalars(select(Assessment)).all() == []


def test_split_findings_drops_bullets_and_blank_lines():
    assert services.split_findings(
        "・一つ目\r\n\r\n(2) 二つ目\n③ 三つ目\n- 四つ目\n１．五つ目"
    ) == ["一つ目", "二つ目", "三つ目", "四つ目", "五つ目"]
    assert services.default_valid_until(date(2028, 2, 29)) == date(2029, 2, 28)


def test_one_submit_shows_every_error_including_the_missing_findings(client, make, login_as):
    officer = make.user(Role.OFFICER)
    engagement = make.engagement(department=officer.department)
    login_as(officer)
    response = _post(client, engagement.id, result="nonconforming", summary="", findings="")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "「不適合」の場合は、指摘事項を1件以上入力してください（1行に1件）。" in html
    assert "入力してください" in html.replace("指摘事項を1件以上入力してください", "")  # summary
    assert db.session.scalars(select(Assessment)).all() == []
