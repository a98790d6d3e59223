"""Admins edit templates through forms: drafts, sections, questions with conditions, approval."""

from __future__ import annotations

from sqlalchemy import select

from vendorguard.auth.roles import Role
from vendorguard.catalog.models import ClauseStatus
from vendorguard.extensions import db
from vendorguard.questionnaires.models import Question, Section, TemplateVersion
from vendorguard.questionnaires.queries import approved_version


def test_admin_builds_and_approves_a_template_with_forms(world, client, login_as, make):
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/questionnaires/templates/new",
        data={"code": "sc-test", "title": "テスト点検", "applies_to": "engagement"},
    )
    assert response.status_code == 302
    version = db.session.scalars(
        select(TemplateVersion).where(TemplateVersion.title == "テスト点検")
    ).one()
    base = f"/questionnaires/versions/{version.id}"
    client.post(f"{base}/sections/new", data={"title": "1. 体制", "position": 10})
    section = db.session.scalars(select(Section).where(Section.version_id == version.id)).one()
    question = {
        "section_id": section.id,
        "code": "T-1",
        "position": 10,
        "text": "再委託していますか。",
        "qtype": "yes_no",
        "required": "y",
        "attachment": "none",
        "weight": 1,
        "finding_answers": "",
    }
    assert client.post(f"{base}/questions/new", data=question).status_code == 302
    follow_up = {
        **question,
        "code": "T-2",
        "text": "市の承諾を得ていますか。",
        "requirement_code": "OUT-08",
        "fact": "handles_personal_info:true",
        "after_code": "T-1",
        "after_value": "yes",
        "finding_answers": "no",
        "weight": 3,
    }
    assert client.post(f"{base}/questions/new", data=follow_up).status_code == 302
    saved = db.session.scalars(select(Question).where(Question.code == "T-2")).one()
    assert saved.condition == {
        "all": [
            {"fact": "handles_personal_info", "op": "is", "value": True},
            {"fact": "answer:T-1", "op": "eq", "value": "yes"},
        ]
    }
    # a finding answer that is not among the options is refused in Japanese, nothing saved
    bad = {**question, "code": "T-3", "qtype": "single", "choices": "A\nB", "finding_answers": "C"}
    page = client.post(f"{base}/questions/new", data=bad).get_data(as_text=True)
    assert "指摘とする回答が選択肢にありません" in page
    assert db.session.scalar(select(Question.id).where(Question.code == "T-3")) is None
    page = client.get(base).get_data(as_text=True)
    assert "前の設問の回答による" in page and "要件 OUT-08" in page

    client.post(f"{base}/approve", data={})
    db.session.expire_all()
    assert db.session.get(TemplateVersion, version.id).status == ClauseStatus.APPROVED
    # an approved version is frozen; a change starts a new draft copied from it
    assert "承認済み・廃止済みの版は変更できません" in client.post(
        f"{base}/questions/new", data={**question, "code": "T-9"}
    ).get_data(as_text=True)
    client.post(f"/questionnaires/templates/{version.template_id}/draft", data={})
    draft = db.session.scalars(
        select(TemplateVersion).where(
            TemplateVersion.template_id == version.template_id, TemplateVersion.number == 2
        )
    ).one()
    assert (
        db.session.scalar(select(db.func.count(Question.id)).where(Question.version_id == draft.id))
        == 2
    )
    client.post(f"/questionnaires/versions/{draft.id}/approve", data={})
    db.session.expire_all()
    assert db.session.get(TemplateVersion, version.id).status == ClauseStatus.RETIRED
    assert db.session.scalars(approved_version(version.template_id)).one().id == draft.id


def test_officer_cannot_edit_templates(world, client, login_as):
    login_as(world.officer)
    assert client.get("/questionnaires/templates").status_code == 200
    assert client.get("/questionnaires/templates/new").status_code == 403
