"""The condition builder: every shipped rule loads into it and saves back identical; rows in words."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from vendorguard.auth.roles import Role
from vendorguard.catalog import rule_builder
from vendorguard.catalog.models import Requirement
from vendorguard.catalog.seed import REQUIREMENTS
from vendorguard.extensions import db


class FormFields(HTMLParser):
    """What a browser would post from a page's first POST form (no JS; <template> skipped)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: MultiDict = MultiDict()
        self.in_form = self.done = False
        self.template_depth = 0
        self.select: dict | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.done:
            return
        if tag == "form" and a.get("method") == "post":
            self.in_form = True
        if not self.in_form:
            return
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.add(a["name"], a.get("value", "on" if a.get("type") == "checkbox" else ""))
        elif tag == "select":
            self.select = {"name": a["name"], "first": None, "chosen": []}
        elif tag == "option" and self.select is not None:
            if self.select["first"] is None:
                self.select["first"] = a.get("value", "")
            if "selected" in a:
                self.select["chosen"].append(a.get("value", ""))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data.add(a["name"], "")

    def handle_data(self, data):
        if self.textarea and not self.template_depth:
            name = self.textarea
            self.data.setlist(name, [self.data.getlist(name)[-1] + data])

    def handle_endtag(self, tag):
        if tag == "template" and self.template_depth:
            self.template_depth -= 1
        elif tag == "select" and self.select is not None and not self.template_depth:
            for value in self.select["chosen"] or [self.select["first"]]:
                self.data.add(self.select["name"], value)
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.in_form:
            self.done = True


def form_of(html: str) -> MultiDict:
    """The fields of the main content's first POST form, as the browser sends them."""
    parser = FormFields()
    parser.feed(html.split("<main", 1)[1])
    return parser.data


def _set(data: MultiDict, values: dict) -> None:
    for key, value in values.items():
        data[key] = value  # replaces (MultiDict.update would add a second value)


def _requirement(code: str) -> Requirement:
    return db.session.scalars(select(Requirement).where(Requirement.code == code)).one()


def test_every_shipped_rule_loads_into_the_builder_and_back(app):
    for code, *_rest, rule in REQUIREMENTS:
        builder = rule_builder.from_rule(rule)
        assert builder is not None and builder.mode != "json", code
        assert rule_builder.to_rule(builder) == rule, code
        # and as posted from the form's fields
        posted = MultiDict({"rule_mode": builder.mode})
        for number, row in enumerate(builder.rows):
            posted.add(f"cond-{number}-fact", row.fact)
            posted.add(f"cond-{number}-op", row.op)
            for value in row.values:
                posted.add(f"cond-{number}-value", value)
            if row.negate:
                posted.add(f"cond-{number}-negate", "y")
        assert rule_builder.to_rule(rule_builder.from_form(posted)) == rule, code


def test_nested_rules_stay_json():
    nested = {"any": [{"all": [{"always": True}, {"always": True}]}, {"always": True}]}
    assert rule_builder.from_rule(nested) is None
    assert rule_builder.from_rule({"all": [{"always": True}]}) is None


def _one_code_per_shape() -> list[str]:
    def shape(rule):
        for key in ("all", "any"):
            if key in rule:
                return key + "[" + ",".join(shape(item) for item in rule[key]) + "]"
        return "not" if "not" in rule else ("always" if "always" in rule else rule["op"])

    codes: dict[str, str] = {}
    for code, *_rest, rule in REQUIREMENTS:
        codes.setdefault(shape(rule), code)
    return sorted(codes.values())


@pytest.mark.parametrize("code", _one_code_per_shape())
def test_edit_page_saves_a_shipped_rule_back_identical(client, make, login_as, catalog, code):
    login_as(make.user(Role.ADMIN))
    requirement = _requirement(code)
    before = json.dumps(requirement.rule, sort_keys=True)
    html = client.get(f"/catalog/requirements/{requirement.id}/edit").get_data(as_text=True)
    data = form_of(html)
    assert data["rule_mode"] != "json"  # shown as rows, not as code
    data["rule_action"] = "save"
    data["rule"] = ""  # the JSON box is not what the builder saves
    response = client.post(f"/catalog/requirements/{requirement.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    db.session.expire_all()
    assert json.dumps(_requirement(code).rule, sort_keys=True) == before


def test_rows_are_checked_shown_in_words_and_saved(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    requirement = _requirement("OUT-08")
    url = f"/catalog/requirements/{requirement.id}/edit"
    data = form_of(client.get(url).get_data(as_text=True))
    stored = dict(requirement.rule)
    for key in [k for k in data if k.startswith("cond-")]:
        data.poplist(key)
    _set(
        data,
        {
            "rule_mode": "all",
            "cond-0-fact": "handles_personal_info",
            "cond-0-op": "is",
            "cond-0-value": "true",
            "cond-1-fact": "has_subcontractors",
            "cond-1-op": "is",
            "cond-1-value": "true",
            "rule_action": "check",
        },
    )
    html = client.post(url, data=data).get_data(as_text=True)
    assert "次のすべてに該当する場合：個人情報を取り扱う、再委託先がある" in html
    assert 'name="cond-2-fact"' in html  # a blank row to add the next one
    db.session.expire_all()
    assert _requirement("OUT-08").rule == stored  # checking saves nothing

    bad = data.copy()
    _set(bad, {"cond-1-op": "eq", "rule_action": "save"})
    html = client.post(url, data=bad).get_data(as_text=True)
    assert "2行目：「再委託先の有無」に使える演算子を選んでください" in html
    assert 'class="field span-2 rule-builder field-error"' in html
    db.session.expire_all()
    assert _requirement("OUT-08").rule == stored

    _set(data, {"rule_action": "save", "cond-1-negate": "y"})
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert _requirement("OUT-08").rule == {
        "all": [
            {"fact": "handles_personal_info", "op": "is", "value": True},
            {"not": {"fact": "has_subcontractors", "op": "is", "value": True}},
        ]
    }


def test_choice_values_and_in_operator(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    requirement = _requirement("CL-01")
    url = f"/catalog/requirements/{requirement.id}/edit"
    data = form_of(client.get(url).get_data(as_text=True))
    for key in [k for k in data if k.startswith("cond-")]:
        data.poplist(key)
    _set(data, {"rule_mode": "any", "rule_action": "save", "cond-0-fact": "terms_type"})
    _set(data, {"cond-0-op": "in"})
    data.setlist("cond-0-value", ["standard_terms", "contract"])
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    assert _requirement("CL-01").rule == {
        "fact": "terms_type",
        "op": "in",
        "value": ["standard_terms", "contract"],
    }
    html = client.get(url).get_data(as_text=True)
    assert 'name="cond-0-value" data-rule-value aria-label="値" multiple' in html


def test_builder_in_the_english_ui(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    client.post("/language", data={"locale": "en", "next": "/"})
    requirement = _requirement("OUT-08")
    html = client.get(f"/catalog/requirements/{requirement.id}/edit").get_data(as_text=True)
    builder = html.split("data-rule-builder")[1].split("<details")[0]
    for japanese in ("適用条件", "条件を確認", "いずれか", "この行を使わない", "否定"):
        assert japanese not in builder, japanese
