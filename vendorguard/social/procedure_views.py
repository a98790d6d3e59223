"""Uploaded operating procedures of an account (registered on the ``social`` blueprint)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.auth.permissions import ensure_can_change, require
from vendorguard.core.errors import DomainError
from vendorguard.extensions import db
from vendorguard.social import services
from vendorguard.social.blueprint import bp
from vendorguard.social.forms import ProcedureUploadForm
from vendorguard.social.models import SocialAccount, SocialProcedureFile
from vendorguard.social.views import _account_or_404
from vendorguard.storage.download import ascii_part, send_stored
from vendorguard.storage.factory import get_storage


def _file_or_404(file_id: int) -> tuple[SocialProcedureFile, SocialAccount]:
    record = db.session.get(SocialProcedureFile, file_id)
    if record is None:
        abort(404)
    return record, _account_or_404(record.account_id)  # another department's draft: 404 too


def _ascii_name(filename: str) -> str:
    return ascii_part(filename) or "procedure"


@bp.route("/<int:account_id>/procedures", methods=["POST"])
@require("social.manage")
def procedure_upload(account_id: int):
    """Store the department's own procedure document for the account."""
    account = _account_or_404(account_id)
    ensure_can_change("social.manage", account.department_id)
    back = redirect(url_for("social.detail", account_id=account.id, _anchor="procedure"))
    form = ProcedureUploadForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return back
    upload = form.file.data
    storage = get_storage()
    try:
        record = services.upload_procedure(
            db.session,
            storage,
            account,
            current_user,
            upload.filename or "",
            upload.stream,
            max_bytes=current_app.config["MAX_CONTENT_LENGTH"],
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return back
    db.session.commit()
    flash(_("運用手順のファイル「%(name)s」を登録しました。", name=record.filename), "success")
    return back


@bp.route("/procedures/<int:file_id>")
@require("social.view")
def procedure_download(file_id: int):
    """The uploaded file exactly as stored, always as an attachment."""
    record, account = _file_or_404(file_id)
    # Served as an opaque download: the browser never renders what a user uploaded.
    return send_stored(
        get_storage(),
        record.storage_key,
        record.filename,
        mimetype="application/octet-stream",
        ascii_filename=_ascii_name(record.filename),
        size=record.size,
        back_url=url_for("social.detail", account_id=account.id),
    )


@bp.route("/procedures/<int:file_id>/archive", methods=["POST"])
@require("social.manage")
def procedure_archive(file_id: int):
    """Withdraw an uploaded procedure that is no longer in force."""
    record, account = _file_or_404(file_id)
    ensure_can_change("social.manage", account.department_id)
    try:
        services.archive_procedure(db.session, record)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _("運用手順のファイル「%(name)s」を取り下げました。", name=record.filename), "success"
        )
    return redirect(url_for("social.detail", account_id=account.id, _anchor="procedure"))
