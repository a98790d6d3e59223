"""Building the demo city's registers (``flask vg seed-demo``) from :mod:`vendorguard.demo.data`.

Dates are placed relative to today, so a demo always has certificates about to expire, contracts
about to end and reviews falling due. Everything random comes from one seeded generator, except the
passwords, which come from :mod:`secrets`.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement, ArrangementState
from vendorguard.audit.context import acting_as
from vendorguard.auth.forms import MIN_PASSWORD
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.catalog.services import ensure_catalog
from vendorguard.city import services as city_services
from vendorguard.classification.services import ensure_default_schemes
from vendorguard.contractors import corporate_number
from vendorguard.contractors.models import Certification, CertificationKind, Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo
from vendorguard.demo import data
from vendorguard.demo.arrangements import City, cloud_services, engagements, social_accounts
from vendorguard.org.models import Department
from vendorguard.questionnaires.seed import ensure_templates

DEFAULT_SEED = 20260401
ACTOR = "cli:seed-demo"
# No 0/O, 1/l/I: people copy these passwords from a terminal by eye.
_PASSWORD_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PASSWORD_LENGTH = 14


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
        city = City(
            rng,
            today,
            scheme,
            departments,
            contractors,
            users["admin"],
            officers=_first_by_department(users, "officer"),
            sns_owners=_first_by_department(users, "sns_owner"),
        )
        engagements(session, city)
        cloud_services(session, city)
        social_accounts(session, city)
        session.flush()
        _evidence_schedules(session, today)
    return logins


def _evidence_schedules(session: Session, today) -> None:
    """Derive evidence requirements and their requests, as the nightly `vg evidence-schedule` would."""
    from vendorguard.arrangements.models import Arrangement
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
