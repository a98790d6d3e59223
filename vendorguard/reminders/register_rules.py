"""Rules over the registers: expiring certificates, ISMAP registrations, evidence, approvals,
reviews, contract ends, and social-media accounts that lack a responsible person or MFA."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import Arrangement, ArrangementKind, ArrangementState
from vendorguard.cloud.models import CloudService
from vendorguard.contractors.models import Certification, Contractor
from vendorguard.contractors.queries import superseded_certification
from vendorguard.engagements.models import Engagement
from vendorguard.evidence.models import (
    EvidenceRequest,
    EvidenceRequirement,
    EvidenceSubmission,
    RequestStatus,
    ReviewDecision,
)
from vendorguard.ismap.matching import normalise_number
from vendorguard.ismap.models import IsmapRegistration
from vendorguard.org.models import Department
from vendorguard.reminders import kinds
from vendorguard.reminders.kinds import RuleSetting
from vendorguard.reminders.rules import (
    ADMINS,
    Candidate,
    ahead,
    arrangement_link,
    days_between,
    officers,
    window_condition,
)
from vendorguard.social.models import SocialAccount

LIVE = (ArrangementState.ACTIVE, ArrangementState.SUSPENDED)
FLAG_EPOCH = date(2024, 1, 1)  # a Monday: weekly flag periods start on Mondays


def _arrangement_columns():
    return (
        Arrangement.id.label("arrangement_id"),
        Arrangement.title.label("arrangement"),
        Arrangement.kind,
        Arrangement.department_id,
        Arrangement.responsible_officer_id,
        Department.name.label("department"),
    )


def _arrangement_data(row, target: date) -> dict:
    return {
        "arrangement": row.arrangement,
        "arrangement_kind": row.kind,
        "department": row.department,
        "target_on": target.isoformat(),
        "links": [arrangement_link(row.kind, row.arrangement_id)],
    }


def certification_expiry(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Certificates ending soon, not yet replaced, of contractors with an engagement under way."""
    certs = session.execute(
        select(
            Certification.id,
            Certification.contractor_id,
            Certification.kind,
            Certification.kind_other,
            Certification.number,
            Certification.valid_until,
            Contractor.name.label("contractor"),
        )
        .join(Contractor, Contractor.id == Certification.contractor_id)
        .where(
            window_condition(Certification.valid_until, first, last, setting),
            Certification.archived_at.is_(None),
            Contractor.archived_at.is_(None),
            ~superseded_certification(),
        )
    ).all()
    if not certs:
        return []
    engagements = defaultdict(list)
    for row in session.execute(
        select(Engagement.contractor_id, *_arrangement_columns())
        .join(Department, Department.id == Arrangement.department_id)
        .where(
            Engagement.contractor_id.in_({c.contractor_id for c in certs}),
            Arrangement.archived_at.is_(None),
            Arrangement.state == ArrangementState.ACTIVE,
            Engagement.ends_on >= first,
        )
        .order_by(Arrangement.id)
    ):
        engagements[row.contractor_id].append(row)
    result = []
    for cert in certs:
        work = engagements.get(cert.contractor_id)
        if not work:
            continue
        audiences = tuple(
            dict.fromkeys(officers(w.department_id, w.responsible_officer_id, w.kind) for w in work)
        )
        data = {
            "contractor": cert.contractor,
            "cert_kind": str(cert.kind),
            "cert_kind_other": cert.kind_other,
            "cert_number": cert.number,
            "target_on": cert.valid_until.isoformat(),
            "engagements": [w.arrangement for w in work[:5]],
            "more_engagements": max(0, len(work) - 5),
            "links": [["contractors.detail", {"contractor_id": cert.contractor_id}]],
        }
        for day, stage, left in ahead(first, last, setting, cert.valid_until):
            result.append(
                Candidate(
                    day,
                    kinds.CERTIFICATION_EXPIRY,
                    f"cert:{cert.id}:{cert.valid_until}",
                    stage,
                    cert.valid_until,
                    "certification",
                    cert.id,
                    None,
                    {**data, "days": left},
                    audiences,
                )
            )
    return result


def ismap_expiry(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """ISMAP registrations ending soon (no renewal pending, still listed) of the services that name them."""
    registrations = session.execute(
        select(
            IsmapRegistration.registration_number,
            IsmapRegistration.valid_until,
            IsmapRegistration.service_name,
        ).where(
            window_condition(IsmapRegistration.valid_until, first, last, setting),
            IsmapRegistration.renewal_pending.is_(False),
            IsmapRegistration.left_list_on.is_(None),
        )
    ).all()
    by_number = {normalise_number(r.registration_number): r for r in registrations}
    if not by_number:
        return []
    services = session.execute(
        select(CloudService.ismap_registration_number, *_arrangement_columns())
        .join(Department, Department.id == Arrangement.department_id)
        .where(
            func.upper(CloudService.ismap_registration_number).in_(
                {r.registration_number.upper() for r in registrations} | set(by_number)
            ),
            Arrangement.archived_at.is_(None),
            Arrangement.state != ArrangementState.ENDED,
        )
    ).all()
    result = []
    for service in services:
        registration = by_number.get(normalise_number(service.ismap_registration_number))
        if registration is None:
            continue
        until = registration.valid_until
        data = {
            **_arrangement_data(service, until),
            "registration_number": registration.registration_number,
            "registered_name": registration.service_name,
        }
        for day, stage, left in ahead(first, last, setting, until):
            result.append(
                Candidate(
                    day,
                    kinds.ISMAP_EXPIRY,
                    f"ismap:{service.arrangement_id}:{until}",
                    stage,
                    until,
                    "cloud_service",
                    service.arrangement_id,
                    service.arrangement_id,
                    {**data, "days": left},
                    (
                        officers(
                            service.department_id,
                            service.responsible_officer_id,
                            ArrangementKind.CLOUD_SERVICE,
                        ),
                    ),
                )
            )
    return result


def evidence_expiry(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Accepted evidence whose validity ends soon and that no later accepted evidence replaces."""
    # The window first, on its own index: planners otherwise like to start from the (many) accepted requests.
    ids = list(
        session.scalars(
            select(EvidenceSubmission.id).where(
                window_condition(EvidenceSubmission.valid_until, first, last, setting),
                EvidenceSubmission.decision == ReviewDecision.ACCEPTED,
            )
        )
    )
    if not ids:
        return []
    later, later_request = aliased(EvidenceSubmission), aliased(EvidenceRequest)
    replaced = exists().where(
        later.request_id == later_request.id,
        later_request.evidence_requirement_id == EvidenceRequest.evidence_requirement_id,
        later.decision == ReviewDecision.ACCEPTED,
        later.id != EvidenceSubmission.id,
        or_(later.valid_until.is_(None), later.valid_until > EvidenceSubmission.valid_until),
    )
    rows = session.execute(
        select(
            EvidenceSubmission.id,
            EvidenceSubmission.valid_until,
            EvidenceSubmission.request_id,
            EvidenceRequest.occurrence,
            EvidenceRequirement.title,
            *_arrangement_columns(),
        )
        .join(EvidenceRequest, EvidenceRequest.id == EvidenceSubmission.request_id)
        .join(
            EvidenceRequirement, EvidenceRequirement.id == EvidenceRequest.evidence_requirement_id
        )
        .join(Arrangement, Arrangement.id == EvidenceRequest.arrangement_id)
        .join(Department, Department.id == Arrangement.department_id)
        .where(
            EvidenceSubmission.id.in_(ids),
            EvidenceRequest.status == RequestStatus.ACCEPTED,
            Arrangement.archived_at.is_(None),
            EvidenceRequirement.archived_at.is_(None),
            ~replaced,
        )
    ).all()
    result = []
    for row in rows:
        data = _arrangement_data(row, row.valid_until)
        data.update(
            title=row.title,
            occurrence=row.occurrence,
            links=[["evidence.request_detail", {"request_id": row.request_id}], *data["links"]],
        )
        for day, stage, left in ahead(first, last, setting, row.valid_until):
            result.append(
                Candidate(
                    day,
                    kinds.EVIDENCE_EXPIRY,
                    f"evsub:{row.id}:{row.valid_until}",
                    stage,
                    row.valid_until,
                    "evidence_submission",
                    row.id,
                    row.arrangement_id,
                    {**data, "days": left},
                    (
                        officers(
                            row.department_id,
                            row.responsible_officer_id,
                            row.kind,
                        ),
                    ),
                )
            )
    return result


def _arrangement_dates(
    session: Session, column, first: date, last: date, setting: RuleSetting, *conditions
) -> Sequence[Row[Any]]:
    return session.execute(
        select(column.label("target"), *_arrangement_columns())
        .join(Department, Department.id == Arrangement.department_id)
        .where(
            window_condition(column, first, last, setting),
            Arrangement.archived_at.is_(None),
            *conditions,
        )
    ).all()


def _dated(
    rows, first, last, setting, kind, prefix, stage_prefix="expiry", links=None
) -> list[Candidate]:
    result = []
    for row in rows:
        data = _arrangement_data(row, row.target)
        if links:
            data["links"] = [*links(row), *data["links"]]
        for day, stage, left in ahead(first, last, setting, row.target, stage_prefix):
            result.append(
                Candidate(
                    day,
                    kind,
                    f"{prefix}:{row.arrangement_id}:{row.target}",
                    stage,
                    row.target,
                    row.kind,
                    row.arrangement_id,
                    row.arrangement_id,
                    {**data, "days": left},
                    (officers(row.department_id, row.responsible_officer_id, row.kind),),
                )
            )
    return result


def review_due(session: Session, first: date, last: date, setting: RuleSetting) -> list[Candidate]:
    """Engagements and cloud services whose next review (assessment) is near."""
    rows = _arrangement_dates(
        session,
        Arrangement.next_review_on,
        first,
        last,
        setting,
        Arrangement.state.in_(LIVE),
        Arrangement.kind.in_(
            (ArrangementKind.ENGAGEMENT.value, ArrangementKind.CLOUD_SERVICE.value)
        ),
    )
    return _dated(
        rows,
        first,
        last,
        setting,
        kinds.REVIEW_DUE,
        "review",
        "review",
        links=lambda row: [["assessments.history", {"arrangement_id": row.arrangement_id}]],
    )


def approval_expiry(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Cloud services whose use approval ends soon."""
    rows = _arrangement_dates(
        session,
        CloudService.approval_valid_until,
        first,
        last,
        setting,
        CloudService.approval_state == ApprovalState.APPROVED,
        Arrangement.state != ArrangementState.ENDED,
    )
    return _dated(rows, first, last, setting, kinds.APPROVAL_EXPIRY, "approval")


def contract_end(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Engagements ending soon: the department collects the return / deletion evidence."""
    rows = _arrangement_dates(
        session,
        Engagement.ends_on,
        first,
        last,
        setting,
        Arrangement.state == ArrangementState.ACTIVE,
    )
    return _dated(
        rows,
        first,
        last,
        setting,
        kinds.CONTRACT_END,
        "end",
        "end",
        # The exit checklist (supervision) is where the return and erasure are recorded.
        links=lambda row: [["supervision.exit_checklist", {"engagement_id": row.arrangement_id}]],
    )


def social_review(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Approved social-media accounts whose periodic review is near."""
    rows = _arrangement_dates(
        session,
        SocialAccount.next_review_on,
        first,
        last,
        setting,
        SocialAccount.approval_state == ApprovalState.APPROVED,
        Arrangement.state != ArrangementState.ENDED,
    )
    return _dated(rows, first, last, setting, kinds.SOCIAL_REVIEW, "snsreview", "review")


def social_flags(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Accounts in use with no responsible person or with MFA off, to the security office every period."""
    rows = session.execute(
        select(
            SocialAccount.id,
            SocialAccount.title,
            SocialAccount.handle,
            SocialAccount.platform,
            SocialAccount.responsible_officer_id,
            SocialAccount.mfa_enabled,
            SocialAccount.department_id,
            Department.name.label("department"),
        )
        .join(Department, Department.id == SocialAccount.department_id)
        .where(
            SocialAccount.approval_state == ApprovalState.APPROVED,
            SocialAccount.archived_at.is_(None),
            SocialAccount.state != ArrangementState.ENDED,
            or_(
                SocialAccount.responsible_officer_id.is_(None),
                SocialAccount.mfa_enabled.isnot(True),
            ),
        )
    ).all()
    repeat = setting.repeat_days or 0
    result = []
    for row in rows:
        problems = [
            name
            for name, present in (
                ("no_officer", row.responsible_officer_id is None),
                ("mfa_off", row.mfa_enabled is not True),
            )
            if present
        ]
        data = {
            "arrangement": row.title,
            "arrangement_kind": "social_account",
            "department": row.department,
            "handle": row.handle,
            "platform": str(row.platform),
            "problems": problems,
            "links": [arrangement_link("social_account", row.id)],
        }
        topic = f"snsflag:{row.id}:{'+'.join(problems)}"
        seen = set()
        for day in days_between(first, last):
            period = (
                FLAG_EPOCH + timedelta(days=((day - FLAG_EPOCH).days // repeat) * repeat)
                if repeat
                else None
            )
            stage = f"from-{period}" if period else "once"
            if stage not in seen:
                seen.add(stage)
                result.append(
                    Candidate(
                        day,
                        kinds.SOCIAL_FLAG,
                        topic,
                        stage,
                        None,
                        "social_account",
                        row.id,
                        row.id,
                        data,
                        (ADMINS,),
                    )
                )
    return result
