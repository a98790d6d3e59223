"""Use application pages: filing (and renewing) with the checklist, approval, rejection, withdrawal, history."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from vendorguard.approvals import web as approval_web
from vendorguard.approvals.forms import ApproveUntilForm
from vendorguard.auth.permissions import ensure_can_change, require
from vendorguard.cloud import application_services, queries
from vendorguard.cloud.application_services import ApplicationData, ChecklistChanged, checklist_key
from vendorguard.cloud.blueprint import bp
from vendorguard.cloud.forms import UseApplicationForm, application_form
from vendorguard.cloud.models import CloudService, CloudUseApplication, TermsType
from vendorguard.cloud.views import render_detail, service_or_404
from vendorguard.core.errors import DomainError
from vendorguard.core.forms import options
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db


def _detail_url(service: CloudService) -> str:
    return url_for("cloud.detail", service_id=service.id)


def _pending(service: CloudService):
    return db.session.scalars(queries.pending_application(service.id)).first()


def _refuse_apply(service: CloudService):
    """A redirect with the reason when no application can be filed now, else None."""
    if service.is_archived:
        flash(_("アーカイブ済みの外部サービスは申請できません。"), "error")
        return redirect(_detail_url(service))
    if _pending(service) is not None:
        flash(_("この外部サービスは既に申請中です。審査の結果をお待ちください。"), "info")
        return redirect(_detail_url(service))
    return None


def _facts_asked(levels, service: CloudService, prefill: dict) -> tuple[bool, TermsType]:
    """The sensitivity and terms the form is about: as submitted, else as prefilled, else the register's."""
    source = request.form if request.method == "POST" else prefill
    level_id = str(source.get("confidentiality_level_id") or "")
    level = next((lv for lv in levels if str(lv.id) == level_id), None)
    high = (
        level.is_high_confidentiality if level is not None else service.handles_high_confidentiality
    )
    try:
        terms = TermsType(source.get("terms_type") or "")
    except ValueError:
        terms = service.terms_type
    return high, terms


def _application_data(form: UseApplicationForm) -> ApplicationData:
    return ApplicationData(
        purpose=form.purpose.data or "",
        data_description=form.data_description.data or "",
        confidentiality_level_id=form.confidentiality_level_id.data or None,
        users_description=form.users_description.data or "",
        data_location=form.data_location.data or "",
        terms_type=TermsType(form.terms_type.data),
        answers={
            requirement.code: (answer.data or "", note.data or "")
            for requirement, answer, note in form.checklist
        },
    )


def _build_form(service: CloudService):
    levels = db.session.scalars(queries.active_confidentiality_levels()).all()
    last = db.session.scalars(queries.last_filed_application(service.id)).first()
    prefill = application_services.prefill(service, last, {level.id for level in levels})
    high, terms = _facts_asked(levels, service, prefill)
    requirements = application_services.checklist_requirements(db.session, service, high, terms)
    form = application_form(requirements, data=prefill)
    form.confidentiality_level_id.choices = options(
        [(0, _("選んでください"))]
        + [
            (
                level.id,
                _("%(label)s（機密性2以上）", label=level.label)
                if level.is_high_confidentiality
                else level.label,
            )
            for level in levels
        ]
    )
    return form, ",".join(requirement.code for requirement in requirements), last


@bp.route("/<int:service_id>/apply", methods=["GET", "POST"])
@require("cloud.manage")
def apply(service_id: int):
    """File a use application with its checklist; a renewal starts from the last application."""
    service = service_or_404(service_id)
    ensure_can_change("cloud.manage", service.department_id)
    refused = _refuse_apply(service)
    if refused is not None:
        return refused
    form, codes, last = _build_form(service)
    # The checklist depends on the sensitivity and terms chosen: when they change it, ask again.
    changed = request.method == "POST" and form.checklist_codes.data != codes
    refresh = request.method == "POST" and "refresh" in request.form
    form.checklist_codes.data = codes
    if not (changed or refresh) and form.validate_on_submit():
        try:
            application_services.submit(db.session, service, current_user, _application_data(form))
        except ChecklistChanged as error:
            db.session.rollback()
            flash(error.message, "warning")
            changed = True
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _("外部サービス「%(name)s」の利用を申請しました。", name=service.title), "success"
            )
            return redirect(_detail_url(service))
        service = service_or_404(service_id)
    return render_template(
        "cloud/apply.html",
        form=form,
        service=service,
        last=last,
        checklist_changed=changed,
        renewal=service.approval_valid_until is not None,
        key=checklist_key,
    )


DECISIONS = approval_web.DecisionPages(
    load=service_or_404,
    approve=application_services.approve,
    reject=application_services.reject,
    approved=_l("外部サービス「%(name)s」の利用を承認しました。"),
    rejected=_l("外部サービス「%(name)s」の利用申請を却下しました。"),
    detail_url=_detail_url,
    show_again=lambda service_id, **forms: render_detail(service_or_404(service_id), **forms),
    approve_form=ApproveUntilForm,
    request_model=CloudUseApplication,
    nothing_pending=_l("審査中の利用申請がありません。"),
)


@bp.route("/<int:service_id>/approve", methods=["POST"])
@require("cloud.approve")
def approve(service_id: int):
    """The security office approves the application under review, with a valid-until date."""
    return approval_web.approve_page(DECISIONS, service_id)


@bp.route("/<int:service_id>/reject", methods=["POST"])
@require("cloud.approve")
def reject(service_id: int):
    """The security office rejects the application under review; a reason is required."""
    return approval_web.reject_page(DECISIONS, service_id)


@bp.route("/<int:service_id>/withdraw", methods=["POST"])
@require("cloud.manage")
def withdraw(service_id: int):
    """The department takes back its application before the decision."""
    service = service_or_404(service_id)
    ensure_can_change("cloud.manage", service.department_id)
    try:
        application_services.withdraw(db.session, service, _pending(service), current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _("外部サービス「%(name)s」の利用申請を取り下げました。", name=service.title), "success"
        )
    return redirect(_detail_url(service))


@bp.route("/<int:service_id>/applications")
@require("cloud.view")
def applications(service_id: int):
    """Every use application of a service with its checklist and decision, newest first."""
    service = service_or_404(service_id)
    history = db.session.scalars(queries.applications(service.id)).all()
    return render_template("cloud/applications.html", service=service, history=history)
