"""Building the demo city's arrangements: engagements with their information items and
subcontractors, cloud services with their approvals, SNS accounts (``services.seed_demo`` calls
them after departments, contractors and users exist)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from vendorguard.approvals.models import ApplicationStatus, ApprovalRequest, ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.audit import services as audit
from vendorguard.auth.models import User
from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.cloud.models import CloudService, TermsType
from vendorguard.contractors.models import Contractor
from vendorguard.core.dates import era_for_key
from vendorguard.core.timeutil import fiscal_year, utcnow
from vendorguard.demo import data
from vendorguard.engagements.models import (
    Engagement,
    InformationItem,
    ReportingCycle,
    Subcontractor,
)
from vendorguard.ismap.models import IsmapKind
from vendorguard.org.models import Department
from vendorguard.social.models import Platform, SocialAccount

_SEGMENT_FLAGS = {"M": "segment_my_number", "L": "segment_lgwan", "I": "segment_internet"}


@dataclass
class City:
    """What later steps need from earlier ones."""

    rng: random.Random
    today: date
    scheme: ClassificationScheme
    departments: dict[str, Department]
    contractors: dict[str, Contractor]
    admin: User
    officers: dict[str, User]  # department code -> the officer answering for its arrangements
    sns_owners: dict[str, User]  # department code -> its SNS運用責任者, where it has one


def _level(scheme: ClassificationScheme, axis: Axis, rank: int) -> ClassificationLevel:
    """The scheme's highest level on ``axis`` not above ``rank`` (3B becomes 3 in the R5 scheme)."""
    fitting = [level for level in scheme.levels_for(axis) if level.rank <= rank]
    return max(fitting, key=lambda level: level.rank)


def _reiwa(fiscal: int) -> int:
    return fiscal - era_for_key("令和").offset


def _periods(plan: str, city: City) -> list[tuple[date, date]]:
    """The contract periods one engagement template becomes, oldest first."""
    fy = fiscal_year(city.today)
    this_year = (date(fy, 4, 1), date(fy + 1, 3, 31))
    if plan == "annual":
        return [(date(fy - 1, 4, 1), date(fy, 3, 31)), this_year]
    if plan == "multi":
        first = fy - city.rng.choice((1, 2))
        return [(date(first, 4, 1), date(first + city.rng.choice((3, 5)), 3, 31))]
    if plan == "soon":
        # A short contract of this fiscal year (early in April: of the last one) ending in weeks.
        start = city.today - timedelta(days=city.rng.randint(90, 300))
        if city.today >= date(fy, 5, 1):
            start = max(start, date(fy, 4, 1))
        return [(start, city.today + timedelta(days=city.rng.randint(7, 55)))]
    if plan == "next":
        return [(date(fy + 1, 4, 1), date(fy + 2, 3, 31))]
    return [this_year]


def _title(title: str, plan: str, starts_on: date, ends_on: date) -> str:
    first, last = fiscal_year(starts_on), fiscal_year(ends_on)
    if plan != "multi":
        return f"令和{_reiwa(first)}年度 {title}"
    return f"{title}（令和{_reiwa(first)}〜{_reiwa(last)}年度 長期継続契約）"


def _state(starts_on: date, ends_on: date, today: date) -> ArrangementState:
    if ends_on < today:
        return ArrangementState.ENDED
    return ArrangementState.DRAFT if starts_on > today else ArrangementState.ACTIVE


def engagements(session: Session, city: City) -> None:
    abbreviations = {row[0]: row[5] for row in data.DEPARTMENTS}
    numbers: dict[tuple[int, str], int] = {}
    for template in data.ENGAGEMENTS:
        code, plan = template[0], template[8]
        for starts_on, ends_on in _periods(plan, city):
            reiwa = _reiwa(fiscal_year(starts_on))
            numbers[reiwa, code] = numbers.get((reiwa, code), 0) + 1
            number = f"R{reiwa}-{abbreviations[code]}-{numbers[reiwa, code]:03d}"
            session.add(_engagement(city, template, number, starts_on, ends_on))
    session.flush()


def _engagement(
    city: City, template: tuple, contract_number: str, starts_on: date, ends_on: date
) -> Engagement:
    (
        code,
        title,
        contractor_key,
        profile,
        info_keys,
        (personal, my_number),
        segments,
        cycle,
        plan,
        subs,
    ) = template
    department, contractor = city.departments[code], city.contractors[contractor_key]
    officer = city.officers[code]
    locations, scope, method = data.PROFILES[profile]
    state = _state(starts_on, ends_on, city.today)
    review = city.today + timedelta(days=city.rng.randint(-20, 200))
    engagement = Engagement(
        title=_title(title, plan, starts_on, ends_on),
        contract_number=contract_number,
        department_id=department.id,
        contractor_id=contractor.id,
        state=state,
        # Next year's contracts are still being prepared: nobody named yet (the home page flags it).
        responsible_officer_id=None if plan == "next" else officer.id,
        next_review_on=review if state == ArrangementState.ACTIVE else None,
        contractor_representative=contractor.contact_name,
        starts_on=starts_on,
        ends_on=ends_on,
        description=f"{department.name}の{title.removesuffix('業務')}に係る業務委託。",
        work_locations=locations,
        access_scope=scope,
        access_method=method,
        handles_personal_info=personal or my_number,
        handles_my_number=my_number,
        reporting_cycle=ReportingCycle(cycle),
        subcontracting_allowed=bool(subs),
        **{
            flag: letter in segments or (letter == "M" and my_number)
            for letter, flag in _SEGMENT_FLAGS.items()
        },
    )
    engagement.information_items = [_information_item(city.scheme, key) for key in info_keys]
    engagement.subcontractors = [
        _subcontractor(city, department, officer, starts_on, my_number, *spec) for spec in subs
    ]
    # A listed tier-n stage is entrusted by the tier-(n-1) stage listed just before it.
    chain = engagement.subcontractors
    for previous, sub in zip(chain, chain[1:], strict=False):
        if sub.tier == previous.tier + 1:
            sub.parent = previous
    return engagement


def _information_item(scheme: ClassificationScheme, key: str) -> InformationItem:
    name, confidentiality, integrity, availability = data.INFORMATION[key]
    return InformationItem(
        name=name,
        confidentiality_level_id=_level(scheme, Axis.CONFIDENTIALITY, confidentiality).id,
        integrity_level_id=_level(scheme, Axis.INTEGRITY, integrity).id,
        availability_level_id=_level(scheme, Axis.AVAILABILITY, availability).id,
    )


def _subcontractor(
    city: City,
    department: Department,
    officer: User,
    starts_on: date,
    my_number: bool,
    who: str,
    scope: str,
    tier: int,
    approved: bool,
) -> Subcontractor:
    # My Number work may only be re-subcontracted with the city's permission (番号法第10条).
    approved = approved or my_number
    registered = city.contractors.get(who)
    sub = Subcontractor(
        name=registered.name if registered else who,
        work_scope=scope,
        tier=tier,
        contractor_id=registered.id if registered else None,
        corporate_number=registered.corporate_number if registered else None,
    )
    if approved:
        sub.approved_by = f"{department.name}長 {department.security_manager_name}"
        sub.approved_on = starts_on - timedelta(days=city.rng.randint(5, 20))
        sub.approval_recorded_by_id = officer.id
    return sub


def cloud_services(session: Session, city: City) -> None:
    services = [_cloud_service(city, *row) for row in data.CLOUD_SERVICES]
    session.add_all(services)
    session.flush()
    # The using departments are a many-to-many collection, which the automatic capture cannot see.
    for service in services:
        audit.record(
            session,
            "update",
            "cloud_service",
            service.id,
            service.title,
            before={"using_departments": []},
            after={"using_departments": sorted(d.id for d in service.using_departments)},
        )


def _cloud_service(
    city: City,
    code: str,
    title: str,
    provider: str,
    url: str,
    purpose: str,
    high: bool,
    contract: bool,
    location: str,
    ismap: tuple[str, str] | None,
    approval: str,
    using: str | tuple[str, ...],
) -> CloudService:
    registered = city.contractors.get(provider)
    state = ApprovalState(approval)
    domestic = "日本" in location
    if domestic:
        law, court = "日本法", "神戸地方裁判所" if contract else "東京地方裁判所"
    else:
        law, court = "約款に定める外国法", "約款に定める国外の裁判所"
    pending = state in (ApprovalState.APPLIED, ApprovalState.REJECTED)
    service = CloudService(
        title=title,
        department_id=city.departments[code].id,
        responsible_officer_id=city.officers[code].id,
        provider_contractor_id=registered.id if registered else None,
        provider_name="" if registered else provider,
        service_url=url,
        purpose=purpose,
        handles_high_confidentiality=high,
        terms_type=TermsType.CONTRACT if contract else TermsType.STANDARD_TERMS,
        data_location=location,
        governing_law=law,
        jurisdiction=court,
        ismap_kind=IsmapKind(ismap[0]) if ismap else None,
        ismap_registration_number=ismap[1] if ismap else None,
        approval_state=state,
        state=ArrangementState.DRAFT if pending else ArrangementState.ACTIVE,
        using_departments=(
            list(city.departments.values())
            if using == "*"
            else [city.departments[c] for c in using]
        ),
    )
    _decide(service, state, high, city)
    return service


def _decide(service: CloudService, state: ApprovalState, high: bool, city: City) -> None:
    """Fill the approval fields so that some approvals run out soon and one already has."""
    if state == ApprovalState.APPROVED:
        service.approved_at = utcnow() - timedelta(days=city.rng.randint(30, 600))
        service.approved_by_id = city.admin.id
        days = city.rng.choice((20, 45, 200, 300, 400))
        service.approval_valid_until = city.today + timedelta(days=days)
        service.next_review_on = service.approval_valid_until - timedelta(days=30)
        service.approval_comment = (
            "機密性2以上の情報を取り扱うため、ISMAP登録と契約の特記事項を確認のうえ承認。"
            if high
            else "約款による外部サービスとして、機密性2以上の情報を取り扱わないことを条件に承認。"
        )
    elif state == ApprovalState.EXPIRED:
        service.approved_at = utcnow() - timedelta(days=400)
        service.approved_by_id = city.admin.id
        service.approval_valid_until = city.today - timedelta(days=city.rng.randint(5, 40))
        service.next_review_on = service.approval_valid_until
        service.approval_comment = "利用期間を1年として承認。継続利用には再申請が必要。"
    elif state == ApprovalState.REJECTED:
        service.approval_comment = "データの保存場所及び準拠法を確認できないため却下。"


def social_accounts(session: Session, city: City) -> None:
    mailboxes = {row[0]: row[6] for row in data.DEPARTMENTS}
    for row in data.SOCIAL_ACCOUNTS:
        code, platform, title, handle, purpose, mfa, named, approval, verified = row
        department = city.departments[code]
        manager = city.sns_owners.get(code) or city.officers[code]
        head = f"{department.name}長 {department.security_manager_name}"
        state = ApprovalState(approval)
        listed = state == ApprovalState.APPROVED
        review = city.today + timedelta(days=city.rng.randint(-10, 300))
        bare = platform in ("facebook", "note") or handle.startswith("@")
        shown = handle if bare else f"@{handle}"
        account = SocialAccount(
            title=title,
            department_id=department.id,
            platform=Platform(platform),
            handle=shown,
            account_url=data.PLATFORM_URLS[platform].format(h=handle),
            purpose=purpose,
            # Two accounts lack a named 責任者 or MFA, so the home page has something to flag.
            responsible_officer_id=manager.id if named else None,
            mfa_enabled=mfa,
            posting_rules=data.SOCIAL_POSTING_RULES,
            operating_procedure=data.SOCIAL_PROCEDURE.format(head=department.name) if named else "",
            operators=f"{department.name} {manager.name}\n{department.name} 会計年度任用職員 1名",
            official_list_url=f"{data.CITY_SITE}/sns/" if listed else "",
            credential_custodian=head if named else "",
            recovery_contact=f"{mailboxes[code]}@{data.CITY_DOMAIN}（課の共有アドレス）",
            verified_badge=verified,
            approval_state=state,
            state=ArrangementState.ACTIVE,
            next_review_on=review if listed else None,
            approved_at=utcnow() - timedelta(days=city.rng.randint(60, 900)) if listed else None,
            approved_by_id=city.admin.id if listed else None,
        )
        session.add(account)
        if state in (ApprovalState.APPLIED, ApprovalState.APPROVED):
            # The request the state stands for, as the approval pages file and decide it.
            session.flush()
            session.add(
                ApprovalRequest(
                    arrangement_id=account.id,
                    applicant_id=manager.id,
                    submitted_at=(account.approved_at or utcnow()) - timedelta(days=7),
                    status=ApplicationStatus.APPROVED if listed else ApplicationStatus.SUBMITTED,
                    decided_by_id=account.approved_by_id,
                    decided_at=account.approved_at,
                )
            )
    session.flush()
