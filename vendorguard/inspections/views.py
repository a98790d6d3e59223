"""Inspection pages: the list with filters, the annual plan, one inspection, its photos and report."""

from __future__ import annotations

import io

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.arrangements import access
from vendorguard.assessments.models import Action
from vendorguard.auth.permissions import require
from vendorguard.auth.roles import ALL_DEPARTMENTS, Role
from vendorguard.core import list_export, settings
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import fiscal_year, today_tokyo
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db
from vendorguard.inspections import exports, planning, queries, report
from vendorguard.inspections.blueprint import bp
from vendorguard.inspections.forms import PlanForm
from vendorguard.inspections.models import Inspection, InspectionPhoto
from vendorguard.inspections.pages import detail_forms
from vendorguard.org.queries import active_departments
from vendorguard.storage.base import StorageError
from vendorguard.storage.factory import get_storage


def inspection_or_404(inspection_id: int) -> Inspection:
    """The inspection with what its page shows; its engagement readable by the current user."""
    inspection = db.session.scalars(queries.inspection_detail(inspection_id)).unique().first()
    if inspection is None:
        abort(404)
    access.ensure_can_view(inspection.arrangement)
    return inspection


def _actions(inspection: Inspection) -> list[Action]:
    """The actions its findings became (none before completion)."""
    if inspection.assessment_id is None:
        return []
    return list(db.session.scalars(queries.actions_of(inspection.assessment_id)))


def plan_scope() -> set[int] | None:
    """The departments whose engagements the current user may plan (None: every department)."""
    if Role(current_user.role) in ALL_DEPARTMENTS["engagement.manage"]:
        return None
    return {current_user.department_id} if current_user.department_id else set()


def _filters() -> queries.InspectionFilters:
    year = request.args.get("year", type=int)
    state = request.args.get("state", "")
    return queries.InspectionFilters(
        fiscal_year=year if year is not None and 2000 <= year <= 2199 else None,
        department_id=request.args.get("department", type=int),
        state=state if state in queries.STATES else None,
    )


@bp.route("/")
@require("engagement.view")
def index():
    """Inspections of the engagements the user may read, by fiscal year, department and state."""
    today = today_tokyo()
    if "year" not in request.args:  # this fiscal year unless another (or all: year=) is asked
        return redirect(url_for("inspections.index", year=fiscal_year(today), **request.args))
    filters = _filters()
    stmt = queries.inspection_list(current_user, filters, today)
    if fmt := list_export.requested_format():
        return list_export.respond(fmt, stmt, exports.INSPECTIONS, "inspections.index")
    page = paginate(stmt)
    return render_template(
        "inspections/index.html",
        page=page,
        filters=filters,
        today=today,
        this_year=fiscal_year(today),
        departments=db.session.scalars(active_departments()).all(),
        plan_form=PlanForm(formdata=None, fiscal_year=fiscal_year(today)),
        may_plan=current_user.can("engagement.manage"),
        states=[
            ("planned", _("予定")),
            ("overdue", _("期限超過")),
            ("done", _("実施済み")),
        ],
    )


@bp.route("/plan", methods=["POST"])
@require("engagement.manage")
def plan():
    """Create the fiscal year's plan for the departments the user may change (idempotent)."""
    form = PlanForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("inspections.index"))
    result = planning.plan_fiscal_year(db.session, form.fiscal_year.data, plan_scope())
    db.session.commit()
    flash(
        _(
            "%(year)d年度の実地検査計画：新たに%(created)d件を予定に入れました（既にあるもの%(existing)d件）。",
            year=result.fiscal_year,
            created=len(result.created),
            existing=result.existing,
        ),
        "success",
    )
    return redirect(url_for("inspections.index", year=result.fiscal_year))


@bp.route("/engagement/<int:engagement_id>/plan", methods=["POST"])
@require("engagement.manage")
def plan_engagement(engagement_id: int):
    """Plan this fiscal year's inspections of one engagement (idempotent)."""
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None:
        abort(404)
    access.ensure_can_manage(engagement)
    back = redirect(
        url_for("engagements.detail", engagement_id=engagement.id, _anchor="inspections")
    )
    if planning.inspections_per_year(engagement) == 0:
        flash(
            _(
                "この業務委託は、実地検査の年次計画の対象ではありません（個人情報・マイナンバーを扱わない）。"
            ),
            "error",
        )
        return back
    year = fiscal_year(today_tokyo())
    result = planning.plan_fiscal_year(db.session, year, engagement_id=engagement.id)
    db.session.commit()
    if result.created:
        flash(_("%(year)d年度の実地検査を予定に入れました。", year=year), "success")
    elif result.engagements == 0:
        flash(
            _("契約期間が今年度に掛からないか、有効な業務委託ではないため、計画できません。"),
            "error",
        )
    else:
        flash(_("今年度の実地検査は既に予定されています。"), "info")
    return back


@bp.route("/<int:inspection_id>")
@require("engagement.view")
def detail(inspection_id: int):
    """One inspection: its record, checklist, photos and findings."""
    inspection = inspection_or_404(inspection_id)
    actions = _actions(inspection)
    return render_template(
        "inspections/detail.html",
        inspection=inspection,
        engagement=inspection.arrangement,
        actions=actions,
        today=today_tokyo(),
        may_change=access.can_manage(current_user, inspection.arrangement)
        and not inspection.is_done
        and not inspection.arrangement.is_archived,
        **detail_forms(inspection),
    )


def _photo_or_404(photo_id: int) -> tuple[InspectionPhoto, Inspection]:
    photo = db.session.get(InspectionPhoto, photo_id)
    if photo is None:
        abort(404)
    return photo, inspection_or_404(photo.inspection_id)


@bp.route("/photos/<int:photo_id>")
@require("engagement.view")
def photo(photo_id: int):
    """A photo, shown in the page: its content was checked to be a JPEG or PNG when stored."""
    record, inspection = _photo_or_404(photo_id)
    try:
        data = get_storage().read_bytes(record.storage_key)
    except StorageError as error:
        flash(error.message, "error")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    response = Response(data, mimetype=record.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.route("/<int:inspection_id>/report")
@require("engagement.view")
def report_docx(inspection_id: int):
    """The inspection report (検査結果報告書) as a Word file made from the city's template."""
    inspection = inspection_or_404(inspection_id)
    actions = _actions(inspection)
    try:
        rendered = report.render(
            inspection,
            actions,
            get_storage(),
            [settings.current().contract_templates_dir],
        )
    except StorageError as error:
        flash(error.message, "error")
        return redirect(url_for("inspections.detail", inspection_id=inspection.id))
    return send_file(
        io.BytesIO(rendered.data),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        as_attachment=True,
        download_name=rendered.filename,
    )
