"""Building the demo city's registers (``flask vg seed-demo``) from :mod:`vendorguard.demo.data`.

Dates are placed relative to today, so a demo always has certificates about to expire, contracts
about to end and reviews falling due. Everything random comes from one seeded generator, except the
passwords, which come from :mod:`secrets`.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.approvals.models import ApplicationStatus, ApprovalRequest, ApprovalState
from vendorguard.arrangements.models import Arrangement, ArrangementState
from vendorguard.audit import services as audit
from vendorguard.audit.context import acting_as
from vendorguard.auth.forms import MIN_PASSWORD
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.catalog.services import ensure_catalog
from vendorguard.city import services as city_services
from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.classification.services import ensure_default_schemes
from vendorguard.cloud.models import CloudService, TermsType
from vendorguard.contractors import corporate_number
from vendorguard.contractors.models import Certification, CertificationKind, Contractor
from vendorguard.core.dates import era_for_key
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import fiscal_year, today_tokyo, utcnow
from vendorguard.demo import data
from vendorguard.engagements.models import (
    Engagement,
    InformationItem,
    ReportingCycle,
    Subcontractor,
)
from vendorguard.ismap.models import IsmapKind
from vendorguard.org.models import Department
from vendorguard.questionnaires.seed import ensure_templates
from vendorguard.social.models import Platform, SocialAccount

DEFAULT_SEED = 20260401
ACTOR = "cli:seed-demo"
# No 0/O, 1/l/I: people copy these passwords from a terminal by eye.
_PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PASSWORD_LENGTH = 14
_SEGMENT_FLAGS = {"M": "segment_my_number", "L": "segment_lgwan", "I": "segment_internet"}


@dataclass
class _City:
    """What later steps need from earlier ones."""

    rng: random.Random
    today: date
    scheme: ClassificationScheme
    departments: dict[str, Department]
    contractors: dict[str, Contractor]
    admin: User
    officers: dict[str, User]  # department code -> the officer answering for its arrangements
    sns_owners: dict[str, User]  # department code -> its SNS運用責任者, where it has one


def demo_present(session: Session) -> bool:
    """Whether the database already holds people or registers; the demo only goes into an empty one.

    Any user counts: a production database set up with ``create-admin`` must never receive demo
    accounts whose passwords were printed on a terminal.
    """
    for model in (User, Department, Contractor, Arrangement):
        if session.scalars(select(model.id).limit(1)).first() is not None:
            return True
    return False


def seed_demo(
    session: Session, password: str | None = None, seed: int = DEFAULT_SEED
) -> list[tuple[str, str, str]]:
    """Fill an empty database with the demo city; return (e-mail, role, password) per user.

    Returns an empty list, changing nothing, when data is already present. Does not commit.
    """
    if password is not None and len(password) < MIN_PASSWORD:
        raise DomainError(
            _("パスワードは%(min)d文字以上にしてください。", min=MIN_PASSWORD), field="password"
        )
    if demo_present(session):
        return []
    with acting_as(ACTOR):
        rng = random.Random(seed)
        today = today_tokyo()
        scheme = ensure_default_schemes(session)
        city_services.save(session, city_services.CityData(**data.CITY_PROFILE))
        ensure_catalog(
            session
        )  # requirements and the city's clause texts, so coverage works at once
        ensure_templates(session)  # the shipped self-check questionnaires, ready to send
        departments = _departments(session)
        contractors = _contractors(session, rng)
        _certifications(session, rng, contractors, today)
        users, logins = _users(session, departments, contractors, password)
        city = _City(
            rng,
            today,
            scheme,
            departments,
            contractors,
            users["admin"],
            officers=_first_by_department(users, "officer"),
            sns_owners=_first_by_department(users, "sns_owner"),
        )
        _engagements(session, city)
        _cloud_services(session, city)
        _social_accounts(session, city)
        session.flush()
        _evidence_schedules(session, today)
    return logins


def _evidence_schedules(session: Session, today) -> None:
    """Derive evidence requirements and their requests, as the nightly `vg evidence-schedule` would."""
    from vendorguard.arrangements.models import Arrangement, ArrangementState
    from vendorguard.evidence import services as evidence

    active = session.scalars(
        select(Arrangement).where(
            Arrangement.state == ArrangementState.ACTIVE, Arrangement.archived_at.is_(None)
        )
    ).all()
    for arrangement in active:
        evidence.refresh(session, arrangement, today)
    session.flush()
    _evidence_history(session, today)


def _evidence_history(session: Session, today) -> None:
    """Settle what fell due long ago, as a city that has used the register for a while would have:
    most accepted, a few returned with a reason or still waiting for review."""
    from datetime import datetime, time, timedelta

    from vendorguard.evidence.models import (
        EvidenceRequest,
        EvidenceRequirement,
        EvidenceSubmission,
        RequestStatus,
        ReviewDecision,
    )

    rows = session.execute(
        select(EvidenceRequest, EvidenceRequirement.validity_days)
        .join(
            EvidenceRequirement, EvidenceRequirement.id == EvidenceRequest.evidence_requirement_id
        )
        .where(
            EvidenceRequest.status == RequestStatus.OPEN,
            EvidenceRequest.due_on < today - timedelta(days=45),
        )
        .order_by(EvidenceRequest.id)
    ).all()
    for number, (request, validity_days) in enumerate(rows):
        submitted = datetime.combine(request.due_on - timedelta(days=3), time(1, 30), tzinfo=UTC)
        submission = EvidenceSubmission(
            request_id=request.id,
            version=1,
            submitted_via="portal",
            comment="（デモデータ）",
            submitted_at=submitted,
        )
        if number % 11 == 5:
            submission.decision, request.status = ReviewDecision.REJECTED, RequestStatus.REJECTED
            submission.review_reason = "押印のある版を提出してください。"
            submission.reviewed_at = submitted + timedelta(days=2)
        elif number % 13 == 7:
            request.status = RequestStatus.SUBMITTED
        else:
            submission.decision, request.status = ReviewDecision.ACCEPTED, RequestStatus.ACCEPTED
            submission.reviewed_at = submitted + timedelta(days=2)
            if validity_days:
                submission.valid_until = request.due_on + timedelta(days=validity_days)
        session.add(submission)
    session.flush()  # inside acting_as: the trail names seed-demo, not "system"


def _first_by_department(users: dict[str, User], role: str) -> dict[str, User]:
    """Department code -> the first demo user of ``role`` there (who answers for its records)."""
    found: dict[str, User] = {}
    for mailbox, _name, _kana, user_role, code, _contractor in data.USERS:
        if user_role == role and code:
            found.setdefault(code, users[mailbox])
    return found


def _departments(session: Session) -> dict[str, Department]:
    departments = {}
    for code, name, kana, parent, manager, _abbr, mailbox, extension in data.DEPARTMENTS:
        departments[code] = Department(
            code=code,
            name=name,
            name_kana=kana,
            parent_name=parent,
            security_manager_name=manager,
            email=f"{mailbox}@{data.CITY_DOMAIN}",
            phone=data.CITY_PHONE.format(ext=extension),
        )
    session.add_all(departments.values())
    session.flush()
    return departments


def _contractors(session: Session, rng: random.Random) -> dict[str, Contractor]:
    serials = rng.sample(range(100000, 1000000), len(data.CONTRACTORS))
    contractors = {}
    for row, serial in zip(data.CONTRACTORS, serials, strict=False):
        key, name, kana, address, contact, email, phone = row
        number = corporate_number.make(f"{data.CORPORATE_BASE_PREFIX}{serial}")
        contractors[key] = Contractor(
            name=name,
            name_kana=kana,
            corporate_number=number,
            address=address,
            contact_name=contact,
            contact_email=email,
            contact_phone=phone,
        )
    session.add_all(contractors.values())
    session.flush()
    return contractors


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _certifications(
    session: Session, rng: random.Random, contractors: dict[str, Contractor], today: date
) -> None:
    for key, kind, number, issuer, scope, status, years in data.CERTIFICATIONS:
        if status == "valid":
            until = today + timedelta(days=rng.randint(120, 365 * years - 30))
        elif status == "expiring":
            until = today + timedelta(days=rng.randint(10, 85))
        else:
            until = today - timedelta(days=rng.randint(10, 160))
        session.add(
            Certification(
                contractor_id=contractors[key].id,
                kind=CertificationKind(kind),
                number=number,
                issuer=issuer,
                scope=scope,
                valid_until=until,
                valid_from=_add_years(until, -years) + timedelta(days=1),
            )
        )


def _new_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(_PASSWORD_LENGTH))


def _users(
    session: Session,
    departments: dict[str, Department],
    contractors: dict[str, Contractor],
    password: str | None,
) -> tuple[dict[str, User], list[tuple[str, str, str]]]:
    users, logins = {}, []
    for mailbox, name, kana, role, department_code, contractor_key in data.USERS:
        email = f"{mailbox}@{data.USER_DOMAIN}"
        secret = password if password is not None else _new_password()
        department = departments[department_code] if department_code else None
        contractor = contractors[contractor_key] if contractor_key else None
        user = User(
            email=email,
            name=name,
            name_kana=kana,
            role=Role(role),
            locale="ja",
            department_id=department.id if department else None,
            contractor_id=contractor.id if contractor else None,
        )
        user.set_password(secret)
        users[mailbox] = user
        logins.append((email, role, secret))
    session.add_all(users.values())
    session.flush()
    return users, logins


def _level(scheme: ClassificationScheme, axis: Axis, rank: int) -> ClassificationLevel:
    """The scheme's highest level on ``axis`` not above ``rank`` (3B becomes 3 in the R5 scheme)."""
    fitting = [level for level in scheme.levels_for(axis) if level.rank <= rank]
    return max(fitting, key=lambda level: level.rank)


def _reiwa(fiscal: int) -> int:
    return fiscal - era_for_key("令和").offset


def _periods(plan: str, city: _City) -> list[tuple[date, date]]:
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


def _engagements(session: Session, city: _City) -> None:
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
    city: _City, template: tuple, contract_number: str, starts_on: date, ends_on: date
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
    city: _City,
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


def _cloud_services(session: Session, city: _City) -> None:
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
    city: _City,
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


def _decide(service: CloudService, state: ApprovalState, high: bool, city: _City) -> None:
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


def _social_accounts(session: Session, city: _City) -> None:
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
