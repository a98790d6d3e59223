"""Reads of cloud services and their use applications that pages share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BindParameter, ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload, load_only, raiseload, selectinload
from sqlalchemy.sql.base import ExecutableOption

from vendorguard.approvals import queries as approval_queries
from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementKind
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.cloud.models import (
    CloudService,
    CloudUseApplication,
    TermsType,
    cloud_service_department,
)
from vendorguard.contractors.models import Contractor
from vendorguard.core.text import to_katakana
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import like_pattern
from vendorguard.ismap.matching import IsmapStatus, status_clause
from vendorguard.ismap.models import IsmapRegistration
from vendorguard.org.models import Department

# Workflow order, so sorting by approval groups what needs a decision first.
APPROVAL_ORDER = case(
    {
        ApprovalState.APPLIED.value: 0,
        ApprovalState.NOT_APPLIED.value: 1,
        ApprovalState.REJECTED.value: 2,
        ApprovalState.EXPIRED.value: 3,
        ApprovalState.APPROVED.value: 4,
    },
    value=CloudService.approval_state,
    else_=9,
)
# The provider joined for searching and sorting (loading it is joinedload's business).
Provider = aliased(Contractor, name="provider")
PROVIDER_SORT = func.coalesce(Provider.name_kana, CloudService.provider_name)
# ISMAP statuses under which a registration still counts as valid assurance.
ISMAP_VALID = (IsmapStatus.REGISTERED, IsmapStatus.EXPIRING, IsmapStatus.RENEWAL_PENDING)


@dataclass(frozen=True)
class CloudFilters:
    """What a person can narrow the list by (all optional)."""

    term: str = ""
    department_id: int | None = None
    terms_type: TermsType | None = None
    high_only: bool = False
    approval: ApprovalState | None = None
    ismap_status: IsmapStatus | None = None
    risk_only: bool = False
    include_archived: bool = False


def approval_is(state: ApprovalState, today: date) -> ColumnElement[bool]:
    """SQL twin of ``CloudService.effective_approval_state == state``."""
    lapsed = and_(
        CloudService.approval_state == ApprovalState.APPROVED,
        CloudService.approval_valid_until < today,
    )
    if state == ApprovalState.APPROVED:
        return and_(
            CloudService.approval_state == ApprovalState.APPROVED,
            or_(
                CloudService.approval_valid_until.is_(None),
                CloudService.approval_valid_until >= today,
            ),
        )
    if state == ApprovalState.EXPIRED:
        return or_(CloudService.approval_state == ApprovalState.EXPIRED, lapsed)
    return CloudService.approval_state == state


def approval_current(today: date) -> ColumnElement[bool]:
    """SQL twin of ``CloudService.has_current_approval`` (an approval in force, renewal pending or not)."""
    return or_(
        approval_is(ApprovalState.APPROVED, today),
        and_(
            CloudService.approval_state == ApprovalState.APPLIED,
            CloudService.approval_valid_until.is_not(None),
            CloudService.approval_valid_until >= today,
        ),
    )


def _names_registration() -> ColumnElement[bool]:
    # Numbers are stored normalised (see services); upper() also covers rows typed before that.
    return func.upper(IsmapRegistration.registration_number) == func.upper(
        CloudService.ismap_registration_number
    )


def ismap_status_is(status: IsmapStatus, today: date) -> ColumnElement[bool]:
    """SQL twin of the service's ISMAP status (via ``ismap.matching``) being ``status``."""
    if status == IsmapStatus.NOT_REGISTERED:
        return ~exists().where(_names_registration())
    return exists().where(_names_registration(), status_clause(status, today))


def ismap_valid(today: date) -> ColumnElement[bool]:
    """The service names a registration that is registered, expiring or under renewal."""
    return exists().where(
        _names_registration(), or_(*[status_clause(s, today) for s in ISMAP_VALID])
    )


def at_risk(today: date) -> ColumnElement[bool]:
    """Handles 機密性2以上 without valid ISMAP registration or without an approval in force."""
    return and_(
        CloudService.handles_high_confidentiality.is_(True),
        or_(~ismap_valid(today), ~approval_current(today)),
    )


# The columns the list page prints (and its ISMAP standing reads), for its page of rows: an
# export of the same select reads whole rows and the manager; reading anything else raises.
LIST_PAGE_COLUMNS = (
    load_only(
        CloudService.title,
        CloudService.archived_at,
        CloudService.updated_at,
        CloudService.approval_state,
        CloudService.approval_valid_until,
        CloudService.provider_contractor_id,
        CloudService.provider_name,
        CloudService.handles_high_confidentiality,
        CloudService.terms_type,
        CloudService.ismap_kind,
        CloudService.ismap_registration_number,
        raiseload=True,
    ),
    joinedload(CloudService.provider_contractor).load_only(Contractor.name, raiseload=True),
    joinedload(CloudService.department).load_only(Department.name, raiseload=True),
    raiseload(CloudService.responsible_officer),
)
# Whole rows with the provider, department and manager (exports, the API).
WHOLE_ROWS = (
    joinedload(CloudService.provider_contractor),
    joinedload(CloudService.department),
    joinedload(CloudService.responsible_officer),
)


def cloud_list(filters: CloudFilters, loads: tuple[ExecutableOption, ...] = WHOLE_ROWS) -> Select:
    """Cloud services narrowed by ``filters``, loaded as ``loads`` says (whole rows with owner
    department, provider and manager unless told ``LIST_PAGE_COLUMNS``)."""
    stmt = (
        select(CloudService)
        .outerjoin(Provider, CloudService.provider_contractor_id == Provider.id)
        .options(*loads)
        # Implied by the join to cloud_service, but said so that the page's keys come from the
        # (kind, title, id) index: 600 services, not a scan of every arrangement.
        .where(CloudService.kind == ArrangementKind.CLOUD_SERVICE.value)
    )
    today = today_tokyo()
    if filters.term:
        pattern, kana = like_pattern(filters.term), like_pattern(to_katakana(filters.term))
        stmt = stmt.where(
            or_(
                CloudService.title.ilike(pattern, escape="\\"),
                CloudService.provider_name.ilike(pattern, escape="\\"),
                Provider.name.ilike(pattern, escape="\\"),
                Provider.name_kana.ilike(kana, escape="\\"),
                CloudService.ismap_registration_number.ilike(pattern, escape="\\"),
            )
        )
    if filters.department_id is not None:
        users = select(cloud_service_department.c.cloud_service_id).where(
            cloud_service_department.c.department_id == filters.department_id
        )
        stmt = stmt.where(
            or_(CloudService.department_id == filters.department_id, CloudService.id.in_(users))
        )
    if filters.terms_type is not None:
        stmt = stmt.where(CloudService.terms_type == filters.terms_type)
    if filters.high_only:
        stmt = stmt.where(CloudService.handles_high_confidentiality.is_(True))
    if filters.approval is not None:
        stmt = stmt.where(approval_is(filters.approval, today))
    if filters.ismap_status is not None:
        stmt = stmt.where(ismap_status_is(filters.ismap_status, today))
    if filters.risk_only:
        stmt = stmt.where(at_risk(today))
    if not filters.include_archived:
        stmt = stmt.where(CloudService.archived_at.is_(None))
    return stmt


def cloud_service_detail(service_id: int) -> Select:
    """One service with everything its page and edit form show."""
    return (
        select(CloudService)
        .where(CloudService.id == service_id)
        .options(
            joinedload(CloudService.department),
            joinedload(CloudService.responsible_officer),
            joinedload(CloudService.provider_contractor),
            selectinload(CloudService.using_departments),
        )
    )


def manager_candidates() -> Select:
    """People who can be named 外部サービス管理者 / 責任者: active city staff."""
    return (
        select(User)
        .where(User.active.is_(True), User.archived_at.is_(None), User.role != Role.CONTRACTOR)
        .order_by(User.name_kana, User.name, User.id)
    )


def provider_candidates() -> Select:
    """Contractors offered as a service's provider."""
    return (
        select(Contractor)
        .where(Contractor.archived_at.is_(None))
        .order_by(Contractor.name_kana, Contractor.id)
    )


def active_confidentiality_levels() -> Select:
    """Confidentiality levels of the active classification scheme, highest first."""
    return (
        select(ClassificationLevel)
        .join(ClassificationScheme, ClassificationScheme.id == ClassificationLevel.scheme_id)
        .where(
            ClassificationScheme.active.is_(True), ClassificationLevel.axis == Axis.CONFIDENTIALITY
        )
        .order_by(ClassificationLevel.rank.desc(), ClassificationLevel.id)
    )


def applications(service_id: int) -> Select:
    """A service's use applications, newest first, with the people and level they name."""
    return approval_queries.requests_of(service_id, CloudUseApplication).options(
        joinedload(CloudUseApplication.department),
        joinedload(CloudUseApplication.confidentiality_level),
    )


def pending_application(service_id: int) -> Select:
    """The application of a service that waits for a decision (at most one)."""
    return approval_queries.pending_request(service_id, CloudUseApplication).options(
        joinedload(CloudUseApplication.department),
        joinedload(CloudUseApplication.confidentiality_level),
    )


def last_filed_application(service_id: int) -> Select:
    """The newest application that was not withdrawn: what a renewal starts from."""
    return approval_queries.last_filed(service_id, CloudUseApplication)


def service_for_catalog(service_id: int | BindParameter[int]) -> Select:
    """A cloud service with what its catalog facts and clause placeholders read."""
    return (
        select(CloudService)
        .where(CloudService.id == service_id)
        .options(
            joinedload(CloudService.department),
            joinedload(CloudService.responsible_officer),
            joinedload(CloudService.provider_contractor),
        )
    )


def services_naming_registration(number: str) -> Select:
    """Cloud services that give this registration number, with their departments."""
    return (
        select(CloudService)
        .options(joinedload(CloudService.department))
        .where(func.upper(CloudService.ismap_registration_number) == number.upper())
        .order_by(CloudService.title, CloudService.id)
    )


def cloud_service_for_matching(service_id: int) -> Select:
    """One cloud service with what the matching page shows (provider from the contractor register)."""
    return (
        select(CloudService)
        .options(joinedload(CloudService.provider_contractor), joinedload(CloudService.department))
        .where(CloudService.id == service_id)
    )
