"""A seeded fiscal year 2026 (令和8年度) with known figures for the oversight report tests.

Two departments, four engagements in the year plus one draft and one of an earlier year that
must not count (the tiers feature places them from their data: personal information → 区分C,
My Number → 区分A, neither → 区分D); evidence, assessments and actions, inspections,
self-checks, certificates, cloud services against the ISMAP list and SNS accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementKind, ArrangementState
from vendorguard.assessments.models import (
    Action,
    ActionStatus,
    Assessment,
    AssessmentMethod,
    AssessmentResult,
)
from vendorguard.auth.roles import Role
from vendorguard.catalog.models import Requirement, RequirementKind, Waiver
from vendorguard.catalog.seed import ensure_catalog
from vendorguard.contractors.models import CertificationKind
from vendorguard.evidence.models import (
    Cadence,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    RequestStatus,
)
from vendorguard.extensions import db
from vendorguard.inspections.models import Inspection, InspectionStatus
from vendorguard.ismap.models import IsmapKind, IsmapRegistration
from vendorguard.questionnaires.models import (
    QuestionnaireRequest,
    QuestionnaireTemplate,
    TemplateVersion,
)
from vendorguard.questionnaires.models import RequestStatus as QStatus
from vendorguard.questionnaires.seed import ensure_templates
from vendorguard.social.models import SocialAttestation

TODAY = date(2026, 12, 1)
FY = 2026
ACTIVE = ArrangementState.ACTIVE


@dataclass
class Seeded:
    """The records the tests look at."""

    first: object  # department 総務課 (code A01)
    second: object  # department 市民課 (code A02)
    engagements: list
    admin: object


def _add(*objects):
    db.session.add_all(objects)
    db.session.commit()
    return objects[0] if len(objects) == 1 else objects


def _requests(arrangement, rows):
    requirement = _add(
        EvidenceRequirement(
            arrangement_id=arrangement.id,
            title="作業報告書",
            cadence=Cadence.MONTHLY,
            provider=EvidenceProvider.CONTRACTOR,
        )
    )
    for n, (due, status) in enumerate(rows):
        _add(
            EvidenceRequest(
                evidence_requirement_id=requirement.id,
                arrangement_id=arrangement.id,
                occurrence=f"o-{n}",
                scheduled_due_on=due,
                due_on=due,
                status=status,
            )
        )


def _assessment(arrangement, assessed_on, owner, actions=()):
    assessment = _add(
        Assessment(
            arrangement_id=arrangement.id,
            assessed_on=assessed_on,
            result=AssessmentResult.PARTIALLY_CONFORMING,
            method=AssessmentMethod.REPORT,
            valid_until=date(assessed_on.year + 1, assessed_on.month, 1),
        )
    )
    for due_on, closed_on in actions:
        _add(
            Action(
                assessment_id=assessment.id,
                arrangement_id=arrangement.id,
                finding="持ち出し記録の不備",
                owner_id=owner.id,
                due_on=due_on,
                status=ActionStatus.CLOSED if closed_on else ActionStatus.OPEN,
                closed_on=closed_on,
            )
        )


@pytest.fixture
def seeded(make) -> Seeded:
    """Fiscal year 2026 as described in the module docstring; figures are asserted in the tests."""
    ensure_catalog(db.session)
    ensure_templates(db.session)
    # A requirement no clause covers: every engagement has a gap unless it is waived.
    gap = _add(
        Requirement(
            code="T-GAP",
            title_ja="監督報告の試験用要件",
            kind=RequirementKind.OUTSOURCING,
            applies_to=ArrangementKind.ENGAGEMENT.value,
            rule={"always": True},
        )
    )
    first = make.department("総務課", code="A01")
    second = make.department("市民課", code="A02")
    admin = make.user(Role.ADMIN)
    c1, c3 = make.contractor("甲情報株式会社"), make.contractor("乙システム株式会社")
    e1 = make.engagement(first, c1, handles_personal_info=True, state=ACTIVE)
    e2 = make.engagement(first, state=ACTIVE)
    e3 = make.engagement(second, c3, handles_my_number=True, state=ACTIVE)
    e4 = make.engagement(second, state=ACTIVE)
    make.engagement(
        second, handles_my_number=True, state=ArrangementState.DRAFT
    )  # not contracted: no count
    old = make.engagement(
        first,
        handles_my_number=True,
        state=ArrangementState.ENDED,
        starts_on=date(2024, 4, 1),
        ends_on=date(2025, 3, 31),
    )
    _add(Waiver(arrangement_id=e1.id, requirement_id=gap.id, reason="試験"))

    _requests(
        e1,
        [
            (date(2026, 5, 10), RequestStatus.ACCEPTED),
            (date(2026, 6, 10), RequestStatus.OPEN),  # overdue
            (date(2026, 7, 10), RequestStatus.SUBMITTED),
            (date(2027, 1, 10), RequestStatus.OPEN),  # not yet due
            (date(2026, 8, 10), RequestStatus.CLOSED),  # withdrawn: not counted
            (date(2026, 3, 10), RequestStatus.OPEN),  # fiscal year 2025: not counted
        ],
    )
    cloud_high = make.cloud_service(
        second,
        state=ACTIVE,
        handles_high_confidentiality=True,
        ismap_registration_number="C0001",
        approval_state=ApprovalState.APPROVED,
    )
    make.cloud_service(second, state=ACTIVE, handles_high_confidentiality=True)
    make.cloud_service(first, state=ACTIVE, ismap_registration_number="C0002")
    make.cloud_service(first, state=ArrangementState.ENDED, ismap_registration_number="C0001")
    _add(
        IsmapRegistration(
            registration_number="C0001", list_kind=IsmapKind.ISMAP, valid_until=date(2028, 3, 31)
        ),
        IsmapRegistration(
            registration_number="C0002", list_kind=IsmapKind.ISMAP, valid_until=date(2026, 6, 30)
        ),
    )
    _requests(cloud_high, [(date(2026, 9, 10), RequestStatus.REJECTED)])

    _assessment(
        e1,
        date(2026, 6, 1),
        admin,
        [(date(2026, 7, 31), None), (date(2026, 7, 31), date(2026, 8, 1))],
    )
    _assessment(e3, date(2026, 5, 1), admin, [(date(2027, 1, 31), None)])
    _assessment(old, date(2025, 1, 10), admin)

    _add(
        Inspection(
            arrangement_id=e1.id,
            fiscal_year=FY,
            sequence=1,
            planned_on=date(2026, 6, 1),
            status=InspectionStatus.DONE,
            inspected_on=date(2026, 6, 1),
        ),
        Inspection(arrangement_id=e1.id, fiscal_year=FY, sequence=2, planned_on=date(2027, 1, 5)),
        Inspection(
            arrangement_id=e3.id,
            fiscal_year=FY,
            planned_on=date(2026, 9, 1),
            status=InspectionStatus.DONE,
            inspected_on=date(2026, 9, 1),
        ),
    )
    template = db.session.scalars(
        select(QuestionnaireTemplate).where(QuestionnaireTemplate.code == "SC-OUT")
    ).one()
    version_id = db.session.scalars(
        select(TemplateVersion.id).where(TemplateVersion.template_id == template.id)
    ).first()
    for engagement, year, status in (
        (e1, FY, QStatus.CLOSED),
        (e2, FY, QStatus.SENT),
        (e3, 2025, QStatus.CLOSED),
    ):
        _add(
            QuestionnaireRequest(
                template_id=template.id,
                version_id=version_id,
                arrangement_id=engagement.id,
                fiscal_year=year,
                due_on=date(year, 9, 30),
                status=status,
            )
        )

    make.certification(c1, valid_until=date(2025, 10, 31))  # superseded by the next
    make.certification(c1, valid_until=date(2026, 10, 31))  # expires in the year, expired by TODAY
    make.certification(c3, kind=CertificationKind.PRIVACY_MARK, valid_until=date(2027, 2, 28))
    make.certification(c3, valid_until=date(2028, 5, 31))  # not in the year

    attested = make.social_account(
        first, state=ACTIVE, approval_state=ApprovalState.APPROVED, next_review_on=date(2027, 3, 1)
    )
    _add(
        SocialAttestation(
            account_id=attested.id,
            attested_on=date(2026, 9, 1),
            mfa_enabled=True,
            credentials_ok=True,
            next_review_on=date(2027, 3, 1),
        )
    )
    make.social_account(
        second,
        state=ACTIVE,
        approval_state=ApprovalState.APPROVED,
        next_review_on=date(2026, 10, 1),
    )
    make.social_account(second)  # a draft: not counted
    return Seeded(first, second, [e1, e2, e3, e4], admin)
