"""Departments, contractors, engagements (read and write), cloud services and SNS accounts.

Who sees what is the pages' rule: the permission table (``auth.roles``) and, for arrangements,
``arrangements.access`` (department scope, the kinds' visibility).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from vendorguard.api import auth
from vendorguard.api.blueprint import bp
from vendorguard.api.errors import ApiError
from vendorguard.api.listing import (
    IF_MATCH,
    LIST_HEADERS,
    ListArgs,
    check_if_match,
    etag_header,
    page_of,
    sort_field,
)
from vendorguard.api.schemas import (
    CloudServiceSchema,
    ContractorSchema,
    DepartmentSchema,
    EngagementSchema,
    MeSchema,
    SocialAccountSchema,
)
from vendorguard.arrangements import access
from vendorguard.arrangements.models import Arrangement, ArrangementState
from vendorguard.auth.permissions import can_change
from vendorguard.cloud import queries as cloud_queries
from vendorguard.cloud.models import CloudService
from vendorguard.contractors import queries as contractor_queries
from vendorguard.contractors.models import Contractor
from vendorguard.core.timeutil import today_tokyo
from vendorguard.engagements import queries as engagement_queries
from vendorguard.engagements import services as engagement_services
from vendorguard.engagements.models import Engagement, ReportingCycle
from vendorguard.extensions import db
from vendorguard.org import queries as org_queries
from vendorguard.org.models import Department
from vendorguard.social import queries as social_queries
from vendorguard.social.models import Platform, SocialAccount

TEXT = {"validate": validate.Length(max=200)}


@bp.route("/me", tags=["me"])
@bp.response(200, MeSchema)
def me():
    """The token's user and the token's scope and expiry."""
    token = auth.current_token()
    user = token.user
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "department_id": user.department_id,
        "contractor_id": user.contractor_id,
        "token_scope": token.scope.value,
        "token_expires_at": token.expires_at,
    }


# -- departments ------------------------------------------------------------------------------


class DepartmentArgs(ListArgs):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    include_archived = fields.Boolean(load_default=False)
    sort = sort_field(("code", "name", "name_kana"), "code")


DEPARTMENT_SORTS = {
    "code": (Department.code,),
    "name": (Department.name,),
    "name_kana": (Department.name_kana,),
}


@bp.route("/departments", tags=["departments"])
@bp.etag
@bp.arguments(DepartmentArgs, location="query")
@bp.response(200, DepartmentSchema(many=True), headers=LIST_HEADERS)
def departments(args: dict[str, Any]):
    """Departments (課), with paging, search and sorting."""
    auth.require("department.view")
    stmt = org_queries.department_list(args["q"], args["include_archived"])
    rows, headers = page_of(stmt, args, DEPARTMENT_SORTS, Department.id)
    return [row[0] for row in rows], headers


@bp.route("/departments/<int:department_id>", tags=["departments"])
@bp.etag
@bp.response(200, DepartmentSchema)
def department(department_id: int):
    """One department."""
    auth.require("department.view")
    return db.session.get(Department, department_id) or abort(404)


# -- contractors ------------------------------------------------------------------------------


class ContractorArgs(ListArgs):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    include_archived = fields.Boolean(load_default=False)
    sort = sort_field(("name_kana", "name", "corporate_number", "updated_at"), "name_kana")


CONTRACTOR_SORTS = {
    "name_kana": (Contractor.name_kana,),
    "name": (Contractor.name,),
    "corporate_number": (Contractor.corporate_number,),
    "updated_at": (Contractor.updated_at,),
}


@bp.route("/contractors", tags=["contractors"])
@bp.etag
@bp.arguments(ContractorArgs, location="query")
@bp.response(200, ContractorSchema(many=True), headers=LIST_HEADERS)
def contractors(args: dict[str, Any]):
    """Contractors (委託事業者): search by name, reading, contact or 法人番号."""
    auth.require("contractor.view")
    stmt = contractor_queries.contractor_list(
        today_tokyo(), args["q"], include_archived=args["include_archived"]
    )
    rows, headers = page_of(stmt, args, CONTRACTOR_SORTS, Contractor.id)
    return [row[0] for row in rows], headers


@bp.route("/contractors/<int:contractor_id>", tags=["contractors"])
@bp.etag
@bp.response(200, ContractorSchema)
def contractor(contractor_id: int):
    """One contractor."""
    auth.require("contractor.view")
    return db.session.get(Contractor, contractor_id) or abort(404)


# -- engagements ------------------------------------------------------------------------------


class EngagementArgs(ListArgs):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    department_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    contractor_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    contract_number = fields.String(validate=validate.Length(max=50))
    state = fields.Enum(ArrangementState, by_value=True)
    include_archived = fields.Boolean(load_default=False)
    sort = sort_field(
        ("starts_on", "ends_on", "title", "contract_number", "updated_at"), "-starts_on"
    )


ENGAGEMENT_SORTS = {
    "starts_on": (Engagement.starts_on,),
    "ends_on": (Engagement.ends_on,),
    "title": (Engagement.title,),
    "contract_number": (Engagement.contract_number,),
    "updated_at": (Engagement.updated_at,),
}


@bp.route("/engagements", tags=["engagements"])
@bp.etag
@bp.arguments(EngagementArgs, location="query")
@bp.response(200, EngagementSchema(many=True), headers=LIST_HEADERS)
def engagements(args: dict[str, Any]):
    """Engagements (業務委託) the token's user may read, filtered."""
    auth.require("engagement.view")
    filters = engagement_queries.EngagementFilters(
        term=args["q"],
        department_id=args.get("department_id"),
        contractor_id=args.get("contractor_id"),
        state=args.get("state"),
        include_archived=args["include_archived"],
    )
    stmt = engagement_queries.engagement_list(filters, today_tokyo()).where(
        access.visible_to(current_user)
    )
    if "contract_number" in args:
        stmt = stmt.where(Engagement.contract_number == args["contract_number"])
    rows, headers = page_of(stmt, args, ENGAGEMENT_SORTS, Engagement.id)
    return [row[0] for row in rows], headers


def _engagement(engagement_id: int) -> Engagement:
    engagement = db.session.scalars(
        select(Engagement).where(Engagement.id == engagement_id)
    ).one_or_none()
    if engagement is None:
        abort(404)
    access.ensure_can_view(engagement)
    return engagement


@bp.route("/engagements/<int:engagement_id>", tags=["engagements"])
@bp.etag
@bp.response(200, EngagementSchema)
def engagement(engagement_id: int):
    """One engagement; its ETag is what If-Match must name to change it."""
    auth.require("engagement.view")
    return _engagement(engagement_id)


class EngagementInSchema(Schema):
    """What a client may set on an engagement (the page's fields)."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    department_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    contractor_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    contract_number = fields.String(validate=validate.Length(max=50))
    responsible_officer_id = fields.Integer(
        allow_none=True, validate=validate.Range(min=1, max=2**31 - 1)
    )
    contractor_representative = fields.String(validate=validate.Length(max=100))
    work_locations = fields.String(validate=validate.Length(max=2000))
    description = fields.String(validate=validate.Length(max=5000))
    handles_personal_info = fields.Boolean()
    handles_my_number = fields.Boolean()
    segment_my_number = fields.Boolean()
    segment_lgwan = fields.Boolean()
    segment_internet = fields.Boolean()
    access_scope = fields.String(validate=validate.Length(max=2000))
    access_method = fields.String(validate=validate.Length(max=2000))
    subcontracting_allowed = fields.Boolean()
    reporting_cycle = fields.Enum(ReportingCycle, by_value=True)
    state = fields.Enum(ArrangementState, by_value=True)
    next_review_on = fields.Date(allow_none=True)


class EngagementPatchSchema(EngagementInSchema):
    """A change: only the fields sent are changed."""


def _data_of(engagement: Engagement) -> dict[str, Any]:
    return {name: getattr(engagement, name) for name in engagement_services.ENGAGEMENT_FIELDS}


def _checked_data(values: dict[str, Any]) -> engagement_services.EngagementData:
    data = engagement_services.EngagementData(**values)
    if not can_change(current_user, "engagement.manage", data.department_id):
        raise ApiError("forbidden")
    for name in ("title", "contract_number"):
        if "\x00" in (getattr(data, name) or ""):
            raise ApiError("validation_error", errors={name: ["NUL"]})
    return data


@bp.route("/engagements", methods=["POST"], tags=["engagements"])
@auth.needs("engagement.manage")
@bp.arguments(EngagementInSchema)
@bp.response(201, EngagementSchema)
def engagement_create(values: dict[str, Any]):
    """Register an engagement (the page's rules: 契約番号 unique, dates in order …)."""
    base = asdict(
        engagement_services.EngagementData("", 0, 0, values["starts_on"], values["ends_on"])
    )
    created = engagement_services.create_engagement(db.session, _checked_data({**base, **values}))
    db.session.commit()
    return created, {"Location": f"/api/v1/engagements/{created.id}"}


@bp.route("/engagements/<int:engagement_id>", methods=["PATCH"], tags=["engagements"])
@auth.needs("engagement.manage")
@bp.doc(parameters=[IF_MATCH])
@bp.arguments(EngagementPatchSchema(partial=True))
@bp.response(200, EngagementSchema, headers={"ETag": {"schema": {"type": "string"}}})
def engagement_update(values: dict[str, Any], engagement_id: int):
    """Change an engagement; If-Match must carry its current ETag (412 when someone was first)."""
    engagement = _engagement(engagement_id)
    access.ensure_can_manage(
        engagement
    )  # who may change it is decided before its ETag is looked at
    check_if_match(EngagementSchema().dump(engagement))
    data = _checked_data({**_data_of(engagement), **values})
    engagement_services.update_engagement(db.session, engagement, data)
    db.session.commit()
    return engagement, {"ETag": etag_header(EngagementSchema().dump(engagement))}


# -- cloud services and SNS accounts ---------------------------------------------------------


class CloudArgs(ListArgs):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    department_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    include_archived = fields.Boolean(load_default=False)
    sort = sort_field(("title", "updated_at", "approval_valid_until"), "title")


CLOUD_SORTS = {
    "title": (CloudService.title,),
    "updated_at": (CloudService.updated_at,),
    "approval_valid_until": (CloudService.approval_valid_until,),
}


@bp.route("/cloud-services", tags=["cloud services"])
@bp.etag
@bp.arguments(CloudArgs, location="query")
@bp.response(200, CloudServiceSchema(many=True), headers=LIST_HEADERS)
def cloud_services(args: dict[str, Any]):
    """Cloud services the token's user may read."""
    auth.require("cloud.view")
    filters = cloud_queries.CloudFilters(
        term=args["q"],
        department_id=args.get("department_id"),
        include_archived=args["include_archived"],
    )
    stmt = cloud_queries.cloud_list(filters).where(access.visible_to(current_user))
    return page_of(stmt, args, CLOUD_SORTS, CloudService.id)


def _arrangement_of(model: type[Arrangement], arrangement_id: int) -> Any:
    found = db.session.scalars(select(model).where(model.id == arrangement_id)).one_or_none()
    if found is None:
        abort(404)
    access.ensure_can_view(found)
    return found


@bp.route("/cloud-services/<int:service_id>", tags=["cloud services"])
@bp.etag
@bp.response(200, CloudServiceSchema)
def cloud_service(service_id: int):
    """One cloud service."""
    auth.require("cloud.view")
    return _arrangement_of(CloudService, service_id)


class SocialArgs(ListArgs):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    department_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    platform = fields.Enum(Platform, by_value=True)
    include_archived = fields.Boolean(load_default=False)
    sort = sort_field(("title", "handle", "updated_at"), "title")


SOCIAL_SORTS = {
    "title": (SocialAccount.title,),
    "handle": (SocialAccount.handle,),
    "updated_at": (SocialAccount.updated_at,),
}


@bp.route("/sns-accounts", tags=["SNS accounts"])
@bp.etag
@bp.arguments(SocialArgs, location="query")
@bp.response(200, SocialAccountSchema(many=True), headers=LIST_HEADERS)
def sns_accounts(args: dict[str, Any]):
    """Official SNS accounts the token's user may read (another department's drafts: never)."""
    auth.require("social.view")
    filters = social_queries.SocialFilters(
        term=args["q"],
        department_id=args.get("department_id"),
        platform=args.get("platform"),
        include_archived=args["include_archived"],
    )
    stmt = social_queries.account_list(current_user, filters, today_tokyo())
    return page_of(stmt, args, SOCIAL_SORTS, SocialAccount.id)


@bp.route("/sns-accounts/<int:account_id>", tags=["SNS accounts"])
@bp.etag
@bp.response(200, SocialAccountSchema)
def sns_account(account_id: int):
    """One SNS account."""
    auth.require("social.view")
    return _arrangement_of(SocialAccount, account_id)
