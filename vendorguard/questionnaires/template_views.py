"""Template pages: the library, a version with its questions, and the admin's forms (no JSON)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from vendorguard.arrangements.kinds import registered_kinds
from vendorguard.auth.permissions import require
from vendorguard.catalog import queries as catalog_queries
from vendorguard.catalog import rule_facts, rules
from vendorguard.core.errors import DomainError
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db
from vendorguard.questionnaires import queries, template_services
from vendorguard.questionnaires.blueprint import bp
from vendorguard.questionnaires.forms import QuestionForm, SectionForm, TemplateForm, VersionForm
from vendorguard.questionnaires.models import (
    Question,
    QuestionnaireTemplate,
    TemplateVersion,
)


def _version(version_id: int) -> TemplateVersion:
    version = db.session.scalars(queries.version_with_questions(version_id)).unique().first()
    if version is None:
        abort(404)
    return version


@bp.route("/templates")
@require("catalog.view")
def templates():
    """Every questionnaire template and its versions."""
    return render_template(
        "questionnaires/templates.html",
        templates=db.session.scalars(queries.templates()).unique().all(),
    )


@bp.route("/templates/new", methods=["GET", "POST"])
@require("catalog.manage")
def template_new():
    """A new template (an empty draft to fill in)."""
    form = TemplateForm()
    form.applies_to.choices = [(spec.value, str(spec.label)) for spec in registered_kinds()]
    if form.validate_on_submit():
        try:
            version = template_services.create_template(
                db.session, form.code.data, form.title.data, form.applies_to.data, current_user
            )
            db.session.commit()
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("点検票を作成しました。区分と設問を追加してください。"), "success")
            return redirect(url_for("questionnaires.version", version_id=version.id))
    return render_template("questionnaires/template_new.html", form=form)


@bp.route("/versions/<int:version_id>")
@require("catalog.view")
def version(version_id: int):
    """A version's sections and questions."""
    found = _version(version_id)
    versions = db.session.scalars(
        select(TemplateVersion)
        .where(TemplateVersion.template_id == found.template_id)
        .order_by(TemplateVersion.number.desc())
    ).all()
    return render_template(
        "questionnaires/version.html",
        version=found,
        versions=versions,
        describe=lambda rule: (
            rules.describe(rule, found.template.applies_to)
            if not any(str(k).startswith("answer:") for k in _facts(rule))
            else _("前の設問の回答による")
        ),
    )


def _facts(rule) -> list[str]:
    if "fact" in rule:
        return [rule["fact"]]
    return [name for item in rule.get("all", []) for name in _facts(item)]


@bp.route("/versions/<int:version_id>/edit", methods=["GET", "POST"])
@require("catalog.manage")
def version_edit(version_id: int):
    """A draft's title, instructions and change note."""
    found = _version(version_id)
    form = VersionForm(obj=found)
    if form.validate_on_submit():
        try:
            template_services.update_version(
                db.session, found, form.title.data, form.instructions.data, form.note.data
            )
            db.session.commit()
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("保存しました。"), "success")
            return redirect(url_for("questionnaires.version", version_id=version_id))
    return render_template("questionnaires/version_edit.html", form=form, version=found)


@bp.route("/versions/<int:version_id>/sections/new", methods=["GET", "POST"])
@require("catalog.manage")
def section_new(version_id: int):
    """Add a section to a draft."""
    found = _version(version_id)
    form = SectionForm()
    if form.validate_on_submit():
        try:
            template_services.save_section(
                db.session, found, None, form.title.data, form.position.data or 0
            )
            db.session.commit()
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("区分を追加しました。"), "success")
            return redirect(url_for("questionnaires.version", version_id=version_id))
    return render_template("questionnaires/section_form.html", form=form, version=found)


def _fill_question(form: QuestionForm, version: TemplateVersion, question: Question | None) -> None:
    kind = version.template.applies_to
    form.section_id.choices = [(s.id, s.title) for s in version.sections]
    form.requirement_code.choices = [("", _("（すべての案件）"))] + [
        (r.code, f"{r.code} {r.title_ja}")
        for r in db.session.scalars(catalog_queries.active_requirements(kind))
    ]
    facts = [f for f in rule_facts.facts_available(kind) if f.type == "bool"]
    form.fact.choices = [("", _("（条件なし）"))] + [
        choice
        for f in facts
        for choice in ((f"{f.name}:true", str(f.when_true)), (f"{f.name}:false", str(f.when_false)))
    ]
    form.after_code.choices = [("", _("（条件なし）"))] + [
        (q.code, f"{q.code} {q.text[:40]}")
        for s in version.sections
        for q in s.questions
        if question is None or q.id != question.id
    ]


def _load_question_form(form: QuestionForm, question: Question) -> None:
    form.choices.data = "\n".join(question.choices)
    form.finding_answers.data = "\n".join(question.finding_answers)
    tests = question.condition.get("all", [question.condition])
    for test in tests:
        name = str(test.get("fact", ""))
        if name.startswith("answer:"):
            form.after_code.data, form.after_value.data = name[7:], str(test.get("value", ""))
        elif name:
            form.fact.data = f"{name}:{'true' if test.get('value') else 'false'}"


def _question_data(form: QuestionForm) -> template_services.QuestionData:
    return template_services.QuestionData(
        section_id=form.section_id.data or 0,
        code=form.code.data or "",
        text=form.text.data or "",
        qtype=form.qtype.data or "",
        help=form.help.data or "",
        choices=(form.choices.data or "").splitlines(),
        required=bool(form.required.data),
        attachment=form.attachment.data or "none",
        requirement_code=form.requirement_code.data or "",
        fact=form.fact.data or "",
        after_code=form.after_code.data or "",
        after_value=(form.after_value.data or "").strip(),
        weight=form.weight.data or 0,
        finding_answers=(form.finding_answers.data or "").splitlines(),
        position=form.position.data or 0,
    )


@bp.route("/versions/<int:version_id>/questions/new", methods=["GET", "POST"])
@bp.route("/versions/<int:version_id>/questions/<int:question_id>", methods=["GET", "POST"])
@require("catalog.manage")
def question_edit(version_id: int, question_id: int | None = None):
    """Add or change a question of a draft."""
    found = _version(version_id)
    question = None
    if question_id is not None:
        question = db.session.get(Question, question_id)
        if question is None or question.version_id != found.id:
            abort(404)
    form = QuestionForm(obj=question)
    _fill_question(form, found, question)
    if question is not None and not form.is_submitted():
        _load_question_form(form, question)
    if form.validate_on_submit():
        try:
            template_services.save_question(db.session, found, question, _question_data(form))
            db.session.commit()
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("設問を保存しました。"), "success")
            return redirect(url_for("questionnaires.version", version_id=version_id))
    return render_template(
        "questionnaires/question_form.html", form=form, version=found, question=question
    )


@bp.route("/versions/<int:version_id>/questions/<int:question_id>/delete", methods=["POST"])
@require("catalog.manage")
def question_delete(version_id: int, question_id: int):
    """Remove a question from a draft."""
    found = db.session.get(TemplateVersion, version_id)
    question = db.session.get(Question, question_id)
    if found is None or question is None or question.version_id != found.id:
        abort(404)
    try:
        template_services.delete_question(db.session, found, question)
        db.session.commit()
        flash(_("設問を削除しました。"), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("questionnaires.version", version_id=version_id))


@bp.route("/versions/<int:version_id>/approve", methods=["POST"])
@require("catalog.manage")
def version_approve(version_id: int):
    """Approve a draft; the version in use is retired."""
    found = db.session.get(TemplateVersion, version_id)
    if found is None:
        abort(404)
    try:
        template_services.approve(db.session, found, current_user)
        db.session.commit()
        flash(_("この版を承認しました。以後の送付はこの版を使います。"), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("questionnaires.version", version_id=version_id))


@bp.route("/templates/<int:template_id>/draft", methods=["POST"])
@require("catalog.manage")
def template_draft(template_id: int):
    """Start a new draft copied from the newest version."""
    template = db.session.get(QuestionnaireTemplate, template_id)
    if template is None:
        abort(404)
    try:
        draft = template_services.new_draft(db.session, template, current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("questionnaires.templates"))
    flash(_("新しい版（下書き）を作成しました。"), "success")
    return redirect(url_for("questionnaires.version", version_id=draft.id))
