"""Cloud service register pages: list, detail, create/edit, archive (use applications: application_views)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.approvals import services as approvals
from vendorguard.approvals.forms import ApproveUntilForm, RejectForm
from vendorguard.approvals.models import ApprovalState
from vendorguard.approvals.panel import ApprovalPanel
from vendorguard.arrangements.access import detail_panels
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.permissions import can_change, ensure_can_change, require
from vendorguard.auth.roles import ALL_DEPARTMENTS, Role
from vendorguard.cloud import assurance, exports, queries, services
from vendorguard.cloud.blueprint import bp
from vendorguard.cloud.forms import CloudServiceForm
from vendorguard.cloud.models import CloudService, TermsType
from vendorguard.core import list_export, settings
from vendorguard.core.errors import DomainError
from vendorguard.core.forms import options
from vendorguard.core.pagination import paginate_kept
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import search_term, show_domain_error, sorting
from vendorguard.extensions import db
from vendorguard.ismap import matching
from vendorguard.ismap.matching import IsmapStatus
from vendorguard.ismap.models import IsmapKind
from vendorguard.org.models import Department
from vendorguard.org.queries import active_departments, department_choices

SORTS = {
    "name": (CloudService.title, CloudService.id),
    "provider": (queries.PROVIDER_SORT, CloudService.title, CloudService.id),
    "approval": (queries.APPROVAL_ORDER, CloudService.title, CloudService.id),
    "updated": (CloudService.updated_at, CloudService.id),
}


def service_or_404(service_id: int) -> CloudService:
    """The service with what its pages show, or 404."""
    service = db.session.scalars(queries.cloud_service_detail(service_id)).first()
    if service is None:
        abort(404)
    return service


def _enum_arg(name: str, enum_cls):
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None


def _filters() -> queries.CloudFilters:
    return queries.CloudFilters(
        term=search_term(),
        department_id=request.args.get("department", type=int),
        terms_type=_enum_arg("terms", TermsType),
        high_only=request.args.get("high") == "1",
        approval=_enum_arg("approval", ApprovalState),
        ismap_status=_enum_arg("ismap_status", IsmapStatus),
        risk_only=request.args.get("risk") == "1",
        include_archived=request.args.get("archived") == "1",
    )


def _department_choices(current: Department | None = None) -> list[tuple[int, str]]:
    """Every department for the security office; only one's own for a department's staff."""
    if Role(current_user.role) in ALL_DEPARTMENTS["cloud.manage"]:
        departments = list(db.session.scalars(active_departments()))
    else:
        own = (
            db.session.get(Department, current_user.department_id)
            if current_user.department_id
            else None
        )
        departments = [own] if own is not None and not own.is_archived else []
    if current is not None and current not in departments:
        departments.insert(0, current)
    return options([(0, _("選んでください"))] + [(d.id, d.name) for d in departments])


def _prepare(form: CloudServiceForm, service: CloudService | None) -> None:
    """Fill the drop-downs; a record's current (perhaps archived) choices stay selectable."""
    form.department_id.choices = _department_choices(service.department if service else None)
    staff = list(db.session.scalars(queries.manager_candidates()))
    if (
        service
        and service.responsible_officer is not None
        and service.responsible_officer not in staff
    ):
        staff.insert(0, service.responsible_officer)
    form.responsible_officer_id.choices = options(
        [(0, _("（未指定）"))]
        + [(u.id, f"{u.name}（{u.department.name}）" if u.department else u.name) for u in staff]
    )
    contractors = list(db.session.scalars(queries.provider_candidates()))
    if (
        service
        and service.provider_contractor is not None
        and service.provider_contractor not in contractors
    ):
        contractors.insert(0, service.provider_contractor)
    form.provider_contractor_id.choices = options(
        [(0, _("（台帳にない事業者）"))] + [(c.id, c.name) for c in contractors]
    )
    departments = list(db.session.scalars(active_departments()))
    for linked in service.using_departments if service else []:
        if linked not in departments:
            departments.append(linked)
    form.using_department_ids.choices = options((d.id, d.name) for d in departments)


def _data(form: CloudServiceForm) -> services.CloudServiceData:
    return services.CloudServiceData(
        title=form.title.data or "",
        department_id=form.department_id.data,
        provider_name=form.provider_name.data or "",
        provider_contractor_id=form.provider_contractor_id.data or None,
        responsible_officer_id=form.responsible_officer_id.data or None,
        service_url=form.service_url.data or "",
        purpose=form.purpose.data or "",
        using_department_ids=list(form.using_department_ids.data or []),
        handles_high_confidentiality=bool(form.handles_high_confidentiality.data),
        terms_type=TermsType(form.terms_type.data),
        data_location=form.data_location.data or "",
        governing_law=form.governing_law.data or "",
        jurisdiction=form.jurisdiction.data or "",
        ismap_kind=IsmapKind(form.ismap_kind.data) if form.ismap_kind.data else None,
        ismap_registration_number=form.ismap_registration_number.data or "",
        state=ArrangementState(form.state.data),
        next_review_on=form.next_review_on.data,
    )


@bp.route("/")
@require("cloud.view")
def index():
    """List cloud services with their ISMAP status: search, filters, sort; risky ones flagged."""
    filters = _filters()
    sort = sorting(SORTS, "name")
    if fmt := list_export.requested_format():
        stmt = sort.apply(queries.cloud_list(filters))
        return list_export.respond(fmt, stmt, exports.CLOUD_SERVICES, "cloud.index")
    page = paginate_kept(
        (filters, today_tokyo(), sort.key, sort.descending),  # cloud_list reads the day
        lambda: (sort.apply(queries.cloud_list(filters, queries.LIST_PAGE_COLUMNS)), None),
    )
    standings = assurance.standings(db.session, page.items)
    return render_template(
        "cloud/index.html",
        page=page,
        sort=sort,
        filters=filters,
        standings=standings,
        risk_reasons=assurance.risk_reasons,
        departments=db.session.execute(department_choices()).all(),
        approval_states=list(ApprovalState),
        terms_types=list(TermsType),
        ismap_statuses=list(IsmapStatus),
    )


def approval_panel(
    service: CloudService,
    history,
    approve_form: ApproveUntilForm | None = None,
    reject_form: RejectForm | None = None,
) -> ApprovalPanel:
    """The use-approval panel of the detail page."""
    if approve_form is None:
        months = settings.current().cloud_approval_months
        approve_form = ApproveUntilForm(
            formdata=None, approval_valid_until=approvals.default_valid_until(months)
        )
    can_edit = can_change(current_user, "cloud.manage", service.department_id)
    return ApprovalPanel(
        subject=service,
        history=history,
        approve_url=url_for("cloud.approve", service_id=service.id),
        reject_url=url_for("cloud.reject", service_id=service.id),
        withdraw_url=url_for("cloud.withdraw", service_id=service.id) if can_edit else None,
        history_url=url_for("cloud.applications", service_id=service.id),
        approve_form=approve_form,
        reject_form=reject_form or RejectForm(formdata=None),
        can_decide=current_user.can("cloud.approve"),
        renewal_days=approvals.renewal_due(service),
        heading=_("利用承認"),
        pending_heading=_("審査中の利用申請"),
        empty_text=_("利用申請はまだありません。"),
        no_request_text=_("申請書のない申請です。所管課に利用申請書の提出を依頼してください。"),
        history_text=_("利用申請の履歴"),
    )


def render_detail(
    service: CloudService,
    approve_form: ApproveUntilForm | None = None,
    reject_form: RejectForm | None = None,
    status: int = 200,
):
    """The detail page: register entries, ISMAP standing, the application under review and decisions."""
    standing = assurance.standing(db.session, service)
    suggestions = (
        []
        if standing.registration is not None
        else matching.suggest_registrations(db.session, service.title, service.provider_label)
    )
    history = db.session.scalars(queries.applications(service.id)).all()
    approval = approval_panel(service, history, approve_form, reject_form)
    today = today_tokyo()
    return render_template(
        "cloud/detail.html",
        service=service,
        standing=standing,
        suggestions=suggestions,
        risk_reasons=assurance.risk_reasons(service, standing),
        approval=approval,
        pending=approval.pending,
        renewal_days=approval.renewal_days,
        can_edit=can_change(current_user, "cloud.manage", service.department_id),
        status_of=lambda registration: matching.status_for(registration, today),
        **detail_panels(db.session, service, current_user),
    ), status


@bp.route("/<int:service_id>")
@require("cloud.view")
def detail(service_id: int):
    """One cloud service with its ISMAP standing, approval and what needs attention."""
    return render_detail(service_or_404(service_id))


@bp.route("/new", methods=["GET", "POST"])
@require("cloud.manage")
def new():
    """Register a cloud service."""
    form = CloudServiceForm()
    if request.method == "GET" and current_user.department_id:
        form.department_id.data = current_user.department_id
    _prepare(form, None)
    if form.validate_on_submit():
        ensure_can_change("cloud.manage", form.department_id.data)
        try:
            service = services.create_service(db.session, _data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("外部サービス「%(name)s」を登録しました。", name=service.title), "success")
            return redirect(url_for("cloud.detail", service_id=service.id))
    return render_template("cloud/form.html", form=form, service=None)


@bp.route("/<int:service_id>/edit", methods=["GET", "POST"])
@require("cloud.manage")
def edit(service_id: int):
    """Change a cloud service."""
    service = service_or_404(service_id)
    ensure_can_change("cloud.manage", service.department_id)
    if service.is_archived:
        flash(_("アーカイブ済みの外部サービスは編集できません。"), "error")
        return redirect(url_for("cloud.detail", service_id=service.id))
    form = CloudServiceForm(
        obj=service, using_department_ids=[d.id for d in service.using_departments]
    )
    _prepare(form, service)
    if form.validate_on_submit():
        ensure_can_change("cloud.manage", form.department_id.data)
        was_approved = service.approval_state == ApprovalState.APPROVED
        try:
            services.update_service(db.session, service, _data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("外部サービス「%(name)s」を更新しました。", name=service.title), "success")
            if was_approved and service.approval_state == ApprovalState.NOT_APPLIED:
                flash(
                    _(
                        "機密性の区分または契約形態が変わったため、利用承認を取り消しました。新しい内容で利用申請を行ってください。"
                    ),
                    "warning",
                )
            return redirect(url_for("cloud.detail", service_id=service.id))
    return render_template("cloud/form.html", form=form, service=service)


def _change(service_id: int, action, done: str, permission: str = "cloud.manage"):
    """Run a one-click change (archive, restore, apply) and come back to the detail page."""
    service = service_or_404(service_id)
    ensure_can_change(permission, service.department_id)
    try:
        action(db.session, service)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done % {"name": service.title}, "success")
    return redirect(url_for("cloud.detail", service_id=service_id))


@bp.route("/<int:service_id>/archive", methods=["POST"])
@require("cloud.manage")
def archive(service_id: int):
    """Archive a service (nothing with history is deleted)."""
    return _change(
        service_id, services.archive_service, _("外部サービス「%(name)s」をアーカイブしました。")
    )


@bp.route("/<int:service_id>/restore", methods=["POST"])
@require("cloud.manage")
def restore(service_id: int):
    """Undo an archive."""
    return _change(
        service_id, services.restore_service, _("外部サービス「%(name)s」を元に戻しました。")
    )
