"""Reads of cloud services that pages share."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.cloud.models import ApprovalState, CloudService, TermsType, cloud_service_department
from vendorguard.contractors.models import Contractor
from vendorguard.core.text import to_katakana
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import like_pattern

# Workflow order, so sorting by approval groups what needs a decision first.
APPROVAL_ORDER = case({ApprovalState.APPLIED.value: 0, ApprovalState.NOT_APPLIED.value: 1,
                       ApprovalState.REJECTED.value: 2, ApprovalState.EXPIRED.value: 3,
                       ApprovalState.APPROVED.value: 4}, value=CloudService.approval_state, else_=9)
# The provider joined for searching and sorting (loading it is joinedload's business).
Provider = aliased(Contractor, name="provider")
PROVIDER_SORT = func.coalesce(Provider.name_kana, CloudService.provider_name)


@dataclass(frozen=True)
class CloudFilters:
    """What a person can narrow the list by (all optional)."""

    term: str = ""
    department_id: int | None = None
    terms_type: TermsType | None = None
    high_only: bool = False
    approval: ApprovalState | None = None
    ismap: bool | None = None  # True: has a registration number, False: has none
    risk_only: bool = False
    include_archived: bool = False


def has_ismap() -> ColumnElement[bool]:
    """The service carries an ISMAP / ISMAP-LIU registration number."""
    return and_(CloudService.ismap_registration_number.is_not(None),
                CloudService.ismap_registration_number != "")


def approval_is(state: ApprovalState, today: date) -> ColumnElement[bool]:
    """SQL twin of ``CloudService.effective_approval_state == state``."""
    lapsed = and_(CloudService.approval_state == ApprovalState.APPROVED,
                  CloudService.approval_valid_until < today)
    if state == ApprovalState.APPROVED:
        return and_(CloudService.approval_state == ApprovalState.APPROVED,
                    or_(CloudService.approval_valid_until.is_(None),
                        CloudService.approval_valid_until >= today))
    if state == ApprovalState.EXPIRED:
        return or_(CloudService.approval_state == ApprovalState.EXPIRED, lapsed)
    return CloudService.approval_state == state


def at_risk(today: date) -> ColumnElement[bool]:
    """SQL twin of ``CloudService.risk_reasons`` being non-empty."""
    return and_(CloudService.handles_high_confidentiality.is_(True),
                or_(~has_ismap(), ~approval_is(ApprovalState.APPROVED, today)))


def cloud_list(filters: CloudFilters) -> Select:
    """Cloud services with owner department, provider and manager loaded, narrowed by ``filters``."""
    stmt = (select(CloudService)
            .outerjoin(Provider, CloudService.provider_contractor_id == Provider.id)
            .options(joinedload(CloudService.provider_contractor),
                     joinedload(CloudService.department),
                     joinedload(CloudService.responsible_officer)))
    today = today_tokyo()
    if filters.term:
        pattern, kana = like_pattern(filters.term), like_pattern(to_katakana(filters.term))
        stmt = stmt.where(or_(CloudService.title.ilike(pattern, escape="\\"),
                              CloudService.provider_name.ilike(pattern, escape="\\"),
                              Provider.name.ilike(pattern, escape="\\"),
                              Provider.name_kana.ilike(kana, escape="\\"),
                              CloudService.ismap_registration_number.ilike(pattern, escape="\\")))
    if filters.department_id is not None:
        users = select(cloud_service_department.c.cloud_service_id).where(
            cloud_service_department.c.department_id == filters.department_id)
        stmt = stmt.where(or_(CloudService.department_id == filters.department_id,
                              CloudService.id.in_(users)))
    if filters.terms_type is not None:
        stmt = stmt.where(CloudService.terms_type == filters.terms_type)
    if filters.high_only:
        stmt = stmt.where(CloudService.handles_high_confidentiality.is_(True))
    if filters.approval is not None:
        stmt = stmt.where(approval_is(filters.approval, today))
    if filters.ismap is not None:
        stmt = stmt.where(has_ismap() if filters.ismap else ~has_ismap())
    if filters.risk_only:
        stmt = stmt.where(at_risk(today))
    if not filters.include_archived:
        stmt = stmt.where(CloudService.archived_at.is_(None))
    return stmt


def cloud_service_detail(service_id: int) -> Select:
    """One service with everything its page and edit form show."""
    return (select(CloudService).where(CloudService.id == service_id)
            .options(joinedload(CloudService.department), joinedload(CloudService.responsible_officer),
                     joinedload(CloudService.provider_contractor),
                     selectinload(CloudService.using_departments)))


def manager_candidates() -> Select:
    """People who can be named 外部サービス管理者 / 責任者: active city staff."""
    return (select(User)
            .where(User.active.is_(True), User.archived_at.is_(None), User.role != Role.CONTRACTOR)
            .order_by(User.name_kana, User.name, User.id))


def provider_candidates() -> Select:
    """Contractors offered as a service's provider."""
    return (select(Contractor).where(Contractor.archived_at.is_(None))
            .order_by(Contractor.name_kana, Contractor.id))
