"""The clause library: versions, approval, what documents use, the edit page and its preview."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.catalog import clause_services, services
from vendorguard.catalog.models import Clause, ClauseStatus, ClauseVersion
from vendorguard.core.errors import DomainError
from vendorguard.extensions import db


def _clause(code: str) -> Clause:
    return db.session.scalars(select(Clause).where(Clause.code == code)).one()


def _versions(clause: Clause) -> list[ClauseVersion]:
    return db.session.scalars(
        select(ClauseVersion)
        .where(ClauseVersion.clause_id == clause.id)
        .options(selectinload(ClauseVersion.requirements))
        .order_by(ClauseVersion.number)
    ).all()


def _article(engagement, heading: str):
    db.session.expire_all()
    return next(a for a in services.render_articles(db.session, engagement) if a.heading == heading)


def _edit_form(clause: Clause, **changes) -> dict:
    latest = _versions(clause)[-1]
    data = {
        "title": clause.title,
        "sort_order": clause.sort_order,
        "heading": latest.title,
        "body": latest.body,
        "requirement_codes": latest.requirement_codes,
        "note": "",
        "save": "1",
    }
    data.update(changes)
    return data


def test_edit_makes_a_draft_and_approval_retires_the_old_version(client, make, login_as, catalog):
    admin = make.user(Role.ADMIN)
    login_as(admin)
    engagement = make.engagement()
    clause = _clause("ENG-02")
    original = _article(engagement, "秘密の保持").paragraphs

    new_body = (
        "受注者は、本業務で知り得た情報を第三者に漏らしてはならない。契約終了後も同様とする。\r\n"
    )
    response = client.post(
        f"/catalog/clauses/{clause.id}/edit",
        data=_edit_form(clause, body=new_body, note="表現の見直し"),
    )
    assert response.status_code == 302
    first, second = _versions(clause)
    assert (first.status, second.status) == (ClauseStatus.APPROVED, ClauseStatus.DRAFT)
    assert second.number == 2 and second.created_by_id == admin.id and second.note == "表現の見直し"
    assert second.body == new_body.replace("\r\n", "\n")
    assert second.requirement_codes == ["OUT-07"]
    # Only approved versions are used: the draft changes nothing yet.
    assert _article(engagement, "秘密の保持").paragraphs == original

    response = client.post(f"/catalog/clauses/versions/{second.id}/approve")
    assert response.status_code == 302
    db.session.expire_all()
    first, second = _versions(clause)
    assert (first.status, second.status) == (ClauseStatus.RETIRED, ClauseStatus.APPROVED)
    assert second.approved_by_id == admin.id and second.approved_at is not None
    article = _article(engagement, "秘密の保持")
    assert article.paragraphs == [
        "受注者は、本業務で知り得た情報を第三者に漏らしてはならない。契約終了後も同様とする。"
    ]
    assert article.clause_version_id == second.id

    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(
            AuditEvent.object_type == "clause_version",
            AuditEvent.object_id.in_([str(first.id), str(second.id)]),
        )
        .order_by(AuditEvent.seq)
    ).all()
    assert "approve" in actions and "retire" in actions


def test_saving_an_unchanged_text_makes_no_new_version(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    clause = _clause("ENG-03")
    response = client.post(
        f"/catalog/clauses/{clause.id}/edit",
        data=_edit_form(clause, title="目的外利用の禁止", sort_order=35),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert len(_versions(clause)) == 1
    assert (clause.title, clause.sort_order) == ("目的外利用の禁止", 35)


def test_changing_only_the_covered_requirements_is_a_new_version(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    clause = _clause("ENG-03")
    client.post(
        f"/catalog/clauses/{clause.id}/edit",
        data=_edit_form(clause, requirement_codes=["OUT-06", "OUT-07"]),
    )
    assert [v.requirement_codes for v in _versions(clause)] == [["OUT-06"], ["OUT-06", "OUT-07"]]


def test_unknown_placeholder_is_refused_when_saving_and_nothing_is_lost(
    client, make, login_as, catalog
):
    login_as(make.user(Role.ADMIN))
    clause = _clause("ENG-02")
    body = "受注者（{{ contractor_nam }}）は、秘密を守らなければならない。"
    response = client.post(f"/catalog/clauses/{clause.id}/edit", data=_edit_form(clause, body=body))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "使えない差し込み項目があります：contractor_nam" in html
    assert "{{ contractor_nam }}" in html  # the typed text is still in the form
    assert len(_versions(clause)) == 1


def test_hostile_body_is_refused_on_the_page(client, make, login_as, catalog, app):
    login_as(make.user(Role.ADMIN))
    clause = _clause("ENG-02")
    response = client.post(
        f"/catalog/clauses/{clause.id}/edit", data=_edit_form(clause, body="{{ config }}")
    )
    assert "使えない差し込み項目があります：config" in response.get_data(as_text=True)
    response = client.post(
        "/catalog/clauses/preview",
        data={"body": "{{ config.SECRET_KEY }}", "applies_to": "engagement"},
    )
    assert response.get_json()["ok"] is False
    assert app.config["SECRET_KEY"] not in response.get_data(as_text=True)


def test_requirements_of_another_kind_are_refused(ja, make, catalog):
    clause = _clause("ENG-02")
    data = clause_services.ClauseData(
        title="秘密の保持", heading="秘密の保持", body="本文", requirement_codes=["CL-01"]
    )
    with pytest.raises(DomainError, match="CL-01」は業務委託の要件ではない"):
        clause_services.revise_clause(db.session, clause, data, None)
    data.requirement_codes = []
    with pytest.raises(DomainError, match="1つ以上選んでください"):
        clause_services.revise_clause(db.session, clause, data, None)


def test_only_drafts_can_be_approved(ja, make, catalog):
    version = _versions(_clause("ENG-02"))[0]
    with pytest.raises(DomainError, match="承認できるのは下書きの版だけです"):
        clause_services.approve_version(db.session, version, make.user(Role.ADMIN))


def test_new_clause_starts_as_a_draft_and_is_used_once_approved(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    engagement = make.engagement(contractor=make.contractor(name="豊岡情報株式会社"))
    response = client.post(
        "/catalog/clauses/new",
        data={
            "code": "eng-99",
            "applies_to": "engagement",
            "title": "反社会的勢力の排除",
            "sort_order": 175,
            "heading": "反社会的勢力の排除",
            "body": "{{ contractor_name }}は、本業務に関係する法令を遵守しなければならない。",
            "requirement_codes": ["OUT-01"],
            "save": "1",
        },
    )
    assert response.status_code == 302
    clause = _clause("ENG-99")
    (version,) = _versions(clause)
    assert version.status == ClauseStatus.DRAFT
    assert "反社会的勢力の排除" not in [
        a.heading for a in services.render_articles(db.session, engagement)
    ]
    client.post(f"/catalog/clauses/versions/{version.id}/approve")
    db.session.expire_all()
    articles = services.render_articles(db.session, engagement)
    assert [a.heading for a in articles][-2:] == ["損害賠償及び契約の解除", "反社会的勢力の排除"]
    assert articles[-1].paragraphs == [
        "豊岡情報株式会社は、本業務に関係する法令を遵守しなければならない。"
    ]


def test_duplicate_clause_code_is_shown_next_to_the_field(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/catalog/clauses/new",
        data={
            "code": "ENG-01",
            "applies_to": "engagement",
            "title": "x",
            "heading": "x",
            "body": "本文",
            "requirement_codes": ["OUT-01"],
            "save": "1",
        },
    )
    assert "この条項コードは既に使われています。" in response.get_data(as_text=True)


def test_archived_clause_is_not_used(ja, make, catalog):
    engagement = make.engagement()
    clause_services.archive_clause(db.session, _clause("ENG-04"))
    db.session.commit()
    assert "複写・複製の禁止" not in [
        a.heading for a in services.render_articles(db.session, engagement)
    ]


def test_preview_endpoint_renders_against_an_engagement(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    engagement = make.engagement(work_locations="本庁舎3階\n分庁舎", title="窓口業務委託")
    response = client.post(
        "/catalog/clauses/preview",
        data={
            "body": "「{{ contract_title }}」\n{% for p in work_locations %}（{{ loop.index }}）{{ p }}\n{% endfor %}",
            "applies_to": "engagement",
            "preview_arrangement": engagement.id,
        },
    )
    assert response.get_json() == {
        "ok": True,
        "error": "",
        "paragraphs": ["「窓口業務委託」", "（1）本庁舎3階", "（2）分庁舎"],
    }
    response = client.post(
        "/catalog/clauses/preview",
        data={"body": "{{ contract_title }}", "applies_to": "engagement"},
    )
    assert response.get_json()["paragraphs"] == ["住民記録システム運用保守業務"]  # sample values


def test_preview_without_javascript(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    engagement = make.engagement(title="窓口業務委託")
    clause = _clause("ENG-01")
    response = client.post(
        f"/catalog/clauses/{clause.id}/edit",
        data=_edit_form(clause, preview="1", save=None, preview_arrangement=engagement.id),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "「窓口業務委託」" in html
    assert len(_versions(clause)) == 1  # a preview saves nothing


def test_edit_page_offers_engagements_and_loads_the_preview_script(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    engagement = make.engagement(title="窓口業務委託")
    html = client.get(f"/catalog/clauses/{_clause('ENG-01').id}/edit").get_data(as_text=True)
    assert f'<option value="{engagement.id}">窓口業務委託</option>' in html
    assert "js/clause-preview.js" in html and "data-preview-url" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP)
