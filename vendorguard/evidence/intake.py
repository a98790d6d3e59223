"""Receiving evidence files and recording them as one submission: the one recipe behind the
internal upload (``evidence.upload``), the portal (``portal.submit``) and upload links
(``portal.upload_link_submit``).

The files are streamed into storage first (``uploads.receive_files``, which checks the CSRF token
while streaming, checks every file and removes what it stored when it refuses), then one
submission is recorded and committed. If recording fails for any reason the stored objects are
deleted again, so nothing is half-kept: no row without its object, no object without its row.
Views using it must be ``@csrf.exempt`` and must not read ``request.form`` / ``request.files``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from vendorguard.core.errors import DomainError
from vendorguard.evidence import services, uploads
from vendorguard.evidence.models import EvidenceRequest, EvidenceSubmission, UploadLink
from vendorguard.extensions import db
from vendorguard.storage.base import StorageError
from vendorguard.storage.factory import get_storage

log = logging.getLogger(__name__)
FORM_FIELDS = ("files", "comment")


@dataclass
class Intake:
    """How an upload went: the recorded submission, or the form to show again with the reason
    (``status`` 400: a file or field refused, 409: the request takes no submission now,
    503: recording failed). Reasons about a field are on the field, others are flashed (the
    page may not show the form at all, e.g. once the request was accepted)."""

    form: FlaskForm
    submission: EvidenceSubmission | None = None
    status: int = 200
    file_count: int = 0

    @property
    def ok(self) -> bool:
        """Whether the submission was recorded and committed."""
        return self.submission is not None


def _refuse(form: FlaskForm, field: str | None, message: str, status: int) -> Intake:
    if field in FORM_FIELDS:
        form[field].errors = [*form[field].errors, message]
    else:
        flash(message, "error")
    return Intake(form, status=status)


def receive_and_submit(
    evidence_request: EvidenceRequest,
    form_class: type[FlaskForm],
    *,
    user,
    via: str,
    link: UploadLink | None = None,
    also: Callable[[Session], object] | None = None,
    csrf: bool = True,
) -> Intake:
    """Store the request's files, then record the submission (and ``also``, in the same
    transaction) and commit once; on any refusal or failure nothing is kept. ``csrf=False`` only
    for the API, whose bearer token no browser sends by itself."""
    storage = get_storage()
    try:
        received = uploads.receive_files(
            request, storage, uploads.max_upload_bytes(), file_field="files", csrf=csrf
        )
    except (uploads.UploadRefused, StorageError) as error:
        message = _("%(reason)s ファイルは保存されていません。", reason=error.message)
        return _refuse(form_class(formdata=None), "files", message, 400)
    # The token among the fields was checked while streaming; the service checks the fields.
    form = form_class(formdata=received.fields, meta={"csrf": False})
    try:
        submission = services.submit(
            db.session,
            evidence_request,
            received.files,
            form.comment.data or "",
            user=user,
            via=via,
            link=link,
        )
        if also is not None:
            also(db.session)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        uploads.discard(storage, received.files)
        status = 400 if error.field in FORM_FIELDS else 409
        return _refuse(form, error.field, error.message, status)
    except SQLAlchemyError:
        db.session.rollback()
        uploads.discard(storage, received.files)
        log.exception("recording a %s submission for request %s failed", via, evidence_request.id)
        message = _(
            "提出の記録中にエラーが発生したため、提出は受け付けられていません（何も登録されていません。ファイルも保存されていません）。"
            "時間をおいてもう一度送信してください。"
        )
        return _refuse(form, None, message, 503)
    except BaseException:
        db.session.rollback()
        uploads.discard(storage, received.files)
        raise
    return Intake(form, submission, 200, len(received.files))
