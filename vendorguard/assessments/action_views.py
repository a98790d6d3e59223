"""Action pages: the list with filters, add, edit, close with a resolution, reopen."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.arrangements import access
from vendorguard.arrangements.access import arrangement_url
from vendorguard.arrangements.models import Arrangement
from vendorguard.assessments import exports, queries, services
from vendorguard.assessments.blueprint import bp
from vendorguard.assessments.forms import ActionForm, CloseForm
from vendorguard.assessments.models import Action, ActionStatus, Assessment
from vendorguard.assessments.views import assessment_or_404, may_work_on, owner_choices
from vendorguard.auth.models import User
from vendorguard.auth.permissions import require
from vendorguard.core import list_export
from vendorguard.core.concurrency import parse_version
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import search_term, show_domain_error, sorting
from vendorguard.extensions import db
from vendorguard.org.queries import active_departments

SORTS = {
    "due": (Action.due_on, Action.id),
    "created": (Action.created_at, Action.id),
    "arrangement": (Arrangement.title, Action.due_on, Action.id),
}
STATUS_ARGS = {"open": ActionStatus.OPEN, "closed": ActionStatus.CLOSED, "all": None}


def _filters() -> queries.ActionFilters:
    kind = request.args.get("kind", "")
    return queries.ActionFilters(
        term=search_term(),
        status=STATUS_ARGS.get(request.args.get("status", "open"), ActionStatus.OPEN),
        overdue=request.args.get("overdue") == "1",
        owner_id=current_user.id if request.args.get("mine") == "1" else None,
        department_id=request.args.get("department", type=int),
        kind=kind if kind in {spec.value for spec in access.readable_kinds(current_user)} else None,
    )


@bp.route("/actions/")
@require("dashboard.view")
def actions():
    """Actions the user may read: open by default; overdue, mine, by department or kind on request."""
    today = today_tokyo()
    filters = _filters()
    sort = sorting(SORTS, "due")
    stmt = sort.apply(queries.action_list(current_user, filters, today))
    if fmt := list_export.requested_format():
        return list_export.respond(fmt, stmt, exports.ACTIONS, "assessments.actions")
    page = paginate(stmt)
    kinds = access.readable_kinds(current_user)
    return render_template(
        "assessments/actions.html",
        page=page,
        sort=sort,
        filters=filters,
        today=today,
        status_arg=request.args.get("status", "open")
        if request.args.get("status") in STATUS_ARGS
        else "open",
        departments=db.session.scalars(active_departments()).all(),
        kinds=kinds,
        may_work_on=may_work_on,
        arrangement_url=arrangement_url,
    )


def _action_or_404(action_id: int) -> tuple[Action, Assessment, Arrangement]:
    action = db.session.get(Action, action_id)
    if action is None:
        abort(404)
    assessment, arrangement = assessment_or_404(action.assessment_id)
    return action, assessment, arrangement


def _ensure_may_work_on(action: Action, arrangement: Arrangement) -> None:
    if not may_work_on(action, arrangement):
        abort(403)


def _back(action: Action) -> str:
    return url_for(
        "assessments.detail", assessment_id=action.assessment_id, _anchor=f"action-{action.id}"
    )


@bp.route("/<int:assessment_id>/actions/new", methods=["GET", "POST"])
@require("dashboard.view")
def action_new(assessment_id: int):
    """Add an action to an assessment (a finding noticed after it was recorded)."""
    assessment, arrangement = assessment_or_404(assessment_id)
    access.ensure_can_manage(arrangement)
    form = ActionForm(data=None if request.method == "POST" else {"owner_id": current_user.id})
    owner_choices(form.owner_id, arrangement.kind)
    if form.validate_on_submit():
        try:
            action = services.add_action(
                db.session,
                assessment,
                arrangement,
                services.ActionData(
                    finding=form.finding.data or "",
                    owner_id=form.owner_id.data,
                    due_on=form.due_on.data,
                    contractor_response=form.contractor_response.data or "",
                ),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("措置を追加しました。"), "success")
            return redirect(_back(action))
    return render_template(
        "assessments/action_form.html",
        form=form,
        action=None,
        assessment=assessment,
        arrangement=arrangement,
    )


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@require("dashboard.view")
def action_edit(action_id: int):
    """Change an open action. Its person in charge without rights on the arrangement records the
    contractor's response only."""
    action, assessment, arrangement = _action_or_404(action_id)
    _ensure_may_work_on(action, arrangement)
    if not action.is_open and request.method == "GET":
        flash(_("完了した措置は編集できません。内容を変えるには、先に再開してください。"), "info")
        return redirect(_back(action))
    full = access.can_manage(current_user, arrangement)
    form = ActionForm(obj=action)
    if full:
        owner_choices(form.owner_id, arrangement.kind, keep_id=action.owner_id)
    else:
        del form.finding, form.owner_id, form.due_on
    if form.validate_on_submit():
        data = services.ActionData(
            finding=form.finding.data if full else action.finding,
            owner_id=form.owner_id.data if full else action.owner_id,
            due_on=form.due_on.data if full else action.due_on,
            contractor_response=form.contractor_response.data or "",
        )
        try:
            services.update_action(
                db.session, action, assessment, arrangement, data, version=form.expected_version
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("措置を更新しました。"), "success")
            return redirect(_back(action))
    owner = db.session.get(User, action.owner_id)
    return render_template(
        "assessments/action_form.html",
        form=form,
        action=action,
        assessment=assessment,
        arrangement=arrangement,
        owner_name=owner.name if owner else "",
    )


@bp.route("/actions/<int:action_id>/close", methods=["GET", "POST"])
@require("dashboard.view")
def action_close(action_id: int):
    """Close an action: what was done is required."""
    action, assessment, arrangement = _action_or_404(action_id)
    _ensure_may_work_on(action, arrangement)
    if not action.is_open and request.method == "GET":
        flash(_("この措置は既に完了しています。"), "info")
        return redirect(_back(action))
    form = CloseForm(
        data=None
        if request.method == "POST"
        else {"closed_on": today_tokyo(), "resolution": action.resolution}
    )
    if form.validate_on_submit():
        try:
            services.close_action(
                db.session,
                action,
                assessment,
                form.resolution.data or "",
                form.closed_on.data,
                current_user,
                version=form.expected_version,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("措置を完了にしました。"), "success")
            return redirect(_back(action))
    return render_template(
        "assessments/action_close.html",
        form=form,
        action=action,
        assessment=assessment,
        arrangement=arrangement,
        arrangement_url=arrangement_url(arrangement),
    )


@bp.route("/actions/<int:action_id>/reopen", methods=["POST"])
@require("dashboard.view")
def action_reopen(action_id: int):
    """Reopen a closed action."""
    action, assessment, arrangement = _action_or_404(action_id)
    _ensure_may_work_on(action, arrangement)
    try:
        services.reopen_action(
            db.session, action, assessment, version=parse_version(request.form.get("version"))
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("措置を再開しました。"), "success")
    return redirect(_back(action))
