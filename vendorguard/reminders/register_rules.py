"""Rules over the registers: expiring certificates, ISMAP registrations and accepted evidence.
The arrangements' own dates (reviews, approvals, contract ends, SNS accounts) are in
``arrangement_rules``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased

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
from vendorguard.reminders.arrangement_rules import arrangement_columns, arrangement_data
from vendorguard.reminders.kinds import RuleSetting
from vendorguard.reminders.rules import (
    Candidate,
    ahead,
    officers,
    window_condition,
)


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
        select(Engagement.contractor_id, *arrangement_columns())
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
        select(CloudService.ismap_registration_number, *arrangement_columns())
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
            **arrangement_data(service, until),
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
            *arrangement_columns(),
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
        data = arrangement_data(row, row.valid_until)
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
