"""Evidence requests (read) and, for contractors, new submissions with files.

A submission is the portal's recipe, recorded as a portal submission (the contractor's channel) (``evidence.intake.receive_and_submit``): the multipart body is
streamed and every file passes the upload content checks before anything is stored; one
transaction records it, and on any refusal nothing is kept.
"""

from __future__ import annotations

from typing import Any

from flask import abort, get_flashed_messages, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorguard.api import auth
from vendorguard.api.blueprint import bp
from vendorguard.api.errors import ApiError
from vendorguard.api.listing import LIST_HEADERS, ListArgs, check_if_match, page_of, sort_field
from vendorguard.api.schemas import EvidenceRequestSchema, SubmissionSchema
from vendorguard.arrangements import access
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence import queries as evidence_queries
from vendorguard.evidence.intake import receive_and_submit
from vendorguard.evidence.models import EvidenceRequest, EvidenceSubmission, RequestStatus
from vendorguard.extensions import db
from vendorguard.portal import queries as portal_queries
from vendorguard.portal.forms import UploadForm


class RequestArgs(ListArgs):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    status = fields.String(
        load_default=evidence_queries.ACTIVE,
        validate=validate.OneOf(
            [evidence_queries.ACTIVE, evidence_queries.ALL, *(s.value for s in RequestStatus)]
        ),
        metadata={"description": "active (not settled), all, or one status"},
    )
    arrangement_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    sort = sort_field(("due_on", "updated_at"), "due_on")


REQUEST_SORTS = {"due_on": (EvidenceRequest.due_on,), "updated_at": (EvidenceRequest.updated_at,)}


def _is_contractor() -> bool:
    return bool(current_user.role == Role.CONTRACTOR)


@bp.route("/evidence-requests", tags=["evidence"])
@bp.etag
@bp.arguments(RequestArgs, location="query")
@bp.response(200, EvidenceRequestSchema(many=True), headers=LIST_HEADERS)
def evidence_requests(args: dict[str, Any]):
    """Evidence requests: a contractor's own company's, or those of arrangements the user may read."""
    if _is_contractor():
        stmt = portal_queries.portal_requests(
            current_user.contractor_id, args["q"], done=args["status"] == RequestStatus.ACCEPTED
        )
    else:
        auth.require("dashboard.view")
        filters = evidence_queries.RequestFilters(term=args["q"], status=args["status"])
        stmt = evidence_queries.request_list(current_user, filters, today_tokyo())
    if "arrangement_id" in args:
        stmt = stmt.where(EvidenceRequest.arrangement_id == args["arrangement_id"])
    return page_of(stmt, args, REQUEST_SORTS, EvidenceRequest.id)


def _request(request_id: int) -> EvidenceRequest:
    if _is_contractor():
        found = db.session.scalars(
            portal_queries.portal_request(current_user.contractor_id, request_id)
        ).one_or_none()
        if found is None:
            abort(404)
        return found
    auth.require("dashboard.view")
    found = db.session.scalars(evidence_queries.request_detail(request_id)).unique().one_or_none()
    if found is None:
        abort(404)
    access.ensure_can_view(found.arrangement)
    return found


@bp.route("/evidence-requests/<int:request_id>", tags=["evidence"])
@bp.etag
@bp.response(200, EvidenceRequestSchema)
def evidence_request(request_id: int):
    """One evidence request; its ETag may be sent as If-Match with a submission."""
    return _request(request_id)


@bp.route("/evidence-requests/<int:request_id>/submissions", tags=["evidence"])
@bp.etag
@bp.response(200, SubmissionSchema(many=True))
def submissions(request_id: int):
    """Every submission of a request, newest first, with its files."""
    found = _request(request_id)
    return db.session.scalars(portal_queries.submissions_of(found.id)).all()


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "comment": {"type": "string", "maxLength": 2000},
                },
                "required": ["files"],
            }
        }
    },
}


@bp.route("/evidence-requests/<int:request_id>/submissions", methods=["POST"], tags=["evidence"])
@bp.doc(
    requestBody=UPLOAD_BODY,
    parameters=[
        {
            "name": "If-Match",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "the request's ETag: refused with 412 if it changed since",
        }
    ],
)
@bp.response(201, SubmissionSchema)
def submit(request_id: int):
    """Submit files for one of the contractor's own requests (the portal's checks and rules)."""
    if not _is_contractor():
        raise ApiError(
            "forbidden", _("APIからの証跡の提出は、委託事業者の利用者のトークンでのみできます。")
        )
    found = _request(request_id)
    check_if_match(EvidenceRequestSchema().dump(found), required=False)
    if request.mimetype != "multipart/form-data":
        raise ApiError("unsupported_media_type")
    outcome = receive_and_submit(
        found, UploadForm, user=current_user._get_current_object(), via="portal", csrf=False
    )
    # The intake speaks to pages (field errors, flashes); a client gets them as one JSON error.
    flashed = [str(message) for message in get_flashed_messages()]
    if not outcome.ok:
        errors = {
            name: list(field.errors) for name, field in outcome.form._fields.items() if field.errors
        }
        code = {400: "validation_error", 409: "conflict"}.get(outcome.status, "unavailable")
        message = " ".join([*flashed, *(m for ms in errors.values() for m in ms)]) or None
        raise ApiError(code, message, errors=errors or None)
    assert outcome.submission is not None  # ok means recorded
    submission_id: int = outcome.submission.id
    submission = db.session.scalars(
        select(EvidenceSubmission)
        .where(EvidenceSubmission.id == submission_id)
        .options(selectinload(EvidenceSubmission.files))
    ).one()
    return submission
