"""Certificate pages of a contractor (ISMS, Privacy Mark …), registered on the contractors blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from vendorguard.auth.permissions import require
from vendorguard.contractors import services
from vendorguard.contractors.blueprint import bp
from vendorguard.contractors.forms import CertificationForm
from vendorguard.contractors.models import Certification, Contractor
from vendorguard.contractors.views import contractor_or_404
from vendorguard.core.errors import DomainError
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db

FIELDS = ("kind", "kind_other", "number", "issuer", "scope", "valid_from", "valid_until")


def _certification_or_404(contractor: Contractor, certification_id: int) -> Certification:
    certification = db.session.get(Certification, certification_id)
    # An id that belongs to another contractor is as unknown here as one that does not exist.
    if certification is None or certification.contractor_id != contractor.id:
        abort(404)
    return certification


def _data(form: CertificationForm) -> services.CertificationData:
    return services.CertificationData(**{name: form[name].data for name in FIELDS})


def _back(contractor_id: int):
    return redirect(
        url_for("contractors.detail", contractor_id=contractor_id, _anchor="certifications")
    )


@bp.route("/<int:contractor_id>/certifications/new", methods=["GET", "POST"])
@require("contractor.manage")
def certification_new(contractor_id: int):
    """Record a certificate the contractor holds."""
    contractor = contractor_or_404(contractor_id)
    form = CertificationForm()
    if form.validate_on_submit():
        try:
            certification = services.add_certification(db.session, contractor, _data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("認証「%(kind)s」を登録しました。", kind=certification.kind_label), "success")
            return _back(contractor_id)
    return render_template(
        "contractors/certification_form.html", form=form, contractor=contractor, certification=None
    )


@bp.route(
    "/<int:contractor_id>/certifications/<int:certification_id>/edit", methods=["GET", "POST"]
)
@require("contractor.manage")
def certification_edit(contractor_id: int, certification_id: int):
    """Change a certificate."""
    contractor = contractor_or_404(contractor_id)
    certification = _certification_or_404(contractor, certification_id)
    form = CertificationForm(obj=certification)
    if form.validate_on_submit():
        try:
            services.update_certification(db.session, contractor, certification, _data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("認証「%(kind)s」を更新しました。", kind=certification.kind_label), "success")
            return _back(contractor_id)
    return render_template(
        "contractors/certification_form.html",
        form=form,
        contractor=contractor,
        certification=certification,
    )


@bp.route("/<int:contractor_id>/certifications/<int:certification_id>/archive", methods=["POST"])
@require("contractor.manage")
def certification_archive(contractor_id: int, certification_id: int):
    """Archive a certificate (withdrawn or entered by mistake); it stays in the history."""
    contractor = contractor_or_404(contractor_id)
    certification = _certification_or_404(contractor, certification_id)
    try:
        services.archive_certification(db.session, contractor, certification)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("認証「%(kind)s」をアーカイブしました。", kind=certification.kind_label), "success")
    return _back(contractor_id)


@bp.route("/<int:contractor_id>/certifications/<int:certification_id>/restore", methods=["POST"])
@require("contractor.manage")
def certification_restore(contractor_id: int, certification_id: int):
    """Undo a certificate's archive."""
    contractor = contractor_or_404(contractor_id)
    certification = _certification_or_404(contractor, certification_id)
    try:
        services.restore_certification(db.session, contractor, certification)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("認証「%(kind)s」を元に戻しました。", kind=certification.kind_label), "success")
    return _back(contractor_id)
