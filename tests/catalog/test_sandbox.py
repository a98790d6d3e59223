"""Clause bodies: refused at save when unknown or hostile, harmless at render whatever gets through."""

from __future__ import annotations

import pytest

from vendorguard.catalog import placeholder_list, sandbox
from vendorguard.catalog.seed import CLAUSES

HOSTILE = [
    ("{{ config }}", "使えない差し込み項目があります：config"),
    ("{{ ''.__class__.__mro__ }}", "「_」で始まる名前（__mro__）"),
    ("{{ self }}", "使えない差し込み項目があります：self"),
    ("{% import 'x' as y %}", "{% import %} は条項の本文では使えません"),
    ("{% from 'x' import y %}", "{% from … import %}"),
    ("{% include 'base.html' %}", "{% include %}"),
    ("{% extends 'base.html' %}", "{% extends %}"),
    ("{% macro m() %}x{% endmacro %}", "{% macro %}"),
    ("{% call m() %}x{% endcall %}", "{% call %}"),
    ("{% set x = 1 %}{{ x }}", "{% set %}"),
    ("{% set x %}a{% endset %}", "{% set %}"),
    ("{% with x = 1 %}{{ x }}{% endwith %}", "{% with %}"),
    ("{{ cycler.__init__.__globals__ }}", "「_」で始まる名前"),
    ("{{ lipsum }}", "使えない差し込み項目があります：lipsum"),
    ("{{ request }}", "使えない差し込み項目があります：request"),
    ("{{ range(10) }}", "関数やメソッドの呼び出し"),
    ("{{ contractor_name.upper() }}", "関数やメソッドの呼び出し"),
    ("{{ contractor_name * 100000000 }}", "計算（*、/、% など）は使えません"),
    ("{{ '%s' % contractor_name }}", "計算"),
    ("{{ subcontractors[0]['__class__'] }}", "「_」で始まる名前（__class__）"),
    (
        "{% for s in subcontractors %}{{ subcontractors[s] }}{% endfor %}",
        "[ ] の中には固定の番号か項目名だけ",
    ),
    ("{{ contractor_name|attr('__class__') }}", "フィルタ「attr」は使えません"),
    ("{{ subcontractors|map(attribute='name')|join }}", "フィルタ「map」は使えません"),
    (
        "{% for config in subcontractors %}{{ config }}{% endfor %}",
        None,
    ),  # harmless: a loop name is local
    (
        "{% for contractor_name in subcontractors %}{% endfor %}",
        "繰り返しの変数名「contractor_name」",
    ),
    ("{{ _self }}", "「_」で始まる名前（_self）"),
    ("{{ contractor_name ", "差し込みの書き方に誤りがあります"),
    ("{% if %}", "1行目：差し込みの書き方に誤りがあります"),
]


@pytest.mark.parametrize("body, message", HOSTILE, ids=[body[:40] for body, _ in HOSTILE])
def test_hostile_bodies_are_refused_at_save(ja, body, message):
    if message is None:
        sandbox.check_body(body, "engagement")
        return
    with pytest.raises(sandbox.ClauseBodyError) as caught:
        sandbox.check_body(body, "engagement")
    assert message in caught.value.message
    assert caught.value.field == "body"


@pytest.mark.parametrize("body", [body for body, _ in HOSTILE])
def test_hostile_bodies_render_harmlessly_even_unchecked(ja, app, body):
    """Belt and braces: the sandbox alone never reveals configuration or Python internals."""
    values = placeholder_list.sample_values("engagement")
    try:
        text = sandbox.render_body(body, values)
    except sandbox.ClauseBodyError:
        return
    assert app.config["SECRET_KEY"] not in text
    assert (
        "class '" not in text
        and "<module" not in text
        and "function" not in text
        and "Config" not in text
    )
    assert len(text) < 10_000


def test_unknown_placeholder_is_named_with_the_allowed_ones(ja):
    with pytest.raises(sandbox.ClauseBodyError) as caught:
        sandbox.check_body(
            "受注者は{{ contractor_nmae }}とする。{{ contract_title }}", "engagement"
        )
    assert "contractor_nmae" in caught.value.message
    assert "contractor_name" in caught.value.message  # the list of usable names helps fix the typo


def test_placeholders_are_per_kind(ja):
    sandbox.check_body("{{ service_name }}", "cloud_service")
    with pytest.raises(sandbox.ClauseBodyError, match="service_name"):
        sandbox.check_body("{{ service_name }}", "engagement")


def test_line_number_is_given(ja):
    with pytest.raises(sandbox.ClauseBodyError, match="3行目"):
        sandbox.check_body("一行目\n二行目\n{% include 'x' %}", "engagement")


def test_render_refuses_model_objects_and_config(app):
    with pytest.raises(TypeError):
        sandbox.render_body("{{ contractor_name }}", {"contractor_name": app.config})
    with pytest.raises(TypeError):
        sandbox.render_body("{{ contractor_name }}", {"contractor_name": object()})


def test_loops_filters_and_defaults_work(ja):
    body = (
        "{% for s in subcontractors %}（{{ loop.index }}）{{ s.name }}／{{ subcontractors[0]['scope'] }}\n{% endfor %}"
        "{{ work_locations|join('、') }}\n{{ access_scope|default('必要な範囲', true) }}\n"
    )
    sandbox.check_body(body, "engagement")
    text = sandbox.render_body(
        body,
        {
            "subcontractors": [{"name": "甲社", "scope": "印刷"}],
            "work_locations": ["本庁舎", "分庁舎"],
            "access_scope": "",
        },
    )
    assert sandbox.paragraphs(text) == ["（1）甲社／印刷", "本庁舎、分庁舎", "必要な範囲"]


@pytest.mark.parametrize(
    "code, applies_to, body", [(c[0], c[1], c[5]) for c in CLAUSES], ids=[c[0] for c in CLAUSES]
)
def test_every_shipped_clause_passes_the_save_check_and_renders_with_samples(
    ja, code, applies_to, body
):
    sandbox.check_body(body, applies_to)
    assert sandbox.paragraphs(sandbox.render_body(body, placeholder_list.sample_values(applies_to)))
