"""A tier change reschedules evidence: the risk-scaled report follows the tier's cadence, nothing is
requested twice and nothing already submitted is lost; the review date follows the interval."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.evidence.helpers import store
from vendorguard.arrangements.models import ArrangementState
from vendorguard.core.dates import add_months
from vendorguard.core.timeutil import today_tokyo
from vendorguard.engagements.models import Engagement, RiskTier
from vendorguard.evidence import services as evidence_services
from vendorguard.evidence.models import (
    Cadence,
    EvidenceRequest,
    EvidenceRequirement,
    RequestStatus,
)
from vendorguard.extensions import db
from vendorguard.tiers import services

REPORT = "ENG-SECURITY-REPORT"


def _report(engagement) -> EvidenceRequirement:
    return db.session.scalars(
        select(EvidenceRequirement).where(
            EvidenceRequirement.arrangement_id == engagement.id,
            EvidenceRequirement.template_code == REPORT,
        )
    ).one()


def _requests(requirement) -> dict[str, RequestStatus]:
    return dict(
        db.session.execute(
            select(EvidenceRequest.occurrence, EvidenceRequest.status).where(
                EvidenceRequest.evidence_requirement_id == requirement.id
            )
        )
        .tuples()
        .all()
    )


def _request(requirement, occurrence) -> EvidenceRequest:
    return db.session.scalars(
        select(EvidenceRequest).where(
            EvidenceRequest.evidence_requirement_id == requirement.id,
            EvidenceRequest.occurrence == occurrence,
        )
    ).one()


def _total_requests() -> int:
    return db.session.execute(select(func.count(EvidenceRequest.id))).scalar_one()


def test_changing_one_input_reschedules_without_duplicates_or_lost_submissions(make):
    make.schemes()
    engagement = make.engagement(
        handles_personal_info=True,
        state=ArrangementState.ACTIVE,
        starts_on=date(2026, 4, 1),
        ends_on=date(2028, 3, 31),
        next_review_on=date(2027, 4, 1),
    )
    assert engagement.tier == RiskTier.C
    evidence_services.refresh(db.session, engagement, date(2026, 4, 1))
    db.session.commit()
    report = _report(engagement)
    assert report.cadence == Cadence.YEARLY
    assert _requests(report) == {"FY2026": RequestStatus.OPEN, "FY2027": RequestStatus.OPEN}

    # the contractor submits the FY2026 report before anything changes
    evidence_services.submit(db.session, _request(report, "FY2026"), [store()], "年次報告")
    db.session.commit()

    # one input changes: the work now handles My Number → tier A, quarterly reports
    engagement = db.session.get_one(Engagement, engagement.id)
    engagement.handles_my_number = True
    db.session.commit()
    engagement = db.session.get_one(Engagement, engagement.id)
    assert engagement.tier == RiskTier.A
    report = _report(engagement)
    assert report.cadence == Cadence.QUARTERLY
    assert report.validity_days == 122
    statuses = _requests(report)
    assert statuses["FY2026"] == RequestStatus.SUBMITTED  # kept with its submission
    assert statuses["FY2027"] == RequestStatus.CLOSED  # waiting one withdrawn, not deleted
    quarters = {f"FY{fy}-Q{q}" for fy in (2026, 2027) for q in range(1, 5)}
    assert {key for key, status in statuses.items() if status == RequestStatus.OPEN} == quarters
    # the review interval went from 12 to 6 months: the next review comes 6 months earlier
    # (never before today: a review already overdue is due now)
    raised_review = max(date(2026, 10, 1), today_tokyo())
    assert engagement.next_review_on == raised_review

    # the daily schedule run adds what My Number work needs (the monthly report); running it
    # again, or recomputing the tier again, requests nothing twice
    evidence_services.refresh(db.session, engagement, date(2026, 5, 1))
    db.session.commit()
    count = _total_requests()
    assert services.recompute(db.session, [engagement.id], date(2026, 5, 1)) == []
    evidence_services.refresh(db.session, engagement, date(2026, 5, 1))
    db.session.commit()
    assert _total_requests() == count
    assert _requests(_report(engagement)) == statuses

    # back to tier C: the withdrawn yearly request comes back instead of a new one
    engagement = db.session.get_one(Engagement, engagement.id)
    engagement.handles_my_number = False
    db.session.commit()
    statuses = _requests(_report(engagement))
    assert _total_requests() == count
    assert statuses["FY2026"] == RequestStatus.SUBMITTED
    assert statuses["FY2027"] == RequestStatus.OPEN
    assert {statuses[key] for key in quarters} == {RequestStatus.CLOSED}
    assert db.session.get_one(Engagement, engagement.id).next_review_on == add_months(
        raised_review, 6
    )


def test_an_engagement_without_evidence_gets_none_from_a_tier_change(make):
    make.schemes()
    engagement = make.engagement(state=ArrangementState.ACTIVE)
    engagement.handles_my_number = True
    db.session.commit()
    assert db.session.get_one(Engagement, engagement.id).tier == RiskTier.A
    assert _total_requests() == 0
