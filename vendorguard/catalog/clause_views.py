"""Clause library pages: list, detail with versions, new, edit (a new version), approve, preview."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.arrangements.models import ArrangementKind
from vendorguard.auth.permissions import require
from vendorguard.auth.signin import require_recent_auth
from vendorguard.catalog import (
    clause_services,
    exports,
    placeholder_list,
    queries,
    sandbox,
    services,
)
from vendorguard.catalog.blueprint import bp
from vendorguard.catalog.forms import ClauseForm, PreviewForm, applies_to_choices
from vendorguard.catalog.models import Clause, ClauseStatus, ClauseVersion
from vendorguard.catalog.views import _enum_arg
from vendorguard.core import list_export
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.web import search_term, show_domain_error, sorting
from vendorguard.extensions import db

SORTS = {
    "order": (Clause.applies_to, Clause.sort_order, Clause.code),
    "code": (Clause.code,),
    "title": (Clause.title, Clause.code),
}


def _clause_or_404(clause_id: int, with_versions: bool = False) -> Clause:
    if with_versions:
        clause = db.session.scalars(queries.clause_detail(clause_id)).unique().first()
    else:
        clause = db.session.get(Clause, clause_id)
    if clause is None:
        abort(404)
    return clause


def _fill_choices(form: ClauseForm, kind: ArrangementKind | str | None) -> None:
    requirements = db.session.scalars(queries.active_requirements(kind)).all()
    prefix = kind is None  # a new clause: every kind is offered, so say which kind each one is
    form.requirement_codes.choices = [
        (r.code, f"{'［' + r.applies_to_label + '］' if prefix else ''}{r.code} {r.title_ja}")
        for r in requirements
    ]
    preview_kind = kind or ArrangementKind.ENGAGEMENT
    form.preview_arrangement.choices = [(0, _("（見本データ）"))] + [
        (row.id, row.title) for row in db.session.execute(queries.preview_choices(preview_kind))
    ]


def _data(form: ClauseForm) -> clause_services.ClauseData:
    data = clause_services.ClauseData(
        title=form.title.data or "",
        heading=form.heading.data or "",
        body=form.body.data or "",
        requirement_codes=list(form.requirement_codes.data or []),
        sort_order=form.sort_order.data or 0,
        note=form.note.data or "",
    )
    if "code" in form:
        data.code, data.applies_to = form.code.data or "", form.applies_to.data or ""
    return data


def _preview(
    body: str, kind: ArrangementKind | str, arrangement_id: int | None
) -> tuple[list[str], str]:
    """Paragraphs and an error message (one of them empty) for the preview area."""
    arrangement = None
    if arrangement_id:
        arrangement = services.load_arrangement(db.session, arrangement_id)
        if arrangement is None:
            return [], _("プレビューに使う案件が見つかりません。")
    try:
        return clause_services.preview(db.session, body, kind, arrangement), ""
    except DomainError as error:
        return [], error.message


@bp.route("/clauses/")
@require("catalog.view")
def clauses():
    """The clause library: search, filter by arrangement kind, archived on request."""
    term = search_term()
    applies_to = _enum_arg("applies_to", ArrangementKind)
    include_archived = request.args.get("archived") == "1"
    sort = sorting(SORTS, "order")
    stmt = sort.apply(queries.clause_list(term, applies_to, include_archived))
    if fmt := list_export.requested_format():
        return list_export.respond(fmt, stmt, exports.CLAUSES, "catalog.clauses")
    page = paginate(stmt)
    return render_template(
        "catalog/clauses.html",
        page=page,
        sort=sort,
        term=term,
        applies_to=applies_to,
        include_archived=include_archived,
        applies_to_choices=applies_to_choices(),
    )


@bp.route("/clauses/<int:clause_id>")
@require("catalog.view")
def clause_detail(clause_id: int):
    """One clause with all its versions: which is in use, which are drafts, what each covers."""
    clause = _clause_or_404(clause_id, with_versions=True)
    samples = {}
    for version in clause.versions:
        if version.status != ClauseStatus.RETIRED:
            try:
                samples[version.id] = sandbox.paragraphs(
                    sandbox.render_body(
                        version.body, placeholder_list.sample_values(clause.applies_to)
                    )
                )
            except sandbox.ClauseBodyError as error:
                samples[version.id] = [error.message]
    return render_template("catalog/clause_detail.html", clause=clause, samples=samples)


@bp.route("/clauses/new", methods=["GET", "POST"])
@require("catalog.manage")
def clause_new():
    """Add a clause; its first version is a draft until approved."""
    form = ClauseForm(creating=True)
    kind = _enum_value(form.applies_to.data) if request.method == "POST" else None
    _fill_choices(form, None)
    paragraphs, preview_error = [], ""
    if request.method == "POST" and form.preview.data:
        paragraphs, preview_error = _preview(
            form.body.data or "", kind or ArrangementKind.ENGAGEMENT, form.preview_arrangement.data
        )
    elif form.validate_on_submit():
        try:
            clause = clause_services.create_clause(db.session, _data(form), current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "条項「%(title)s」を下書き（第1版）として登録しました。承認すると文書に使われます。",
                    title=clause.title,
                ),
                "success",
            )
            return redirect(url_for("catalog.clause_detail", clause_id=clause.id))
    return render_template(
        "catalog/clause_form.html",
        form=form,
        clause=None,
        base_version=None,
        paragraphs=paragraphs,
        preview_error=preview_error,
        kind=kind,
        placeholders=placeholder_list.PLACEHOLDERS,
        filters=sandbox.ALLOWED_FILTERS,
    )


def _enum_value(value: str | None) -> ArrangementKind | None:
    try:
        return ArrangementKind(value or "")
    except ValueError:
        return None


@bp.route("/clauses/<int:clause_id>/edit", methods=["GET", "POST"])
@require("catalog.manage")
def clause_edit(clause_id: int):
    """Edit a clause: a changed heading, text or coverage is saved as a new draft version."""
    clause = _clause_or_404(clause_id)
    base = clause_services.latest_version(db.session, clause)
    form = ClauseForm()
    if request.method == "GET":
        form.title.data, form.sort_order.data = clause.title, clause.sort_order
        if base is not None:
            form.heading.data, form.body.data = base.title, base.body
            form.requirement_codes.data = base.requirement_codes
    _fill_choices(form, clause.applies_to)
    paragraphs: list[str] = []
    preview_error = ""
    if request.method == "POST" and form.preview.data:
        paragraphs, preview_error = _preview(
            form.body.data or "", clause.applies_to, form.preview_arrangement.data
        )
    elif form.validate_on_submit():
        try:
            version = clause_services.revise_clause(db.session, clause, _data(form), current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            if version is None:
                flash(
                    _(
                        "条項「%(title)s」を更新しました（本文に変更がないため、新しい版は作っていません）。",
                        title=clause.title,
                    ),
                    "success",
                )
            else:
                flash(
                    _(
                        "条項「%(title)s」の第%(number)d版を下書きとして保存しました。承認すると文書に使われます。",
                        title=clause.title,
                        number=version.number,
                    ),
                    "success",
                )
            return redirect(url_for("catalog.clause_detail", clause_id=clause.id))
    return render_template(
        "catalog/clause_form.html",
        form=form,
        clause=clause,
        base_version=base,
        paragraphs=paragraphs,
        preview_error=preview_error,
        kind=clause.applies_to,
        placeholders=placeholder_list.placeholders_for(clause.applies_to),
        filters=sandbox.ALLOWED_FILTERS,
    )


@bp.route("/clauses/preview", methods=["POST"])
@require("catalog.manage")
def clause_preview():
    """Render a body for the live preview (JSON); nothing is saved."""
    form = PreviewForm()
    if not form.validate():
        return jsonify(
            ok=False,
            paragraphs=[],
            error=_("プレビューの要求が正しくありません。画面を開き直してください。"),
        ), 400
    paragraphs, error = _preview(
        form.body.data or "", form.applies_to.data, form.preview_arrangement.data
    )
    return jsonify(ok=not error, paragraphs=paragraphs, error=error)


@bp.route("/clauses/versions/<int:version_id>/approve", methods=["POST"])
@require("catalog.manage")
@require_recent_auth
def version_approve(version_id: int):
    """Approve a draft version; the version in use until now is retired."""
    version = db.session.get(ClauseVersion, version_id)
    if version is None:
        abort(404)
    clause_id = version.clause_id
    try:
        clause_services.approve_version(db.session, version, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "第%(number)d版を承認しました。これから作成する文書にはこの版が使われます。",
                number=version.number,
            ),
            "success",
        )
    return redirect(url_for("catalog.clause_detail", clause_id=clause_id))


@bp.route("/clauses/<int:clause_id>/archive", methods=["POST"])
@require("catalog.manage")
def clause_archive(clause_id: int):
    """Take a clause out of use (nothing with history is deleted)."""
    clause = _clause_or_404(clause_id)
    try:
        clause_services.archive_clause(db.session, clause)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "条項「%(title)s」をアーカイブしました。文書には使われなくなります。",
                title=clause.title,
            ),
            "success",
        )
    return redirect(url_for("catalog.clause_detail", clause_id=clause.id))


@bp.route("/clauses/<int:clause_id>/restore", methods=["POST"])
@require("catalog.manage")
def clause_restore(clause_id: int):
    """Undo an archive."""
    clause = _clause_or_404(clause_id)
    clause_services.restore_clause(db.session, clause)
    db.session.commit()
    flash(_("条項「%(title)s」を元に戻しました。", title=clause.title), "success")
    return redirect(url_for("catalog.clause_detail", clause_id=clause.id))
