"""Editing a clause without code: the placeholder picker, Japanese syntax errors, a CSRF-checked preview."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from vendorguard.auth.roles import Role
from vendorguard.catalog import sandbox
from vendorguard.catalog.models import Clause, ClauseVersion
from vendorguard.extensions import db

SYNTAX = [
    (
        "{{ contractor_name ",
        "1行目：差し込みの書き方に誤りがあります。「{{」に対応する「}}」がありません。",
    ),
    (
        "第1項\n{% if subcontractors %}再委託先",
        "2行目：差し込みの書き方に誤りがあります。「{% if … %}」に対応する「{% endif %}」がありません。",
    ),
    (
        "{% for s in subcontractors %}{{ s.name }}",
        "「{% for … %}」に対応する「{% endfor %}」がありません",
    ),
    ("{{ contractor name }}", "余分な語「name」があります"),
    ("{% endif %}", "「{% endif %}」に対応する始まりの命令がありません"),
    ("{% while x %}", "「while」という命令は使えません"),
    ("{{ }}", "差し込み項目や条件が書かれていません"),
    ("{% if subcontractors %}{% endfor %}", "「{% endfor %}」の位置が正しくありません"),
    ("{{ 'abc }}", "閉じていない引用符"),
]


def test_syntax_errors_are_said_in_japanese(ja):
    for body, message in SYNTAX:
        _refused_with(body, message)


def _refused_with(body: str, message: str) -> None:
    with pytest.raises(sandbox.ClauseBodyError) as caught:
        sandbox.check_body(body, "engagement")
    assert message in caught.value.message
    for english in ("expected", "template", "token", "Encountered", "statement", "Jinja"):
        assert english not in caught.value.message, caught.value.message


def _clause(code: str) -> Clause:
    return db.session.scalars(select(Clause).where(Clause.code == code)).one()


def _count_versions(clause: Clause) -> int:
    return db.session.scalar(
        select(func.count()).select_from(ClauseVersion).where(ClauseVersion.clause_id == clause.id)
    )


def test_syntax_error_is_shown_next_to_the_body_and_nothing_is_saved(
    client, make, login_as, catalog
):
    login_as(make.user(Role.ADMIN))
    clause = _clause("ENG-02")
    before = _count_versions(clause)
    body = "受注者は、秘密を守る。\n{% if subcontractors %}再委託先も同様とする。"
    response = client.post(
        f"/catalog/clauses/{clause.id}/edit",
        data={"title": clause.title, "sort_order": 1, "heading": "秘密", "body": body, "save": "1"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    field = html.split("field-error field-textareafield")[1].split("</div>")[0]
    assert 'id="body"' in field and 'aria-invalid="true"' in field
    assert "「{% if … %}」に対応する「{% endif %}」がありません。" in field
    assert _count_versions(clause) == before


def test_placeholder_picker_offers_the_kinds_placeholders(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    html = client.get(f"/catalog/clauses/{_clause('ENG-02').id}/edit").get_data(as_text=True)
    picker = html.split("data-placeholder-picker")[1].split("</ul>")[0]
    assert 'data-insert="{{ contractor_name }}" data-insert-target="body"' in picker
    assert ">受注者の名称<" in picker or "contractor_name" in picker
    # a list placeholder inserts a loop, a list of records loops over their names
    assert 'data-insert="{% for item in work_locations %}{{ item }}{% endfor %}"' in picker
    assert "{% for item in subcontractors %}{{ item.name }}{% endfor %}" in picker
    assert "provider_name" not in picker  # a cloud service's placeholder
    assert "js/editors.js" in html


def test_preview_endpoint_requires_the_csrf_token(app, client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        data = {"body": "{{ contract_title }}", "applies_to": "engagement"}
        refused = client.post("/catalog/clauses/preview", data=data)
        assert refused.status_code == 400
        html = client.get(f"/catalog/clauses/{_clause('ENG-02').id}/edit").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert token is not None
        response = client.post("/catalog/clauses/preview", data={**data, "csrf_token": token[1]})
        assert response.get_json() == {
            "ok": True,
            "error": "",
            "paragraphs": ["住民記録システム運用保守業務"],
        }
        broken = client.post(
            "/catalog/clauses/preview",
            data={**data, "body": "{{ contract_title", "csrf_token": token[1]},
        ).get_json()
        assert broken["ok"] is False and "「{{」に対応する「}}」がありません" in broken["error"]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
