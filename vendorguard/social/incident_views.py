"""Hijack / impersonation incidents and their response checklist (on the ``social`` blueprint)."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.auth.permissions import can_change, ensure_can_change, require
from vendorguard.core import list_export
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import TOKYO
from vendorguard.core.web import search_term, show_domain_error, sorting
from vendorguard.extensions import db
from vendorguard.social import exports, incident_services, queries
from vendorguard.social.blueprint import bp
from vendorguard.social.forms import CloseIncidentForm, IncidentForm, StepForm
from vendorguard.social.models import IncidentKind, IncidentStatus, SocialAccount, SocialIncident
from vendorguard.social.views import _account_or_404, _enum_arg

SORTS = {
    "detected": (SocialIncident.detected_at, SocialIncident.id),
    "account": (SocialAccount.title, SocialIncident.id),
    "status": (SocialIncident.status, SocialIncident.detected_at, SocialIncident.id),
}


def _incident_or_404(incident_id: int) -> SocialIncident:
    """The incident, or 404 when it does not exist or its account is another department's draft."""
    incident = db.session.scalars(queries.incident_detail(incident_id)).first()
    if incident is None:
        abort(404)
    _account_or_404(incident.account_id)
    return incident


@bp.route("/incidents/")
@require("social.view")
def incidents():
    """Incidents of the accounts the user may see: open ones first by default."""
    filters = queries.IncidentFilters(
        term=search_term(),
        status=_enum_arg("status", IncidentStatus),
        kind=_enum_arg("kind", IncidentKind),
        account_id=request.args.get("account", type=int),
    )
    sort = sorting(SORTS, "detected", default_descending=True)
    stmt = sort.apply(queries.incident_list(current_user, filters))
    if fmt := list_export.requested_format():
        return list_export.respond(fmt, stmt, exports.INCIDENTS, "social.incidents")
    page = paginate(stmt)
    return render_template(
        "social/incidents.html",
        page=page,
        sort=sort,
        filters=filters,
        statuses=list(IncidentStatus),
        kinds=list(IncidentKind),
    )


@bp.route("/<int:account_id>/incidents/new", methods=["GET", "POST"])
@require("social.manage")
def incident_new(account_id: int):
    """Record a hijack or impersonation and start its response checklist."""
    account = _account_or_404(account_id)
    ensure_can_change("social.manage", account.department_id)
    form = IncidentForm()
    if request.method == "GET":
        form.detected_at.data = datetime.now(TOKYO).replace(second=0, microsecond=0, tzinfo=None)
    if form.validate_on_submit():
        # The person types Japan time; it is stored in UTC.
        detected_at = form.detected_at.data.replace(tzinfo=TOKYO)
        data = incident_services.IncidentData(
            kind=IncidentKind(form.kind.data),
            detected_at=detected_at,
            description=form.description.data or "",
        )
        try:
            incident = incident_services.record_incident(db.session, account, current_user, data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("事案を記録しました。対応手順を順に進めてください。"), "success")
            return redirect(url_for("social.incident_detail", incident_id=incident.id))
    return render_template("social/incident_form.html", account=account, form=form)


def _render_detail(incident: SocialIncident, close_form: CloseIncidentForm | None = None):
    return render_template(
        "social/incident_detail.html",
        incident=incident,
        account=incident.account,
        close_form=close_form or CloseIncidentForm(formdata=None),
        step_form=StepForm(formdata=None),
        can_edit=can_change(current_user, "social.manage", incident.account.department_id),
    )


@bp.route("/incidents/<int:incident_id>")
@require("social.view")
def incident_detail(incident_id: int):
    """An incident with its checklist: who did each step and when."""
    return _render_detail(_incident_or_404(incident_id))


@bp.route("/incidents/<int:incident_id>/step", methods=["POST"])
@require("social.manage")
def incident_step(incident_id: int):
    """Check one step as done, or undo the check."""
    incident = _incident_or_404(incident_id)
    ensure_can_change("social.manage", incident.account.department_id)
    form = StepForm()
    if form.validate_on_submit():
        try:
            step = incident_services.mark_step(
                db.session,
                incident,
                form.step.data or "",
                current_user,
                done=form.done.data != "0",
                note=form.note.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            message = (
                _("「%(step)s」を完了にしました。")
                if step.is_done
                else _("「%(step)s」を未完了に戻しました。")
            )
            flash(message % {"step": step.step.label}, "success")
    else:
        flash(_("メモは2000文字以内で入力してください。"), "error")
    return redirect(url_for("social.incident_detail", incident_id=incident_id))


@bp.route("/incidents/<int:incident_id>/close", methods=["POST"])
@require("social.manage")
def incident_close(incident_id: int):
    """Close the incident (all steps done, or a note on why not)."""
    incident = _incident_or_404(incident_id)
    ensure_can_change("social.manage", incident.account.department_id)
    form = CloseIncidentForm()
    if form.validate_on_submit():
        try:
            incident_services.close_incident(
                db.session, incident, current_user, form.closing_note.data or ""
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("事案を完了にしました。"), "success")
            return redirect(url_for("social.incident_detail", incident_id=incident_id))
    return _render_detail(_incident_or_404(incident_id), close_form=form)
