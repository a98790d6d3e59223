"""The yearly oversight report's reads: one GROUP BY query per figure, whatever the data size.

Every engagement figure is grouped by (department, risk tier) so the service can add rows up to
departments, tiers and the city total; figures that are not additive (a certificate counts once
even when its contractor works for two departments) take the grouping column as a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased, selectinload

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import Arrangement, ArrangementState
from vendorguard.assessments.models import Action, ActionStatus, Assessment
from vendorguard.cloud.models import CloudService
from vendorguard.cloud.queries import ismap_status_is
from vendorguard.contractors.models import Certification
from vendorguard.contractors.queries import superseded_certification
from vendorguard.engagements.models import Engagement, RiskTier
from vendorguard.evidence.models import AWAITING_PROVIDER, EvidenceRequest, RequestStatus
from vendorguard.inspections.models import Inspection, InspectionStatus
from vendorguard.ismap.matching import IsmapStatus
from vendorguard.questionnaires.models import QuestionnaireRequest
from vendorguard.questionnaires.models import RequestStatus as QuestionnaireStatus
from vendorguard.social.models import SocialAccount, SocialAttestation

# Statuses that mean a submission arrived (差戻し too: something was received and reviewed).
RECEIVED = (RequestStatus.SUBMITTED, RequestStatus.ACCEPTED, RequestStatus.REJECTED)
LIVE = (ArrangementState.ACTIVE, ArrangementState.SUSPENDED)


@dataclass(frozen=True)
class Year:
    """A fiscal year (1 April – 31 March) and the day open items are judged on."""

    fiscal_year: int
    as_of: date

    @property
    def starts_on(self) -> date:
        return date(self.fiscal_year, 4, 1)

    @property
    def ends_on(self) -> date:
        return date(self.fiscal_year + 1, 3, 31)

    def within(self, column) -> ColumnElement[bool]:
        """The date column falls inside the fiscal year."""
        return and_(column >= self.starts_on, column <= self.ends_on)


def _count_if(condition) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum_of(value) -> ColumnElement[int]:
    return func.coalesce(func.sum(value), 0)


def engagements_in_year(year: Year) -> ColumnElement[bool]:
    """Contracted engagements (not drafts, not archived) whose period overlaps the fiscal year."""
    return and_(
        Engagement.archived_at.is_(None),
        Engagement.state != ArrangementState.DRAFT,
        Engagement.starts_on <= year.ends_on,
        Engagement.ends_on >= year.starts_on,
    )


def per_tier(values: dict[str, int], untiered: int) -> ColumnElement[int]:
    """A CASE giving each engagement the number its tier sets (``values``: tier value -> number)."""
    return case(
        *[(Engagement.tier == tier, number) for tier, number in values.items()], else_=untiered
    )


def engagement_figures(
    year: Year,
    assessments_required: ColumnElement[int],
    self_checks_required: ColumnElement[int],
    inspections_required: ColumnElement[int],
) -> Select:
    """Per (department, tier): engagements, and assessments, self-checks and inspections done and
    required. The ``*_required`` CASEs come from the tiers' policy (``services``)."""
    assessed = (
        select(func.count())
        .where(
            Assessment.arrangement_id == Engagement.id,
            Assessment.archived_at.is_(None),
            year.within(Assessment.assessed_on),
        )
        .correlate(Engagement)
        .scalar_subquery()
    )
    self_checked = (
        select(func.count())
        .where(
            QuestionnaireRequest.arrangement_id == Engagement.id,
            QuestionnaireRequest.fiscal_year == year.fiscal_year,
            QuestionnaireRequest.status == QuestionnaireStatus.CLOSED,
        )
        .correlate(Engagement)
        .scalar_subquery()
    )
    sent = (
        select(func.count())
        .where(
            QuestionnaireRequest.arrangement_id == Engagement.id,
            QuestionnaireRequest.fiscal_year == year.fiscal_year,
            QuestionnaireRequest.status != QuestionnaireStatus.CANCELLED,
        )
        .correlate(Engagement)
        .scalar_subquery()
    )
    inspected = (
        select(func.count())
        .where(
            Inspection.arrangement_id == Engagement.id,
            Inspection.fiscal_year == year.fiscal_year,
            Inspection.status == InspectionStatus.DONE,
        )
        .correlate(Engagement)
        .scalar_subquery()
    )
    live = Engagement.state.in_(LIVE)
    return (
        select(
            Engagement.department_id,
            Engagement.tier,
            func.count().label("engagements"),
            _sum_of(assessed).label("assessments_done"),
            _sum_of(assessments_required).label("assessments_required"),
            _sum_of(self_checked).label("self_checks_done"),
            _sum_of(sent).label("self_checks_sent"),
            _sum_of(self_checks_required).label("self_checks_required"),
            _sum_of(inspected).label("inspections_done"),
            _sum_of(case((live, inspections_required), else_=0)).label("inspections_required"),
        )
        .where(engagements_in_year(year))
        .group_by(Engagement.department_id, Engagement.tier)
    )


def _tier_of_arrangement():
    """An outer join from arrangements to engagements: cloud services and SNS have no tier."""
    return aliased(Engagement.__table__)


def evidence_figures(year: Year) -> Select:
    """Per (department, tier): evidence requests due in the year, received, accepted, overdue."""
    tier = _tier_of_arrangement()
    awaiting = EvidenceRequest.status.in_(list(AWAITING_PROVIDER))
    return (
        select(
            Arrangement.department_id,
            tier.c.tier,
            func.count().label("requests"),
            _count_if(EvidenceRequest.status.in_(RECEIVED)).label("received"),
            _count_if(EvidenceRequest.status == RequestStatus.ACCEPTED).label("accepted"),
            _count_if(and_(awaiting, EvidenceRequest.due_on < year.as_of)).label("overdue"),
        )
        .join(Arrangement, Arrangement.id == EvidenceRequest.arrangement_id)
        .outerjoin(tier, tier.c.id == Arrangement.id)
        .where(
            Arrangement.archived_at.is_(None),
            EvidenceRequest.status != RequestStatus.CLOSED,
            year.within(EvidenceRequest.due_on),
        )
        .group_by(Arrangement.department_id, tier.c.tier)
    )


def action_figures(year: Year) -> Select:
    """Per (department, tier): findings raised in the year, closed in the year, open, open overdue."""
    tier = _tier_of_arrangement()
    is_open = Action.status == ActionStatus.OPEN
    return (
        select(
            Arrangement.department_id,
            tier.c.tier,
            _count_if(year.within(Assessment.assessed_on)).label("actions_raised"),
            _count_if(
                and_(Action.status == ActionStatus.CLOSED, year.within(Action.closed_on))
            ).label("actions_closed"),
            _count_if(is_open).label("actions_open"),
            _count_if(and_(is_open, Action.due_on < year.as_of)).label("actions_overdue"),
        )
        .join(Assessment, Assessment.id == Action.assessment_id)
        .join(Arrangement, Arrangement.id == Action.arrangement_id)
        .outerjoin(tier, tier.c.id == Arrangement.id)
        .where(Arrangement.archived_at.is_(None), Assessment.archived_at.is_(None))
        .group_by(Arrangement.department_id, tier.c.tier)
    )


def certificate_figures(year: Year, by: str | None) -> Select:
    """Contractors' latest certificates (per kind) that expire within the year / have expired by
    ``as_of``, for contractors with an engagement in the year; grouped by ``department``,
    ``tier`` or nothing (the city total: a certificate counts once however many departments)."""
    superseded = superseded_certification()
    key = {
        "department": Engagement.department_id,
        "tier": Engagement.tier,
        None: literal(None),
    }[by]
    distinct = func.count(
        func.distinct(case((year.within(Certification.valid_until), Certification.id)))
    )
    expired = func.count(
        func.distinct(case((Certification.valid_until < year.as_of, Certification.id)))
    )
    stmt: Select = (
        select(
            key.label("key"),
            distinct.label("certificates_expiring"),
            expired.label("certificates_expired"),
        )
        .join(Engagement, Engagement.contractor_id == Certification.contractor_id)
        .where(
            engagements_in_year(year),
            Certification.archived_at.is_(None),
            Certification.valid_until.is_not(None),
            ~superseded,
        )
    )
    return stmt.group_by(key) if by is not None else stmt


ISMAP_ORDER = (
    IsmapStatus.LEFT_LIST,
    IsmapStatus.RENEWAL_PENDING,
    IsmapStatus.EXPIRED,
    IsmapStatus.EXPIRING,
    IsmapStatus.REGISTERED,
)


def ismap_figures(year: Year) -> Select:
    """Per (department, ISMAP status, 機密性2以上): cloud services in use (not ended, not archived).

    The CASE follows ``ismap.matching.status_for``'s precedence, judged on ``as_of``."""
    status = case(
        *[(ismap_status_is(s, year.as_of), s.value) for s in ISMAP_ORDER],
        else_=IsmapStatus.NOT_REGISTERED.value,
    )
    return (
        select(
            CloudService.department_id,
            status.label("status"),
            CloudService.handles_high_confidentiality,
            func.count().label("services"),
        )
        .where(
            CloudService.archived_at.is_(None),
            CloudService.state != ArrangementState.ENDED,
            CloudService.state != ArrangementState.DRAFT,
        )
        .group_by(CloudService.department_id, status, CloudService.handles_high_confidentiality)
    )


def social_figures(year: Year) -> Select:
    """Per department: approved running SNS accounts, attested in the year, attestation overdue."""
    attested = exists(
        select(SocialAttestation.id).where(
            SocialAttestation.account_id == SocialAccount.id,
            year.within(SocialAttestation.attested_on),
        )
    )
    overdue = or_(SocialAccount.next_review_on.is_(None), SocialAccount.next_review_on < year.as_of)
    return (
        select(
            SocialAccount.department_id,
            func.count().label("accounts"),
            _count_if(attested).label("attested"),
            _count_if(overdue).label("attestation_overdue"),
        )
        .where(
            SocialAccount.archived_at.is_(None),
            SocialAccount.state != ArrangementState.ENDED,
            SocialAccount.approval_state == ApprovalState.APPROVED,
        )
        .group_by(SocialAccount.department_id)
    )


def engagements_for_coverage(year: Year) -> Select:
    """The year's engagements with what their catalog facts read (a fixed number of queries)."""
    return (
        select(Engagement)
        .where(engagements_in_year(year))
        .options(
            selectinload(Engagement.information_items),
            selectinload(Engagement.subcontractors),
        )
        .order_by(Engagement.id)
    )


TIERS = [tier.value for tier in RiskTier]
