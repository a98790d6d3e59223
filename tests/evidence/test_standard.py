"""Standard evidence requirements derived from the catalog's applicability, kept in step."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.evidence.helpers import day
from vendorguard.catalog.models import Requirement, Waiver
from vendorguard.catalog.services import ensure_catalog
from vendorguard.cloud.models import TermsType
from vendorguard.contractors.models import CertificationKind
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.evidence import services
from vendorguard.evidence.models import (
    Cadence,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    RequestStatus,
)
from vendorguard.evidence.schedule import generate_requests
from vendorguard.extensions import db

BASE = {"ENG-STAFF", "ENG-EDUCATION", "ENG-SECURITY-REPORT", "ENG-RETURN"}


def _codes(arrangement_id: int, archived: bool = False) -> set[str]:
    return set(
        db.session.scalars(
            select(EvidenceRequirement.template_code).where(
                EvidenceRequirement.arrangement_id == arrangement_id,
                EvidenceRequirement.template_code.is_not(None),
                EvidenceRequirement.archived_at.is_not(None)
                if archived
                else EvidenceRequirement.archived_at.is_(None),
            )
        )
    )


def _sync(arrangement):
    result = services.sync_requirements(db.session, arrangement)
    db.session.commit()
    return result


def _change(obj, **values) -> None:
    db.session.refresh(obj)  # the audit capture needs the old values loaded (see test_schedule)
    for key, value in values.items():
        setattr(obj, key, value)
    db.session.commit()


def test_an_ordinary_engagement_gets_the_outsourcing_evidence_filed_under_the_catalog(make):
    ensure_catalog(db.session)
    db.session.commit()
    engagement = make.engagement()
    result = _sync(engagement)
    assert _codes(engagement.id) == BASE
    assert len(result.added) == 4
    staff = db.session.scalars(
        select(EvidenceRequirement).where(
            EvidenceRequirement.arrangement_id == engagement.id,
            EvidenceRequirement.template_code == "ENG-STAFF",
        )
    ).one()
    assert staff.cadence == Cadence.ONCE_AT_START and staff.provider == EvidenceProvider.CONTRACTOR
    assert db.session.get(Requirement, staff.requirement_id).code == "OUT-02"
    report = db.session.scalars(
        select(EvidenceRequirement).where(
            EvidenceRequirement.template_code == "ENG-SECURITY-REPORT"
        )
    ).one()
    assert report.cadence == Cadence.YEARLY and report.validity_days == 395


def test_syncing_again_changes_nothing_and_keeps_what_people_edited(make):
    ensure_catalog(db.session)
    engagement = make.engagement(handles_my_number=True)
    _sync(engagement)
    monthly = db.session.scalars(
        select(EvidenceRequirement).where(EvidenceRequirement.template_code == "ENG-MN-MONTHLY")
    ).one()
    monthly.due_offset_days = 5
    monthly.title = "マイナンバー作業月報"
    db.session.commit()
    again = _sync(engagement)
    assert not again.changed
    db.session.refresh(monthly)
    assert (monthly.title, monthly.due_offset_days) == ("マイナンバー作業月報", 5)
    assert (
        len(
            db.session.scalars(
                select(EvidenceRequirement).where(
                    EvidenceRequirement.arrangement_id == engagement.id
                )
            ).all()
        )
        == len(BASE) + 1
    )


def test_my_number_work_with_subcontractors_adds_the_monthly_report_and_the_subcontractor_list(
    make,
):
    ensure_catalog(db.session)
    engagement = make.engagement(handles_my_number=True, subcontracting_allowed=True)
    _sync(engagement)
    assert _codes(engagement.id) == BASE | {"ENG-MN-MONTHLY"}
    make.subcontractor(engagement)
    _sync(engagement)
    assert _codes(engagement.id) == BASE | {"ENG-MN-MONTHLY", "ENG-MN-SUBCONTRACTORS"}


def test_certificate_copies_follow_the_contractors_certifications(make):
    contractor = make.contractor()
    isms = make.certification(contractor, CertificationKind.ISMS, valid_until=date(2028, 3, 31))
    make.certification(contractor, CertificationKind.PRIVACY_MARK, valid_until=date(2027, 9, 30))
    engagement = make.engagement(contractor=contractor)
    _sync(engagement)
    assert {"ENG-ISMS", "ENG-PRIVACY-MARK"} <= _codes(engagement.id)
    _change(isms, archived_at=utcnow())
    result = _sync(engagement)
    assert "ENG-ISMS" in _codes(engagement.id, archived=True)
    assert result.archived == ["ISMS認証登録証の写し"]


def test_a_requirement_that_stops_applying_is_archived_with_its_open_requests_and_comes_back(make):
    ensure_catalog(db.session)
    engagement = make.engagement(handles_my_number=True)
    _sync(engagement)
    generate_requests(db.session, engagement, day("2026-11-28"))
    db.session.commit()
    _change(engagement, handles_my_number=False)
    result = _sync(engagement)
    assert result.archived == ["特定個人情報の取扱状況報告（月次作業報告）"]
    monthly = db.session.scalars(
        select(EvidenceRequirement).where(EvidenceRequirement.template_code == "ENG-MN-MONTHLY")
    ).one()
    assert set(
        db.session.scalars(
            select(EvidenceRequest.status).where(
                EvidenceRequest.evidence_requirement_id == monthly.id
            )
        )
    ) == {RequestStatus.CLOSED}
    _change(engagement, handles_my_number=True)
    result = _sync(engagement)
    assert result.restored == ["特定個人情報の取扱状況報告（月次作業報告）"] and not result.added
    db.session.refresh(monthly)
    assert monthly.archived_at is None


def test_the_catalog_decides_waivers_and_deactivated_requirements_count(make):
    ensure_catalog(db.session)
    db.session.commit()
    engagement = make.engagement(handles_my_number=True)
    mn03 = db.session.scalars(select(Requirement).where(Requirement.code == "MN-03")).one()
    db.session.add(
        Waiver(
            arrangement_id=engagement.id, requirement_id=mn03.id, reason="国の標準仕様で別途担保"
        )
    )
    out05 = db.session.scalars(select(Requirement).where(Requirement.code == "OUT-05")).one()
    out05.active = False
    db.session.commit()
    _sync(engagement)
    assert _codes(engagement.id) == BASE - {"ENG-EDUCATION"}


def test_without_the_catalog_installed_the_shipped_rules_apply(make):
    engagement = make.engagement(handles_my_number=True)
    _sync(engagement)
    assert _codes(engagement.id) == BASE | {"ENG-MN-MONTHLY"}
    assert all(r.requirement_id is None for r in db.session.scalars(select(EvidenceRequirement)))


def test_cloud_services_and_social_accounts_get_their_own_items(make):
    ensure_catalog(db.session)
    sensitive = make.cloud_service(handles_high_confidentiality=True, terms_type=TermsType.CONTRACT)
    light = make.cloud_service(
        handles_high_confidentiality=False, terms_type=TermsType.STANDARD_TERMS
    )
    account = make.social_account()
    for arrangement in (sensitive, light, account):
        _sync(arrangement)
    assert _codes(sensitive.id) == {"CLOUD-ISMAP", "CLOUD-EXIT"}
    assert _codes(light.id) == {"CLOUD-TERMS", "CLOUD-USAGE"}
    assert _codes(account.id) == {"SNS-REVIEW"}
    review = db.session.scalars(
        select(EvidenceRequirement).where(EvidenceRequirement.arrangement_id == account.id)
    ).one()
    assert (review.cadence, review.provider) == (Cadence.HALF_YEARLY, EvidenceProvider.INTERNAL)


def test_standard_items_cannot_be_archived_by_hand_but_manual_ones_can(make):
    engagement = make.engagement()
    _sync(engagement)
    derived = db.session.scalars(
        select(EvidenceRequirement).where(EvidenceRequirement.arrangement_id == engagement.id)
    ).first()
    with pytest.raises(DomainError, match="標準の証跡項目"):
        services.archive_requirement(db.session, derived)
    manual = services.create_requirement(
        db.session,
        engagement,
        services.RequirementData(
            title="作業場所の写真", cadence="yearly", provider="contractor", due_offset_days=30
        ),
    )
    services.archive_requirement(db.session, manual)
    assert manual.archived_at is not None
