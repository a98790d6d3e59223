"""Recording an inspection: the record form, completion (findings → actions), photos."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.arrangements import access
from vendorguard.auth.permissions import require
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db
from vendorguard.inspections import services
from vendorguard.inspections.blueprint import bp
from vendorguard.inspections.forms import PhotoForm
from vendorguard.inspections.models import InspectionPhoto
from vendorguard.inspections.pages import complete_form, record_data, record_form
from vendorguard.inspections.views import inspection_or_404
from vendorguard.storage.base import StorageError
from vendorguard.storage.factory import get_storage


def _managed(inspection_id: int):
    inspection = inspection_or_404(inspection_id)
    access.ensure_can_manage(inspection.arrangement)
    return inspection


def _detail(inspection, anchor: str | None = None):
    return redirect(url_for("inspections.detail", inspection_id=inspection.id, _anchor=anchor))


@bp.route("/<int:inspection_id>/record", methods=["GET", "POST"])
@require("engagement.manage")
def record(inspection_id: int):
    """Enter the record: date, method, inspectors, each checklist item's result and notes."""
    inspection = _managed(inspection_id)
    if inspection.is_done:
        flash(_("記録を確定した実地検査は変更できません。"), "error")
        return _detail(inspection)
    form = record_form(inspection, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            services.save_record(
                db.session,
                inspection,
                inspection.arrangement,
                record_data(form, inspection),
                version=form.expected_version,
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            inspection = inspection_or_404(inspection_id)  # the rollback expired what was loaded
        else:
            db.session.commit()
            flash(_("実地検査の記録を保存しました。"), "success")
            return _detail(inspection)
    return render_template(
        "inspections/record.html",
        inspection=inspection,
        engagement=inspection.arrangement,
        form=form,
    )


@bp.route("/<int:inspection_id>/complete", methods=["POST"])
@require("engagement.manage")
def complete(inspection_id: int):
    """Complete the record: it becomes an assessment (確認) whose findings are actions (措置)."""
    inspection = _managed(inspection_id)
    form = complete_form(inspection, request.form)
    if form.validate_on_submit():
        try:
            services.complete(
                db.session,
                inspection,
                inspection.arrangement,
                current_user,
                form.owner_id.data,
                form.due_on.data,
                today=today_tokyo(),
                version=form.expected_version,
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("実地検査の記録を確定しました。"), "success")
            return _detail(inspection)
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return _detail(inspection, "complete")


@bp.route("/<int:inspection_id>/photos", methods=["POST"])
@require("engagement.manage")
def photo_upload(inspection_id: int):
    """Add a photo (its content must be a JPEG or PNG image)."""
    inspection = _managed(inspection_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return _detail(inspection, "photos")
    upload = form.file.data
    try:
        photo = services.add_photo(
            db.session,
            get_storage(),
            inspection,
            current_user,
            upload.filename or "",
            form.caption.data or "",
            upload.stream,
            max_bytes=current_app.config["MAX_CONTENT_LENGTH"],
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _detail(inspection, "photos")
    db.session.commit()
    flash(_("写真「%(name)s」を登録しました。", name=photo.filename), "success")
    return _detail(inspection, "photos")


@bp.route("/photos/<int:photo_id>/delete", methods=["POST"])
@require("engagement.manage")
def photo_delete(photo_id: int):
    """Remove a photo from an inspection whose record is not completed."""
    photo = db.session.get(InspectionPhoto, photo_id)
    if photo is None:
        abort(404)
    inspection = _managed(photo.inspection_id)
    try:
        key = services.remove_photo(db.session, photo, inspection)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _detail(inspection, "photos")
    db.session.commit()
    try:
        get_storage().delete(key)
    except StorageError:
        pass  # an orphan object: `vg storage-check --remove-orphans` finds it
    flash(_("写真を削除しました。"), "success")
    return _detail(inspection, "photos")
