"""Sending, answering in the portal, review with findings → actions, remediation, close."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from tests.portal.conftest import pdf_bytes
from tests.questionnaires.conftest import send
from vendorguard.assessments.models import Action, ActionStatus
from vendorguard.audit.models import AuditEvent
from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence.calendar import is_open_day
from vendorguard.extensions import db
from vendorguard.questionnaires import sending, services
from vendorguard.questionnaires.models import (
    Answer,
    AnswerFile,
    Question,
    QuestionnaireRequest,
    RequestStatus,
    Review,
)


def _q(req, code) -> Question:
    return db.session.scalars(
        select(Question).where(Question.version_id == req.version_id, Question.code == code)
    ).one()


def _fill_all(sheet) -> dict[str, str]:
    data = {}
    for q in sheet.questions:
        if q.id not in sheet.shown:
            continue
        value = {
            "yes_no": "yes",
            "single": q.choices[0] if q.choices else "",
            "date": "令和8年4月1日",
            "number": "12",
            "text": "記載",
        }.get(q.qtype.value)
        if q.qtype.value == "multiple":
            data[f"q{q.id}-present"] = "1"
            data[f"q{q.id}"] = q.choices[0]
        elif value is not None:
            data[f"q{q.id}"] = value
    return data


def test_send_moves_due_date_to_open_day_and_refuses_a_second(world):
    req = send(world)
    assert is_open_day(req.due_on) and req.contractor_id == world.engagement.contractor_id
    try:
        send(world)
    except Exception as error:  # DomainError
        assert "既に送付" in error.message
    else:
        raise AssertionError("a second questionnaire for the same year was accepted")


def test_conditions_follow_contract_and_earlier_answers(world):
    req = send(world)
    sheet = services.load_sheet(db.session, req.id)
    codes = {q.code for q in sheet.questions if q.id in sheet.shown}
    assert "PI-01-1" in codes  # handles personal information
    assert "MN-01-1" not in codes  # no My Number: MN requirements do not apply
    assert "OUT-08-2" not in codes  # only after 「再委託していますか」 = はい
    services.save_answers(db.session, sheet, {_q(req, "OUT-08-1").id: "はい"}, {})
    db.session.commit()
    sheet = services.load_sheet(db.session, req.id)
    assert "OUT-08-2" in {q.code for q in sheet.questions if q.id in sheet.shown}


def test_portal_answer_finding_remediation_close(world, client, login_as):
    req = send(world)
    request_id = req.id
    login_as(world.contractor_user)
    page = client.get(f"/questionnaires/portal/{request_id}")
    assert page.status_code == 200 and "委託先情報セキュリティ自己点検" in page.get_data(
        as_text=True
    )
    sheet = services.load_sheet(db.session, request_id)
    data = _fill_all(sheet)
    bad_q = _q(req, "OUT-02-2")
    data[f"q{bad_q.id}"] = "十二人"
    response = client.post(f"/questionnaires/portal/{request_id}/save", data=data)
    assert response.status_code == 400 and "数値を入力してください" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Answer.id).where(Answer.request_id == request_id)) is None
    data[f"q{bad_q.id}"] = "12"
    finding_q = _q(req, "OUT-07-1")
    data[f"q{finding_q.id}"] = "no"
    assert client.post(f"/questionnaires/portal/{request_id}/save", data=data).status_code == 302
    # submitting with the required training record missing is refused
    data["submit"] = "1"
    client.post(f"/questionnaires/portal/{request_id}/save", data=data)
    assert db.session.get(QuestionnaireRequest, request_id).status == RequestStatus.SENT
    record_q = _q(req, "OUT-05-3")
    for question in (record_q, finding_q):
        response = client.post(
            f"/questionnaires/portal/{request_id}/questions/{question.id}/files",
            data={"files": (io.BytesIO(pdf_bytes()), "記録.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
    # a disguised file is refused by the evidence content checks
    client.post(
        f"/questionnaires/portal/{request_id}/questions/{finding_q.id}/files",
        data={"files": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "誓約書.pdf")},
        content_type="multipart/form-data",
    )
    assert db.session.scalar(select(db.func.count(AnswerFile.id))) == 2
    # the follow-up questions that the first answers opened are answered too
    db.session.expire_all()
    data = {
        **_fill_all(services.load_sheet(db.session, request_id)),
        **{k: v for k, v in data.items() if k == f"q{finding_q.id}" or k == "submit"},
    }
    response = client.post(f"/questionnaires/portal/{request_id}/save", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(QuestionnaireRequest, request_id).status == RequestStatus.SUBMITTED
    # another company sees nothing of it
    client.post("/logout")
    login_as(world.other_contractor_user)
    assert client.get(f"/questionnaires/portal/{request_id}").status_code == 404

    client.post("/logout")
    login_as(world.officer)
    page = client.get(f"/questionnaires/{request_id}").get_data(as_text=True)
    assert "要確認" in page and "記録.pdf" in page
    answer = db.session.scalars(
        select(Answer).where(Answer.request_id == request_id, Answer.question_id == finding_q.id)
    ).one()
    due = (today_tokyo() + timedelta(days=30)).isoformat()
    response = client.post(
        f"/questionnaires/{request_id}/answers/{answer.id}/finding",
        data={
            "severity": "medium",
            "remediation": "誓約書を徴してください。",
            "owner_id": world.officer.id,
            "due_on": due,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    answer = db.session.get(Answer, answer.id)
    action = db.session.get(Action, answer.action_id)
    assert answer.review == Review.FINDING and action.owner_id == world.officer.id
    assert "誓約書を徴してください" in action.finding

    client.post("/logout")
    login_as(world.contractor_user)
    response = client.post(
        f"/questionnaires/portal/{request_id}/questions/{finding_q.id}/response",
        data={
            "response": "全員から誓約書を徴しました。",
            "files": (io.BytesIO(pdf_bytes("pledge")), "誓約書.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Action, action.id).contractor_response == "全員から誓約書を徴しました。"

    client.post("/logout")
    login_as(world.officer)
    client.post(
        f"/questionnaires/{request_id}/answers/{answer.id}/close-action",
        data={"resolution": "誓約書を確認した。"},
    )
    client.post(f"/questionnaires/{request_id}/close", data={})
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == ActionStatus.CLOSED
    assert db.session.get(QuestionnaireRequest, request_id).status == RequestStatus.CLOSED
    actions = {
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "questionnaire_request")
        )
    }
    assert {"send", "submit", "close"} <= actions


def test_link_answers_without_account_and_forged_link_is_404(world, client):
    req = send(world)
    token = services.issue_link(db.session, req, 7)
    db.session.commit()
    assert client.get(f"/questionnaires/portal/link/{req.id}/{token}").status_code == 200
    assert client.get(f"/questionnaires/portal/link/{req.id}/{token}x").status_code == 404
    assert client.get(f"/questionnaires/portal/link/{req.id + 1}/{token}").status_code == 404


def test_auditor_reads_but_changes_nothing(world, client, login_as, make):
    from vendorguard.auth.roles import Role

    req = send(world)
    login_as(make.user(Role.AUDITOR))
    assert client.get(f"/questionnaires/{req.id}").status_code == 200
    assert client.post(f"/questionnaires/{req.id}/cancel", data={}).status_code == 403


def test_return_for_correction_then_resubmit_and_bulk_send(world, make):
    from datetime import timedelta

    from vendorguard.core.timeutil import fiscal_year
    from vendorguard.questionnaires import review

    req = send(world)
    sheet = services.load_sheet(db.session, req.id)
    raw = {}
    for q in sheet.questions:
        if q.qtype.value == "yes_no":
            raw[q.id] = "yes"
        elif q.qtype.value in ("single", "multiple"):
            raw[q.id] = q.choices[0]
        elif q.qtype.value in ("date", "number", "text"):
            raw[q.id] = {"date": "2026-04-01", "number": "3", "text": "x"}[q.qtype.value]
    services.save_answers(db.session, sheet, raw, {})
    db.session.commit()
    sheet = services.load_sheet(db.session, req.id)
    services.attach_files(
        db.session,
        req,
        _q(req, "OUT-05-3"),
        [services.StoredFile("a.pdf", "questionnaire/test-a", "0" * 64, 1, "application/pdf")],
        None,
    )
    db.session.commit()
    services.submit(db.session, services.load_sheet(db.session, req.id), None)
    db.session.commit()
    review.return_for_correction(db.session, req, "教育の実施日を確認してください。")
    db.session.commit()
    assert req.status == RequestStatus.RETURNED
    sheet = services.load_sheet(db.session, req.id)
    services.save_answers(db.session, sheet, {_q(req, "OUT-05-1").id: "2026-05-10"}, {})
    services.submit(db.session, services.load_sheet(db.session, req.id), None)
    db.session.commit()
    assert req.status == RequestStatus.SUBMITTED

    # bulk: every engagement of the department the officer manages, once per fiscal year
    second = make.engagement(
        department=db.session.get(type(world.officer.department), world.officer.department_id)
    )
    today = today_tokyo()
    data = sending.SendData(world.template.id, fiscal_year(today), today + timedelta(days=20))
    sent, skipped = sending.send_bulk(db.session, data, None, world.officer)
    db.session.commit()
    assert (sent, skipped) == (1, 0)
    assert sending.send_bulk(db.session, data, None, world.officer) == (0, 0)
    assert db.session.scalar(
        select(QuestionnaireRequest.id).where(QuestionnaireRequest.arrangement_id == second.id)
    )


def test_bulk_send_to_one_risk_tier(world, make):
    from datetime import timedelta

    from vendorguard.core.timeutil import fiscal_year
    from vendorguard.engagements.models import RiskTier

    department = db.session.get(type(world.officer.department), world.officer.department_id)
    high, low = make.engagement(department=department), make.engagement(department=department)
    db.session.commit()  # tiers are computed at commit; set them as an override would
    high.tier, low.tier = RiskTier.A, RiskTier.D
    db.session.commit()
    today = today_tokyo()
    data = sending.SendData(world.template.id, fiscal_year(today), today + timedelta(days=20))
    sent, _skipped = sending.send_bulk(db.session, data, None, world.officer, tier="A")
    db.session.commit()
    got = set(
        db.session.scalars(
            select(QuestionnaireRequest.arrangement_id).where(
                QuestionnaireRequest.arrangement_id.in_([high.id, low.id])
            )
        )
    )
    assert sent == 1 and got == {high.id}
