"""Engagement register pages; subcontractors and information items have their own view modules."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func

from vendorguard.arrangements.access import detail_panels
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.permissions import can_change, ensure_can_change, require
from vendorguard.contractors.models import Contractor
from vendorguard.core import list_export
from vendorguard.core.errors import DomainError
from vendorguard.core.forms import blank_choice
from vendorguard.core.pagination import paginate_kept
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import search_term, show_domain_error, sorting
from vendorguard.engagements import exports, queries, services
from vendorguard.engagements.blueprint import bp
from vendorguard.engagements.forms import EngagementForm
from vendorguard.engagements.models import Engagement, NetworkSegment, RiskTier
from vendorguard.engagements.steps import step_list
from vendorguard.extensions import db
from vendorguard.org import queries as org_queries
from vendorguard.org.models import Department

MANAGE = "engagement.manage"
SORTS = {
    "start": (Engagement.starts_on, Engagement.id),
    "end": (Engagement.ends_on, Engagement.id),
    "title": (Engagement.title, Engagement.id),
    "number": (func.coalesce(Engagement.contract_number, ""), Engagement.id),
    "contractor": (Contractor.name_kana, Engagement.id),
}


def engagement_or_404(engagement_id: int) -> Engagement:
    """The engagement with this id, or a 404 page."""
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None:
        abort(404)
    return engagement


def engagement_for_change(engagement_id: int) -> Engagement:
    """The engagement, after checking the user may change its department's records (else 403)."""
    engagement = engagement_or_404(engagement_id)
    ensure_can_change(MANAGE, engagement.department_id)
    return engagement


def detail_url(engagement: Engagement) -> str:
    """Where to go back to after a change."""
    return url_for("engagements.detail", engagement_id=engagement.id)


def refuse_if_archived(engagement: Engagement):
    """A redirect to the detail page, with the reason, when the engagement is archived; else None."""
    try:
        services.ensure_not_archived(engagement)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(detail_url(engagement))
    return None


def _int_arg(name: str, low: int, high: int) -> int | None:
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None


def _enum_arg(name: str, enum_cls):
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None


def _filters() -> queries.EngagementFilters:
    return queries.EngagementFilters(
        term=search_term(),
        department_id=_int_arg("department", 1, 2**31 - 1),
        contractor_id=_int_arg("contractor", 1, 2**31 - 1),
        contractor_term=request.args.get("contractor_q", "").strip()[:100],
        state=_enum_arg("state", ArrangementState),
        personal=request.args.get("personal") == "1",
        my_number=request.args.get("my_number") == "1",
        segment=_enum_arg("segment", NetworkSegment),
        tier=_enum_arg("tier", RiskTier),
        ending_within=_int_arg("ending_within", 0, 3650),
        starting_fy=_int_arg("starting_fy", 1900, 2200),
        include_archived=request.args.get("archived") == "1",
    )


@bp.route("/")
@require("engagement.view")
def index():
    """List engagements: search, filters that other pages link to, sorting and pagination."""
    filters = _filters()
    sort = sorting(SORTS, "start", default_descending=True)  # newest contracts first
    today = today_tokyo()
    if fmt := list_export.requested_format():
        stmt = sort.apply(queries.engagement_list(filters, today))
        return list_export.respond(fmt, stmt, exports.ENGAGEMENTS, "engagements.index")
    page = paginate_kept(
        (filters, today, sort.key, sort.descending),
        lambda: (
            sort.apply(queries.engagement_list(filters, today)).options(*queries.LIST_PAGE_COLUMNS),
            sort.apply(queries.engagement_keys(filters, today, sort.key)),
        ),
    )
    departments = db.session.execute(org_queries.department_choices()).all()
    # The contractor filter is a type-ahead (2,000 companies do not fit a drop-down): only the
    # chosen one is read, for its name in the field.
    chosen = db.session.get(Contractor, filters.contractor_id) if filters.contractor_id else None
    return render_template(
        "engagements/index.html",
        page=page,
        sort=sort,
        filters=filters,
        departments=departments,
        chosen_contractor=chosen,
        states=list(ArrangementState),
        segments=list(NetworkSegment),
        tiers=list(RiskTier),
    )


@bp.route("/contractor-options.json")
@require("engagement.view")
def contractor_options():
    """Up to 20 contractors matching ``q`` as JSON, for the list's contractor type-ahead."""
    term = search_term()
    rows = db.session.execute(queries.contractor_options(term)).all() if term else []
    return jsonify([{"id": row.id, "name": row.name} for row in rows])


@bp.route("/<int:engagement_id>")
@require("engagement.view")
def detail(engagement_id: int):
    """One engagement with its information items, subcontractors and approvals."""
    engagement = db.session.scalars(queries.engagement_detail(engagement_id)).unique().one_or_none()
    if engagement is None:
        abort(404)
    panels = detail_panels(db.session, engagement, current_user)
    return render_template(
        "engagements/detail.html",
        engagement=engagement,
        can_manage=can_change(current_user, MANAGE, engagement.department_id),
        parents={sub.id: sub.name for sub in engagement.subcontractors},
        **panels,
        **step_list(db.session, engagement, panels["panel_steps"]),
    )


def _fill_choices(form: EngagementForm, engagement: Engagement | None = None) -> None:
    keep = engagement.department_id if engagement else None
    departments = [
        d
        for d in db.session.scalars(org_queries.active_departments())
        if can_change(current_user, MANAGE, d.id)
    ]
    if engagement is not None and all(d.id != keep for d in departments):
        current = db.session.get(Department, keep)
        if current is not None and can_change(current_user, MANAGE, current.id):
            departments.append(
                current
            )  # an archived department stays selectable for its old records
    form.department_id.choices = [(d.id, d.name) for d in departments]
    if len(departments) != 1:
        form.department_id.choices.insert(0, blank_choice())
    officers = db.session.scalars(
        queries.responsible_officers(engagement.responsible_officer_id if engagement else None)
    ).all()
    form.responsible_officer_id.choices = [blank_choice(_("（未設定）"))] + [
        (
            u.id,
            _("%(name)s（%(department)s）", name=u.name, department=u.department.name)
            if u.department
            else u.name,
        )
        for u in officers
    ]
    contractors = db.session.scalars(
        queries.active_contractors(engagement.contractor_id if engagement else None)
    ).all()
    form.contractor_id.choices = [blank_choice()] + [(c.id, c.name) for c in contractors]


def _guard_department(form: EngagementForm) -> None:
    # A tampered department id is a permission problem, not a typing mistake: answer 403.
    if form.is_submitted() and form.department_id.data is not None:
        ensure_can_change(MANAGE, form.department_id.data)


def _data(form: EngagementForm) -> services.EngagementData:
    values = {name: form[name].data for name in services.ENGAGEMENT_FIELDS}
    for name in ("contract_number", *services.TEXT_FIELDS):
        values[name] = values[name] or ""
    return services.EngagementData(**values)


@bp.route("/new", methods=["GET", "POST"])
@require(MANAGE)
def new():
    """Register an engagement."""
    form = EngagementForm()
    _fill_choices(form)
    if not form.is_submitted() and len(form.department_id.choices) == 1:
        form.department_id.data = form.department_id.choices[0][0]
    _guard_department(form)
    if form.validate_on_submit():
        try:
            engagement = services.create_engagement(db.session, _data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("業務委託「%(title)s」を登録しました。", title=engagement.title), "success")
            return redirect(detail_url(engagement))
    return render_template("engagements/form.html", form=form, engagement=None)


@bp.route("/<int:engagement_id>/edit", methods=["GET", "POST"])
@require(MANAGE)
def edit(engagement_id: int):
    """Change an engagement."""
    engagement = engagement_for_change(engagement_id)
    refused = refuse_if_archived(engagement)
    if refused:
        return refused
    form = EngagementForm(obj=engagement)
    _fill_choices(form, engagement)
    _guard_department(form)
    if form.validate_on_submit():
        try:
            services.update_engagement(db.session, engagement, _data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("業務委託「%(title)s」を更新しました。", title=engagement.title), "success")
            return redirect(detail_url(engagement))
    return render_template("engagements/form.html", form=form, engagement=engagement)


@bp.route("/<int:engagement_id>/archive", methods=["POST"])
@require(MANAGE)
def archive(engagement_id: int):
    """Archive an engagement (nothing with history is deleted)."""
    engagement = engagement_for_change(engagement_id)
    try:
        services.archive_engagement(db.session, engagement)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("業務委託「%(title)s」をアーカイブしました。", title=engagement.title), "success")
    return redirect(detail_url(engagement))


@bp.route("/<int:engagement_id>/restore", methods=["POST"])
@require(MANAGE)
def restore(engagement_id: int):
    """Undo an archive."""
    engagement = engagement_for_change(engagement_id)
    try:
        services.restore_engagement(db.session, engagement)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("業務委託「%(title)s」を元に戻しました。", title=engagement.title), "success")
    return redirect(detail_url(engagement))
