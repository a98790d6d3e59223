"""Social-media account register pages: list, detail, guided create/edit, archive, approval.

Procedure files, attestations and incidents live in their own modules on the same blueprint.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from vendorguard.approvals import queries as approval_queries
from vendorguard.approvals import web as approval_web
from vendorguard.approvals.forms import ApproveForm, RejectForm
from vendorguard.approvals.models import ApprovalRequest, ApprovalState
from vendorguard.approvals.panel import ApprovalPanel
from vendorguard.arrangements.access import can_view, detail_panels
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.permissions import can_change, ensure_can_change, require
from vendorguard.auth.roles import ALL_DEPARTMENTS, Role
from vendorguard.cloud.queries import manager_candidates
from vendorguard.core import list_export, settings
from vendorguard.core.errors import DomainError
from vendorguard.core.forms import options
from vendorguard.core.pagination import paginate_kept, viewer_key
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import search_term, show_domain_error, sorting
from vendorguard.extensions import db
from vendorguard.org.models import Department
from vendorguard.org.queries import active_departments, department_choices
from vendorguard.social import exports, queries, services
from vendorguard.social.blueprint import bp
from vendorguard.social.forms import MFA_VALUES, ProcedureUploadForm, SocialAccountForm, mfa_choice
from vendorguard.social.models import IncidentStatus, Platform, SocialAccount

SORTS = {
    "title": (SocialAccount.title, SocialAccount.id),
    "platform": (SocialAccount.platform, SocialAccount.title, SocialAccount.id),
    "department": (Department.name_kana, SocialAccount.title, SocialAccount.id),
    "updated": (SocialAccount.updated_at, SocialAccount.id),
}
TEXT_FIELDS = (
    "title",
    "platform_other",
    "handle",
    "account_url",
    "operators",
    "purpose",
    "posting_rules",
    "operating_procedure",
    "official_list_url",
    "credential_custodian",
    "recovery_contact",
)


def attestation_months() -> int:
    """How often owners attest (SNS_ATTESTATION_MONTHS, default 6)."""
    return settings.current().sns_attestation_months


def _account_or_404(account_id: int) -> SocialAccount:
    """The account, or 404 when it does not exist or is another department's draft."""
    account = db.session.scalars(queries.account_detail(account_id)).first()
    if account is None or not can_view(current_user, account):
        abort(404)
    return account


def _enum_arg(name: str, enum_cls):
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None


def _filters() -> queries.SocialFilters:
    return queries.SocialFilters(
        term=search_term(),
        department_id=request.args.get("department", type=int),
        platform=_enum_arg("platform", Platform),
        approval=_enum_arg("approval", ApprovalState),
        mfa_off=request.args.get("mfa_off") == "1",
        incomplete=request.args.get("incomplete") == "1",
        overdue=request.args.get("overdue") == "1",
        include_archived=request.args.get("archived") == "1",
    )


def _prepare(form: SocialAccountForm, account: SocialAccount | None) -> None:
    """Fill the drop-downs: every department for the security office, else one's own."""
    if Role(current_user.role) in ALL_DEPARTMENTS["social.manage"]:
        departments = list(db.session.scalars(active_departments()))
    else:
        own = (
            db.session.get(Department, current_user.department_id)
            if current_user.department_id
            else None
        )
        departments = [own] if own is not None and not own.is_archived else []
    if account is not None and account.department not in departments:
        departments.insert(0, account.department)
    form.department_id.choices = options(
        [(0, _("選んでください"))] + [(d.id, d.name) for d in departments]
    )
    staff = list(db.session.scalars(manager_candidates()))
    current = account.responsible_officer if account is not None else None
    if current is not None and current not in staff:
        staff.insert(0, current)
    form.responsible_officer_id.choices = options(
        [(0, _("（未指定）"))]
        + [(u.id, f"{u.name}（{u.department.name}）" if u.department else u.name) for u in staff]
    )


def _data(form: SocialAccountForm) -> services.SocialAccountData:
    return services.SocialAccountData(
        **{name: form[name].data or "" for name in TEXT_FIELDS},
        platform=Platform(form.platform.data),
        department_id=form.department_id.data,
        responsible_officer_id=form.responsible_officer_id.data or None,
        mfa_enabled=MFA_VALUES[form.mfa.data],
        verified_badge=bool(form.verified_badge.data),
        profile_names_department=bool(form.profile_names_department.data),
        state=ArrangementState(form.state.data),
    )


@bp.route("/")
@require("social.view")
def index():
    """List the accounts the user may see: search, filters, sort; gaps flagged."""
    filters = _filters()
    sort = sorting(SORTS, "title")
    today = today_tokyo()
    if fmt := list_export.requested_format():
        stmt = sort.apply(queries.account_list(current_user, filters, today))
        return list_export.respond(fmt, stmt, exports.SOCIAL_ACCOUNTS, "social.index")
    page = paginate_kept(
        (viewer_key(current_user), filters, today, sort.key, sort.descending),
        lambda: (
            sort.apply(queries.account_list(current_user, filters, today)).options(
                *queries.LIST_PAGE_COLUMNS
            ),
            None,
        ),
    )
    return render_template(
        "social/index.html",
        page=page,
        sort=sort,
        filters=filters,
        today=today,
        departments=db.session.execute(department_choices()).all(),
        platforms=list(Platform),
        approval_states=list(ApprovalState),
    )


def _approval_panel(
    account: SocialAccount,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
) -> ApprovalPanel:
    return ApprovalPanel(
        subject=account,
        history=db.session.scalars(approval_queries.requests_of(account.id)).all(),
        approve_url=url_for("social.approve", account_id=account.id),
        reject_url=url_for("social.reject", account_id=account.id),
        approve_form=approve_form or ApproveForm(formdata=None),
        reject_form=reject_form or RejectForm(formdata=None),
        can_decide=current_user.can("social.approve"),
    )


def _render_detail(
    account: SocialAccount,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
):
    incidents = db.session.scalars(queries.incidents_for(account.id)).all()
    return render_template(
        "social/detail.html",
        account=account,
        approval=_approval_panel(account, approve_form, reject_form),
        upload_form=ProcedureUploadForm(formdata=None),
        can_edit=can_change(current_user, "social.manage", account.department_id),
        procedure_files=db.session.scalars(queries.procedure_files(account.id)).all(),
        attestation=db.session.scalars(queries.latest_attestation(account.id)).first(),
        open_incidents=[i for i in incidents if i.status == IncidentStatus.OPEN],
        incident_count=len(incidents),
        months=attestation_months(),
        today=today_tokyo(),
        **detail_panels(db.session, account, current_user),
    )


@bp.route("/<int:account_id>")
@require("social.view")
def detail(account_id: int):
    """One account with what the policy still asks of it."""
    return _render_detail(_account_or_404(account_id))


@bp.route("/new", methods=["GET", "POST"])
@require("social.manage")
def new():
    """Register an account."""
    form = SocialAccountForm()
    if request.method == "GET" and current_user.department_id:
        form.department_id.data = current_user.department_id
    _prepare(form, None)
    if form.validate_on_submit():
        ensure_can_change("social.manage", form.department_id.data)
        try:
            account = services.create_account(db.session, _data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("アカウント「%(name)s」を登録しました。", name=account.title), "success")
            return redirect(url_for("social.detail", account_id=account.id))
    return render_template("social/form.html", form=form, account=None)


@bp.route("/<int:account_id>/edit", methods=["GET", "POST"])
@require("social.manage")
def edit(account_id: int):
    """Change an account."""
    account = _account_or_404(account_id)
    ensure_can_change("social.manage", account.department_id)
    if account.is_archived:
        flash(_("アーカイブ済みのアカウントは編集できません。"), "error")
        return redirect(url_for("social.detail", account_id=account.id))
    form = SocialAccountForm(obj=account)
    if request.method == "GET":
        form.mfa.data = mfa_choice(account.mfa_enabled)
    _prepare(form, account)
    if form.validate_on_submit():
        ensure_can_change("social.manage", form.department_id.data)
        try:
            withdrawn = services.update_account(db.session, account, _data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("アカウント「%(name)s」を更新しました。", name=account.title), "success")
            if withdrawn:
                flash(
                    _(
                        "公開一覧に載る項目（名称・プラットフォーム・ID・URL・所管課）を変更したため、承認が取り消されました。"
                        "内容を確認のうえ、もう一度承認を申請してください。"
                    ),
                    "warning",
                )
            return redirect(url_for("social.detail", account_id=account.id))
    return render_template("social/form.html", form=form, account=account)


def _change(account_id: int, action, done: str):
    """Run a one-click change (archive, restore, apply) and come back to the detail page."""
    account = _account_or_404(account_id)
    ensure_can_change("social.manage", account.department_id)
    try:
        action(db.session, account)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done % {"name": account.title}, "success")
    return redirect(url_for("social.detail", account_id=account_id))


@bp.route("/<int:account_id>/archive", methods=["POST"])
@require("social.manage")
def archive(account_id: int):
    """Archive an account (nothing with history is deleted)."""
    return _change(
        account_id, services.archive_account, _("アカウント「%(name)s」をアーカイブしました。")
    )


@bp.route("/<int:account_id>/restore", methods=["POST"])
@require("social.manage")
def restore(account_id: int):
    """Undo an archive."""
    return _change(
        account_id, services.restore_account, _("アカウント「%(name)s」を元に戻しました。")
    )


@bp.route("/<int:account_id>/apply", methods=["POST"])
@require("social.manage")
def apply(account_id: int):
    """File the department's application for the account."""
    return _change(
        account_id,
        lambda session, account: services.apply_for_approval(session, account, current_user),
        _("アカウント「%(name)s」の承認を申請しました。"),
    )


DECISIONS = approval_web.DecisionPages(
    load=_account_or_404,
    approve=lambda session, account, pending, approver, decision: services.approve(
        session, account, pending, approver, decision, attestation_months=attestation_months()
    ),
    reject=services.reject,
    request_model=ApprovalRequest,
    approved=_l("アカウント「%(name)s」を承認しました。"),
    rejected=_l("アカウント「%(name)s」の申請を却下しました。"),
    detail_url=lambda account: url_for("social.detail", account_id=account.id),
    show_again=lambda account_id, **forms: _render_detail(_account_or_404(account_id), **forms),
)


@bp.route("/<int:account_id>/approve", methods=["POST"])
@require("social.approve")
def approve(account_id: int):
    """The security office approves the account."""
    return approval_web.approve_page(DECISIONS, account_id)


@bp.route("/<int:account_id>/reject", methods=["POST"])
@require("social.approve")
def reject(account_id: int):
    """The security office rejects the application; a reason is required."""
    return approval_web.reject_page(DECISIONS, account_id)


# The other pages of the register, registered on ``bp``.
