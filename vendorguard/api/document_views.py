"""Contract documents (generate, list, download), the requirement catalog and notifications."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import abort, current_app
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import IntegrityError

from vendorguard.api import auth
from vendorguard.api.blueprint import bp
from vendorguard.api.errors import ApiError
from vendorguard.api.listing import LIST_HEADERS, ListArgs, page_of, sort_field
from vendorguard.api.schemas import DocumentSchema, NotificationSchema, RequirementSchema
from vendorguard.arrangements import access
from vendorguard.arrangements.kinds import registered_kinds
from vendorguard.catalog import queries as catalog_queries
from vendorguard.catalog.models import Requirement, RequirementKind
from vendorguard.documents import queries as document_queries
from vendorguard.documents import services as document_services
from vendorguard.documents.models import ContractDocument, DateStyle
from vendorguard.extensions import db
from vendorguard.reminders import queries as reminder_queries
from vendorguard.reminders import services as reminder_services
from vendorguard.reminders.models import Notification
from vendorguard.storage.base import StorageError, StorageNotFound
from vendorguard.storage.factory import get_storage

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.route("/arrangements/<int:arrangement_id>/documents", tags=["documents"])
@bp.etag
@bp.response(200, DocumentSchema(many=True))
def documents(arrangement_id: int):
    """Every version of an arrangement's documents, newest first."""
    auth.require("dashboard.view")
    arrangement = access.arrangement_or_404(arrangement_id)
    access.ensure_can_view(arrangement)
    rows = db.session.scalars(document_queries.versions_for(arrangement.id)).all()
    return rows


class GenerateSchema(Schema):
    date_style = fields.Enum(DateStyle, by_value=True, load_default=None, allow_none=True)


@bp.route("/arrangements/<int:arrangement_id>/documents", methods=["POST"], tags=["documents"])
@auth.needs("dashboard.view")
@bp.arguments(GenerateSchema)
@bp.response(201, DocumentSchema(many=True))
def generate(values: dict[str, Any], arrangement_id: int):
    """Generate the next version of every document the arrangement gets (the catalog decides)."""
    auth.require("dashboard.view")
    arrangement = access.arrangement_or_404(arrangement_id)
    access.ensure_can_manage(arrangement)
    storage = get_storage()
    style = values.get("date_style")
    made = document_services.generate_documents(
        db.session, storage, arrangement, current_user, date_style=style.value if style else None
    )
    keys = [document.storage_key for document in made]
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        for key in keys:
            document_services.discard_object(storage, key)
        raise ApiError("conflict") from None
    return made


def _document(doc_id: int) -> ContractDocument:
    auth.require("dashboard.view")
    document = db.session.get(ContractDocument, doc_id)
    if document is None:
        abort(404)
    access.ensure_can_view(access.arrangement_or_404(document.arrangement_id))
    return document


@bp.route("/documents/<int:doc_id>", tags=["documents"])
@bp.etag
@bp.response(200, DocumentSchema)
def document(doc_id: int):
    """One generated version (immutable)."""
    return _document(doc_id)


@bp.route("/documents/<int:doc_id>/content", tags=["documents"])
@bp.response(
    200,
    content_type=DOCX_MIME,
    description="the .docx exactly as generated",
)
def document_content(doc_id: int):
    """The stored .docx, as an attachment."""
    document = _document(doc_id)
    try:
        chunks = get_storage().iter_chunks(document.storage_key)
    except StorageNotFound:
        raise ApiError("unavailable") from None
    except StorageError as error:
        raise ApiError("unavailable", error.message) from None
    disposition = (
        f'attachment; filename="document-{document.id}.docx"; '
        f"filename*=UTF-8''{quote(document.filename)}"
    )
    return current_app.response_class(
        chunks,
        mimetype=DOCX_MIME,
        headers={"Content-Disposition": disposition, "Content-Length": str(document.size)},
    )


# -- catalog ----------------------------------------------------------------------------------


class RequirementArgs(ListArgs):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    kind = fields.Enum(RequirementKind, by_value=True)
    applies_to = fields.String(validate=lambda v: v in {k.value for k in registered_kinds()})
    include_inactive = fields.Boolean(load_default=False)
    sort = sort_field(("code", "sort_order", "updated_at"), "code")


class _Counted:
    """A requirement with the list query's clause count (a column of the query, not of the model)."""

    def __init__(self, requirement: Requirement, clause_count: int) -> None:
        self._requirement, self.clause_count = requirement, clause_count

    def __getattr__(self, name: str) -> Any:
        return getattr(self._requirement, name)


REQUIREMENT_SORTS = {
    "code": (Requirement.code,),
    "sort_order": (Requirement.sort_order,),
    "updated_at": (Requirement.updated_at,),
}


@bp.route("/catalog/requirements", tags=["catalog"])
@bp.etag
@bp.arguments(RequirementArgs, location="query")
@bp.response(200, RequirementSchema(many=True), headers=LIST_HEADERS)
def requirements(args: dict[str, Any]):
    """The requirement catalog, with how many approved clauses cover each requirement."""
    auth.require("catalog.view")
    stmt = catalog_queries.requirement_list(
        args["q"], args.get("kind"), args.get("applies_to"), args["include_inactive"]
    )
    rows, headers = page_of(stmt, args, REQUIREMENT_SORTS, Requirement.id)
    return [_Counted(requirement, count) for requirement, count in rows], headers


# -- notifications ----------------------------------------------------------------------------


class NotificationArgs(ListArgs):
    unread = fields.Boolean(load_default=False)
    sort = sort_field(("created_at",), "-created_at")


@bp.route("/notifications", tags=["notifications"])
@bp.etag
@bp.arguments(NotificationArgs, location="query")
@bp.response(200, NotificationSchema(many=True), headers=LIST_HEADERS)
def notifications(args: dict[str, Any]):
    """The token user's own in-app notifications (お知らせ), newest first."""
    auth.require("dashboard.view")
    stmt = reminder_queries.notifications_for(current_user.id, args["unread"]).order_by(None)
    rows, headers = page_of(
        stmt, args, {"created_at": (Notification.created_at,)}, Notification.id.desc()
    )
    return rows, headers


class MarkReadSchema(Schema):
    ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
        validate=validate.Length(max=1000),
        metadata={"description": "the notifications to mark read; omit to mark all"},
    )


class MarkedSchema(Schema):
    marked = fields.Integer()


@bp.route("/notifications/read", methods=["POST"], tags=["notifications"])
@auth.needs("dashboard.view")
@bp.arguments(MarkReadSchema)
@bp.response(200, MarkedSchema)
def notifications_read(values: dict[str, Any]):
    """Mark the given notifications (or all of them) read; others' ids are ignored."""
    auth.require("dashboard.view")
    count = reminder_services.mark_read(db.session, current_user.id, values.get("ids"))
    db.session.commit()
    return {"marked": count}
