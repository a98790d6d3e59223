"""Receiving a contractor's upload and recording it: used by the portal and by upload links.

The files are streamed into storage first (``evidence.uploads.receive_files``, which checks them
and removes what it stored when it refuses), then one submission is recorded. If recording fails
for any reason the stored objects are deleted again, so nothing is half-kept: no row without its
object, no object without its row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import flash, request
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from vendorguard.core.errors import DomainError
from vendorguard.evidence import services as evidence_services
from vendorguard.evidence import uploads
from vendorguard.evidence.models import UNSETTLED, EvidenceRequest, UploadLink
from vendorguard.extensions import db
from vendorguard.portal import services
from vendorguard.portal.forms import UploadForm
from vendorguard.storage import get_storage

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """How an upload went: the form to show again (with its errors) when it did not."""

    ok: bool
    form: UploadForm
    status: int = 200
    file_count: int = 0


def drain_request_body(limit: int = 256 * 1024 * 1024) -> None:
    """Read and drop an upload we refuse without looking at it (a dead link), so the browser gets
    our answer instead of a reset connection. Bounded; the app's MAX_CONTENT_LENGTH applies too."""
    try:
        stream = request.stream
        while limit > 0 and (chunk := stream.read(min(1024 * 1024, limit))):
            limit -= len(chunk)
    except Exception:  # the client went away or the body is over the limit: nothing more to do
        pass


def may_submit(evidence_request: EvidenceRequest) -> bool:
    """Whether the upload form is offered: not yet accepted, not withdrawn, arrangement not archived."""
    return evidence_request.status in UNSETTLED and evidence_request.arrangement.archived_at is None


def receive_and_submit(
    evidence_request: EvidenceRequest, *, user, via: str, link: UploadLink | None = None
) -> Outcome:
    """Store the request's files, then record the submission and commit (views must be csrf-exempt:
    ``receive_files`` checks the token itself while streaming)."""
    storage = get_storage()
    try:
        received = uploads.receive_files(
            request, storage, uploads.max_upload_bytes(), file_field="files"
        )
    except uploads.UploadRefused as error:
        form = UploadForm(formdata=None)
        form.files.errors = [error.message]
        return Outcome(False, form, 400)
    form = UploadForm(
        formdata=received.fields
    )  # the token in the fields was checked while streaming
    if not form.validate():
        uploads.discard(storage, received.files)
        return Outcome(False, form, 400)
    try:
        evidence_services.submit(
            db.session,
            evidence_request,
            received.files,
            form.comment.data or "",
            user=user,
            via=via,
            link=link,
        )
        if link is not None:
            services.record_link_use(db.session, link)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        uploads.discard(storage, received.files)
        field = error.field if error.field in ("files", "comment") else None
        if field:
            form[field].errors = [*form[field].errors, error.message]
        else:
            flash(error.message, "error")
        return Outcome(False, form, 409)
    except SQLAlchemyError:
        db.session.rollback()
        uploads.discard(storage, received.files)
        log.exception("recording a %s submission for request %s failed", via, evidence_request.id)
        flash(
            _(
                "提出の記録中にエラーが発生したため、提出は受け付けられていません（ファイルも保存されていません）。"
                "時間をおいてもう一度送信してください。"
            ),
            "error",
        )
        return Outcome(False, form, 503)
    except BaseException:
        db.session.rollback()
        uploads.discard(storage, received.files)
        raise
    return Outcome(True, form, 200, len(received.files))
