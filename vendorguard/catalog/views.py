"""Requirement catalog pages; clauses live in ``clause_views``, coverage in ``coverage_views``."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from vendorguard.arrangements.models import ArrangementKind
from vendorguard.auth.permissions import require
from vendorguard.catalog import exports, queries, rule_builder, rule_facts, rules, services
from vendorguard.catalog.blueprint import bp
from vendorguard.catalog.forms import RequirementForm, applies_to_choices, kind_choices
from vendorguard.catalog.models import Requirement, RequirementKind
from vendorguard.core import list_export
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.web import search_term, show_domain_error, sorting
from vendorguard.extensions import db

SORTS = {
    "order": (Requirement.applies_to, Requirement.sort_order, Requirement.code),
    "code": (Requirement.code,),
    "kind": (Requirement.kind, Requirement.sort_order, Requirement.code),
}


def _enum_arg(name: str, enum_cls):
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None


def _enum_arg_value(value: str | None, enum_cls):
    try:
        return enum_cls(value or "")
    except ValueError:
        return None


def _requirement_or_404(requirement_id: int) -> Requirement:
    requirement = db.session.get(Requirement, requirement_id)
    if requirement is None:
        abort(404)
    return requirement


def _rule_text(form: RequirementForm, builder: rule_builder.Builder) -> str:
    """The rule as JSON text: typed as JSON, or built from the rows (RuleError names the row)."""
    if builder.mode == "json":
        return form.rule.data or ""
    return json.dumps(rule_builder.to_rule(builder), ensure_ascii=False)


def _builder(stored: dict | None) -> rule_builder.Builder:
    """The builder as posted, or the stored rule's (JSON when the rows cannot express it)."""
    if request.method == "POST":
        builder = rule_builder.from_form(request.form)
        if request.form.get("rule_action") == "add":
            builder.rows.append(rule_builder.Row())
        return builder
    if stored is None:
        return rule_builder.Builder("always")
    return rule_builder.from_rule(stored) or rule_builder.Builder("json")


def _builder_context(builder: rule_builder.Builder, kind) -> dict:
    return {
        "builder": builder,
        "builder_rows": builder.rows + [rule_builder.Row()] * rule_builder.BLANK_ROWS,
        "builder_facts": rule_builder.fact_options(kind),
        "builder_words": rule_builder.in_words(builder, kind) if builder.mode != "json" else "",
        "operator_labels": rule_builder.OPERATOR_LABELS,
    }


def _saving() -> bool:
    """Whether the post saves (「条件を確認」「条件を追加」 only redraw the builder)."""
    return request.form.get("rule_action") not in ("check", "add")


def _data(form: RequirementForm, builder: rule_builder.Builder) -> services.RequirementData:
    data = services.RequirementData(
        title_ja=form.title_ja.data or "",
        rule_text=_rule_text(form, builder),
        title_en=form.title_en.data or "",
        explanation=form.explanation.data or "",
        source=form.source.data or "",
        active=bool(form.active.data),
        sort_order=form.sort_order.data or 0,
    )
    if "code" in form:
        data.code, data.kind, data.applies_to = (
            form.code.data or "",
            form.kind.data or "",
            form.applies_to.data or "",
        )
    return data


@bp.route("/requirements/")
@require("catalog.view")
def requirements():
    """The requirement catalog: search, filter by kind and arrangement kind, sort."""
    term = search_term()
    kind = _enum_arg("kind", RequirementKind)
    applies_to = _enum_arg("applies_to", ArrangementKind)
    include_inactive = request.args.get("inactive") == "1"
    sort = sorting(SORTS, "order")
    stmt = sort.apply(queries.requirement_list(term, kind, applies_to, include_inactive))
    if fmt := list_export.requested_format():
        return list_export.respond(fmt, stmt, exports.REQUIREMENTS, "catalog.requirements")
    page = paginate(stmt)
    return render_template(
        "catalog/requirements.html",
        page=page,
        sort=sort,
        term=term,
        kind=kind,
        applies_to=applies_to,
        include_inactive=include_inactive,
        kind_choices=kind_choices(),
        applies_to_choices=applies_to_choices(),
    )


@bp.route("/requirements/<int:requirement_id>")
@require("catalog.view")
def requirement_detail(requirement_id: int):
    """One requirement: its rule in words, and the clause versions covering it."""
    requirement = _requirement_or_404(requirement_id)
    versions = (
        db.session.scalars(queries.requirement_clause_versions(requirement.id)).unique().all()
    )
    return render_template(
        "catalog/requirement_detail.html",
        requirement=requirement,
        versions=versions,
        rule_words=rules.describe(requirement.rule, requirement.applies_to),
        rule_json=RequirementForm.rule_as_text(requirement.rule),
    )


def _facts_help(kind: ArrangementKind | str | None):
    facts = (
        rule_facts.facts_available(kind) if kind is not None else list(rule_facts.FACTS.values())
    )
    return [
        (fact, rules.OPERATORS[fact.type], fact.choices() if fact.choices else {}) for fact in facts
    ]


@bp.route("/requirements/new", methods=["GET", "POST"])
@require("catalog.manage")
def requirement_new():
    """Add a requirement to the catalog."""
    form = RequirementForm(creating=True)
    if request.method == "GET":
        form.rule.data = RequirementForm.rule_as_text({"always": True})
    builder = _builder(None)
    kind = _enum_arg_value(form.applies_to.data, ArrangementKind)
    if _saving() and form.validate_on_submit():
        try:
            requirement = services.create_requirement(db.session, _data(form, builder))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("要件「%(code)s」を登録しました。", code=requirement.code), "success")
            return redirect(url_for("catalog.requirement_detail", requirement_id=requirement.id))
    return render_template(
        "catalog/requirement_form.html",
        form=form,
        requirement=None,
        facts_help=_facts_help(None),
        **_builder_context(builder, kind),
    )


@bp.route("/requirements/<int:requirement_id>/edit", methods=["GET", "POST"])
@require("catalog.manage")
def requirement_edit(requirement_id: int):
    """Change a requirement's texts and applicability rule."""
    requirement = _requirement_or_404(requirement_id)
    form = RequirementForm(obj=requirement)
    if "rule" not in request.form:  # the stored rule is a dict; the form edits its JSON text
        form.rule.data = RequirementForm.rule_as_text(requirement.rule)
    builder = _builder(requirement.rule)
    if _saving() and form.validate_on_submit():
        try:
            services.update_requirement(db.session, requirement, _data(form, builder))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("要件「%(code)s」を更新しました。", code=requirement.code), "success")
            return redirect(url_for("catalog.requirement_detail", requirement_id=requirement.id))
    return render_template(
        "catalog/requirement_form.html",
        form=form,
        requirement=requirement,
        facts_help=_facts_help(requirement.applies_to),
        rule_words=rules.describe(requirement.rule, requirement.applies_to),
        **_builder_context(builder, requirement.applies_to),
    )
