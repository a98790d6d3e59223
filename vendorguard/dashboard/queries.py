"""Reads behind the home page (a to-do list).

Each section is a plain ``Select`` of what needs doing, most urgent first. The page counts every
section in one query (``counts``: one scalar subquery per section) and reads rows only for the
few most urgent non-empty sections, so its query count does not depend on the data.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select, true
from sqlalchemy.orm import contains_eager, joinedload

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements import access
from vendorguard.arrangements.models import Arrangement, ArrangementKind, ArrangementState
from vendorguard.auth.models import User
from vendorguard.cloud import queries as cloud_queries
from vendorguard.cloud.models import CloudService
from vendorguard.contractors.models import Certification, Contractor
from vendorguard.contractors.queries import superseded_certification
from vendorguard.core.timeutil import fiscal_year
from vendorguard.engagements.models import Engagement, Subcontractor
from vendorguard.evidence.models import EvidenceStanding
from vendorguard.org.models import Department
from vendorguard.questionnaires.models import (
    WAITING,
    QuestionnaireRequest,
    QuestionnaireTemplate,
    RequestStatus,
)

BLOCK_ROWS = 5  # rows shown per open section
ENDING_WITHIN_DAYS = 60
CERTIFICATION_WARNING_DAYS = 90


def live_engagement(today: date):
    """Engagements still in force or yet to start: not archived, not ended, end date not passed."""
    return and_(
        Engagement.archived_at.is_(None),
        Engagement.state != ArrangementState.ENDED,
        Engagement.ends_on >= today,
    )


def _in_department(column, department_id: int | None):
    return true() if department_id is None else column == department_id


def ending_engagements(today: date, department_id: int | None) -> Select:
    """Engagements whose contract ends within the next 60 days, soonest first."""
    return (
        select(Engagement)
        .options(joinedload(Engagement.department), joinedload(Engagement.contractor))
        .where(
            live_engagement(today),
            Engagement.ends_on <= today + timedelta(days=ENDING_WITHIN_DAYS),
            _in_department(Engagement.department_id, department_id),
        )
        .order_by(Engagement.ends_on, Engagement.id)
    )


def pending_subcontractors(today: date, department_id: int | None) -> Select:
    """Subcontractors of live engagements that the city has not yet approved (許諾)."""
    return (
        select(Subcontractor)
        .join(Engagement, Engagement.id == Subcontractor.engagement_id)
        .options(contains_eager(Subcontractor.engagement))
        .where(
            Subcontractor.approved_on.is_(None),
            Subcontractor.archived_at.is_(None),
            live_engagement(today),
            _in_department(Engagement.department_id, department_id),
        )
        .order_by(Subcontractor.created_at, Subcontractor.id)
    )


def expiring_certifications(
    today: date, department_id: int | None, within_days: int = CERTIFICATION_WARNING_DAYS
) -> Select:
    """Latest certificate per contractor and kind that has expired or expires within
    ``within_days``, for contractors with a live engagement (of the department, when given)."""
    superseded = superseded_certification()
    engaged = select(Engagement.contractor_id).where(
        live_engagement(today), _in_department(Engagement.department_id, department_id)
    )
    return (
        select(Certification)
        .join(Contractor, Contractor.id == Certification.contractor_id)
        .options(contains_eager(Certification.contractor))
        .where(
            Certification.archived_at.is_(None),
            Contractor.archived_at.is_(None),
            Certification.valid_until.is_not(None),
            Certification.valid_until <= today + timedelta(days=within_days),
            Certification.contractor_id.in_(engaged),
            ~superseded,
        )
        .order_by(Certification.valid_until, Certification.id)
    )


def _open_cloud():
    # The kind named too: the planner then reads the 600 services through the kind index instead
    # of hashing all 20,000 arrangements to join them.
    return and_(
        CloudService.kind == ArrangementKind.CLOUD_SERVICE.value,
        CloudService.archived_at.is_(None),
        CloudService.state != ArrangementState.ENDED,
    )


def cloud_awaiting_approval() -> Select:
    """Cloud services whose use application waits for the security office, oldest first."""
    return (
        select(CloudService)
        .options(joinedload(CloudService.department), joinedload(CloudService.provider_contractor))
        .where(_open_cloud(), CloudService.approval_state == ApprovalState.APPLIED)
        .order_by(CloudService.updated_at, CloudService.id)
    )


def cloud_risks(today: date) -> Select:
    """Services handling 機密性2以上 without an ISMAP registration number or without a current approval."""
    return (
        select(CloudService)
        .options(joinedload(CloudService.department), joinedload(CloudService.provider_contractor))
        .where(_open_cloud(), cloud_queries.at_risk(today))
        .order_by(CloudService.title, CloudService.id)
    )


def engagements_without_officer(today: date, department_id: int | None) -> Select:
    """Live engagements that name no responsible officer (責任者)."""
    return (
        select(Engagement)
        .options(joinedload(Engagement.department), joinedload(Engagement.contractor))
        .where(
            live_engagement(today),
            Engagement.responsible_officer_id.is_(None),
            _in_department(Engagement.department_id, department_id),
        )
        .order_by(Engagement.starts_on, Engagement.id)
    )


def _count(entity, *conditions):
    return select(func.count()).select_from(entity).where(*conditions).scalar_subquery()


def register_counts() -> Select:
    """How many records each register holds (archived ones not counted), for the auditor.

    Arrangements of every kind are counted in one pass over ``arrangement`` (its ``kind`` column
    says which register), not by joining each kind's table. Audit events are not counted: the page
    shows the chain's last number, read with the user (``dashboard.kept.read_audit_head``).
    """
    live = Arrangement.archived_at.is_(None)
    kinds = (
        select(
            *(
                func.count().filter(Arrangement.kind == kind.value).label(kind.value)
                for kind in (
                    ArrangementKind.ENGAGEMENT,
                    ArrangementKind.CLOUD_SERVICE,
                    ArrangementKind.SOCIAL_ACCOUNT,
                )
            )
        )
        .where(live)
        .subquery()
    )
    return select(
        _count(Department, Department.archived_at.is_(None)).label("departments"),
        _count(User, User.archived_at.is_(None), User.active.is_(True)).label("users"),
        _count(Contractor, Contractor.archived_at.is_(None)).label("contractors"),
        kinds.c.engagement.label("engagements"),
        kinds.c.cloud_service.label("cloud_services"),
        kinds.c.social_account.label("social_accounts"),
    )


# -- self-checks (statements the page counts together) --


def _questionnaires(user) -> Select:
    return (
        select(QuestionnaireRequest)
        .join(Arrangement, Arrangement.id == QuestionnaireRequest.arrangement_id)
        .where(access.managed_by(user), Arrangement.archived_at.is_(None))
        .options(
            contains_eager(QuestionnaireRequest.arrangement).joinedload(Arrangement.department)
        )
        .order_by(QuestionnaireRequest.due_on, QuestionnaireRequest.id)
    )


def self_checks_overdue(user, today: date) -> Select:
    """Self-checks the contractor still has to answer, past their due date."""
    return _questionnaires(user).where(
        QuestionnaireRequest.status.in_(WAITING), QuestionnaireRequest.due_on < today
    )


def self_checks_due(user, today: date, within_days: int = 30) -> Select:
    """Self-checks still to be answered that are overdue or due within ``within_days``."""
    return _questionnaires(user).where(
        QuestionnaireRequest.status.in_(WAITING),
        QuestionnaireRequest.due_on <= today + timedelta(days=within_days),
    )


def self_checks_to_review(user) -> Select:
    """Answered self-checks waiting for the department's review."""
    return _questionnaires(user).where(QuestionnaireRequest.status == RequestStatus.SUBMITTED)


def self_checks_to_send(user, today: date) -> Select:
    """Arrangements with a self-check template but no request this fiscal year."""
    kinds = select(QuestionnaireTemplate.applies_to).where(
        QuestionnaireTemplate.archived_at.is_(None)
    )
    sent = select(QuestionnaireRequest.arrangement_id).where(
        QuestionnaireRequest.fiscal_year == fiscal_year(today),
        QuestionnaireRequest.status != RequestStatus.CANCELLED,
    )
    return (
        select(Arrangement)
        .options(joinedload(Arrangement.department))
        .where(
            access.managed_by(user),
            Arrangement.archived_at.is_(None),
            Arrangement.state != ArrangementState.ENDED,
            Arrangement.kind.in_(kinds),
            Arrangement.id.not_in(sent),
        )
        .order_by(Arrangement.title, Arrangement.id)
    )


# -- counting and the chart -------------------------------------------------------------------------


def count_of(stmt: Select, bound: int):
    """``stmt``'s number of rows, at most ``bound + 1``, as a scalar subquery (its order and loader
    options dropped): counting a LIMITed subquery stops the walk at the bound."""
    inner = stmt.order_by(None).limit(bound + 1).subquery()
    return select(func.count()).select_from(inner).scalar_subquery()


def counts(statements: dict[str, Select], bound: int) -> Select:
    """One row with every statement's row count (at most ``bound + 1``), labelled by its key: the
    page's counts in one query."""
    return select(*(count_of(stmt, bound).label(key) for key, stmt in statements.items()))


def assurance_by_department(user, today: date, department_id: int | None) -> Select:
    """Per department: live arrangements ``user`` may read, how many have evidence that is overdue,
    due today or waiting for review (要対応), and how many have no evidence requirement in use.

    One grouped query over the arrangements and their kept ``EvidenceStanding`` (one row each,
    maintained with the evidence by ``evidence.standing``): requests and requirements are not read.
    The whole city joins the two tables once (one narrow row per arrangement); one department
    probes the standing by key for each of its arrangements, so its chart costs its own few
    hundred arrangements, not a pass over the city's standings.
    """
    standing = EvidenceStanding
    attention: ColumnElement[Any]
    in_use: ColumnElement[Any]
    if department_id is None:
        attention = func.count(standing.arrangement_id).filter(standing.due_from <= today)
        in_use = func.count(standing.arrangement_id).filter(standing.in_use.is_(True))
        stmt = select(Arrangement).outerjoin(standing, standing.arrangement_id == Arrangement.id)
    else:
        mine = standing.arrangement_id == Arrangement.id
        attention = func.count().filter(exists().where(mine, standing.due_from <= today))
        in_use = func.count().filter(exists().where(mine, standing.in_use.is_(True)))
        stmt = select(Arrangement)
    return (
        stmt.with_only_columns(
            Department.id,
            Department.name,
            func.count(Arrangement.id).label("live"),
            attention.label("attention"),
            (func.count(Arrangement.id) - in_use).label("without"),
            maintain_column_froms=False,
        )
        .join(Department, Department.id == Arrangement.department_id)
        .where(
            Arrangement.archived_at.is_(None),
            Arrangement.state != ArrangementState.ENDED,
            access.visible_to(user),
            _in_department(Arrangement.department_id, department_id),
        )
        .group_by(Department.id, Department.name, Department.name_kana)
        .order_by(Department.name_kana, Department.id)
    )
