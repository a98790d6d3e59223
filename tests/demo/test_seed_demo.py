"""``flask vg seed-demo``: a complete, rule-abiding demo city, created once, with working logins."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import generate_password_hash

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.audit import services as audit
from vendorguard.audit.models import AuditEvent
from vendorguard.auth import models as auth_models
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.classification.models import ClassificationLevel, ClassificationScheme
from vendorguard.cloud.models import CloudService
from vendorguard.contractors import corporate_number
from vendorguard.contractors.models import Certification, Contractor
from vendorguard.core.timeutil import fiscal_year, today_tokyo
from vendorguard.demo.services import seed_demo
from vendorguard.engagements.models import Engagement, InformationItem, Subcontractor
from vendorguard.extensions import db
from vendorguard.org.models import Department
from vendorguard.social.models import SocialAccount

PASSWORD = "demo-password-123"
KATAKANA = re.compile(r"[ァ-ヶー]+")
REGISTERS = (Department, Contractor, Engagement, CloudService, SocialAccount, User, AuditEvent)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """scrypt for 17 users in every test is slow; sign-in still checks a real salted hash."""
    monkeypatch.setattr(
        auth_models,
        "generate_password_hash",
        lambda password: generate_password_hash(password, "pbkdf2:sha256:1000"),
    )


@pytest.fixture
def seeded(app):
    """The demo city, committed; returns the printed logins."""
    logins = seed_demo(db.session, password=PASSWORD)
    db.session.commit()
    return logins


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _all(stmt):
    return db.session.scalars(stmt).all()


def test_every_register_is_filled(seeded):
    assert _count(Department) == 12
    assert _count(Contractor) == 30
    assert _count(Engagement) == 60
    assert _count(CloudService) == 15
    assert _count(SocialAccount) == 12
    assert 18 <= _count(Certification) <= 24
    assert _count(ClassificationScheme) == 2
    for department in _all(select(Department)):
        assert KATAKANA.fullmatch(department.name_kana), department.name_kana
        assert department.parent_name and department.security_manager_name


def test_contractors_have_valid_unique_corporate_numbers_and_harmless_contacts(seeded):
    contractors = _all(select(Contractor))
    numbers = [c.corporate_number for c in contractors]
    assert all(corporate_number.is_valid(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    for contractor in contractors:
        assert KATAKANA.fullmatch(contractor.name_kana), contractor.name_kana
        domain = contractor.contact_email.rsplit("@", 1)[1]
        assert domain in ("example.jp", "example.com") or domain.endswith(
            (".example.jp", ".example.com")
        )
        assert contractor.address.startswith(
            ("みほん県", "兵庫県", "大阪府", "京都府", "鳥取県", "東京都")
        )
        assert "豊岡" not in contractor.address  # the demo city is みほん市, nowhere 豊岡市
        assert contractor.contact_name and contractor.contact_phone


def test_certifications_include_valid_expiring_and_expired(seeded):
    today = today_tokyo()
    until = [c.valid_until for c in _all(select(Certification))]
    assert any(day > today + timedelta(days=90) for day in until)
    assert any(today <= day <= today + timedelta(days=90) for day in until)
    assert any(day < today for day in until)


def test_my_number_work_follows_the_rules(seeded):
    engagements = _all(select(Engagement))
    departments = {d.id: d.name for d in _all(select(Department))}
    my_number = [e for e in engagements if e.handles_my_number]
    assert my_number and len(my_number) < len(engagements) // 2
    for engagement in my_number:
        assert departments[engagement.department_id] in ("市民課", "税務課", "福祉課")
        assert engagement.handles_personal_info and engagement.segment_my_number
    unapproved = _all(select(Subcontractor).where(Subcontractor.approved_on.is_(None)))
    assert unapproved, "the demo should show a subcontractor waiting for permission"
    assert not {s.engagement_id for s in unapproved} & {e.id for e in my_number}
    with_subcontractors = set(_all(select(Subcontractor.engagement_id)))
    for engagement in engagements:
        assert engagement.subcontracting_allowed == (engagement.id in with_subcontractors)


def test_engagements_span_fiscal_years_and_some_end_soon(seeded):
    today = today_tokyo()
    engagements = _all(select(Engagement))
    numbers = [e.contract_number for e in engagements]
    assert len(set(numbers)) == 60
    assert all(re.fullmatch(r"R\d{1,2}-[\u3040-\u9fff]{2}-\d{3}", n) for n in numbers), numbers
    for engagement in engagements:  # R8 = 令和8年度, the fiscal year the contract starts in
        reiwa = fiscal_year(engagement.starts_on) - 2018
        assert engagement.contract_number.startswith(f"R{reiwa}-")
    assert any(today <= e.ends_on <= today + timedelta(days=60) for e in engagements)
    assert any(e.state == ArrangementState.ENDED and e.ends_on < today for e in engagements)
    assert any((e.ends_on - e.starts_on).days > 700 for e in engagements)  # long-term contracts
    assert all(
        e.starts_on < e.ends_on and e.work_locations and e.access_method for e in engagements
    )
    assert all(e.responsible_officer_id for e in engagements if e.state != ArrangementState.DRAFT)
    assert any(e.responsible_officer_id is None for e in engagements)


def test_information_items_use_the_active_scheme(seeded):
    active = db.session.scalars(
        select(ClassificationScheme).where(ClassificationScheme.active.is_(True))
    ).one()
    items = _all(select(InformationItem))
    assert len(items) >= 60
    level_ids = set()
    for item in items:
        level_ids |= {
            item.confidentiality_level_id,
            item.integrity_level_id,
            item.availability_level_id,
        }
    assert None not in level_ids
    schemes = _all(
        select(ClassificationLevel.scheme_id).where(ClassificationLevel.id.in_(level_ids))
    )
    assert set(schemes) == {active.id}


def test_cloud_and_social_registers_give_the_home_page_something_to_flag(seeded):
    services = _all(select(CloudService))
    assert {s.approval_state for s in services} >= {
        ApprovalState.APPROVED,
        ApprovalState.APPLIED,
        ApprovalState.NOT_APPLIED,
        ApprovalState.REJECTED,
    }
    for service in services:
        if (
            service.handles_high_confidentiality
            and service.approval_state == ApprovalState.APPROVED
        ):
            assert service.ismap_registration_number
    using = _all(
        select(AuditEvent).where(
            AuditEvent.object_type == "cloud_service", AuditEvent.action == "update"
        )
    )
    assert len(using) == 15 and all(e.after["using_departments"] for e in using)

    accounts = _all(select(SocialAccount))
    assert {a.platform.value for a in accounts} >= {
        "x",
        "facebook",
        "instagram",
        "line",
        "youtube",
        "tiktok",
        "note",
    }
    assert any(not a.mfa_enabled for a in accounts)
    assert any(a.responsible_officer_id is None for a in accounts)
    complete = [
        a
        for a in accounts
        if a.mfa_enabled and a.responsible_officer_id and a.approval_state == ApprovalState.APPROVED
    ]
    assert len(complete) >= len(accounts) - 3


def test_one_user_per_role_and_every_printed_password_signs_in(app, seeded):
    assert {role for _email, role, _password in seeded} == {role.value for role in Role}
    users = {u.email: u for u in _all(select(User))}
    contractor_user = users["contractor@demo.vendorguard.jp"]
    assert contractor_user.contractor_id is not None and contractor_user.department_id is None
    for email, role, password in seeded:
        assert users[email].role == Role(role)
        response = app.test_client().post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, (email, response.get_data(as_text=True)[:300])
        wrong = app.test_client().post("/login", data={"email": email, "password": "wrong-pass"})
        assert wrong.status_code == 200


def test_default_passwords_are_random_per_user(app):
    logins = seed_demo(db.session)
    passwords = [password for _email, _role, password in logins]
    assert len(set(passwords)) == len(passwords)
    assert all(len(p) >= 10 for p in passwords)


def test_same_seed_gives_the_same_city(app):
    def snapshot():
        engagements = db.session.scalars(
            select(Engagement).options(joinedload(Engagement.contractor))
        )
        return sorted(
            (e.title, e.contract_number, e.starts_on, e.ends_on, e.contractor.corporate_number)
            for e in engagements
        )

    seed_demo(db.session, password=PASSWORD, seed=7)
    first = snapshot()
    db.session.rollback()
    seed_demo(db.session, password=PASSWORD, seed=7)
    assert snapshot() == first
    db.session.rollback()
    seed_demo(db.session, password=PASSWORD, seed=8)
    assert snapshot() != first


def test_command_prints_logins_then_changes_nothing_and_the_trail_verifies(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["vg", "seed-demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "メールアドレス" in result.output and "パスワード" in result.output
    assert "admin@demo.vendorguard.jp" in result.output and PASSWORD in result.output
    counts = [_count(model) for model in REGISTERS]

    again = runner.invoke(args=["vg", "seed-demo"])
    assert again.exit_code == 0, again.output
    assert "デモデータは登録しませんでした" in again.output
    db.session.expire_all()
    assert [_count(model) for model in REGISTERS] == counts

    checked, problem = audit.verify(db.session)
    assert problem is None and checked == counts[-1]
    assert set(_all(select(AuditEvent.actor_label))) == {"cli:seed-demo"}


@pytest.mark.parametrize("existing", ["contractor", "user"])
def test_a_database_in_use_is_left_alone(app, make, existing):
    # Even a lone administrator means a real installation: no demo accounts may be added to it.
    if existing == "contractor":
        make.contractor(name="既存商事株式会社")
    else:
        make.user(Role.ADMIN)
    before = [_count(model) for model in REGISTERS]
    assert seed_demo(db.session, password=PASSWORD) == []
    assert [_count(model) for model in REGISTERS] == before


def test_short_password_is_refused(app):
    result = app.test_cli_runner().invoke(args=["vg", "seed-demo", "--password", "short"])
    assert result.exit_code != 0
    assert "12文字以上" in result.output
    assert _count(Department) == 0


def test_active_arrangements_get_their_evidence_schedule(seeded):
    from sqlalchemy import func, select

    from vendorguard.evidence.models import EvidenceRequest, EvidenceRequirement

    requirements = db.session.scalar(select(func.count()).select_from(EvidenceRequirement))
    requests = db.session.scalar(select(func.count()).select_from(EvidenceRequest))
    assert requirements > 60 and requests > requirements


def test_old_requests_have_a_review_history(seeded):
    from sqlalchemy import func, select

    from vendorguard.evidence.models import EvidenceRequest, RequestStatus

    counts = dict(
        db.session.execute(
            select(EvidenceRequest.status, func.count()).group_by(EvidenceRequest.status)
        ).all()
    )
    assert counts.get(RequestStatus.ACCEPTED, 0) > counts.get(RequestStatus.REJECTED, 0) > 0
    assert counts.get(RequestStatus.SUBMITTED, 0) > 0 and counts.get(RequestStatus.OPEN, 0) > 0


def test_seed_demo_sets_the_demo_city_profile(seeded):
    from vendorguard.city.services import load

    city = load(db.session)
    assert city.configured and city.name == "みほん市"
    assert (
        city.representative == "みほん市長　見本 一郎" and city.security_department == "情報政策課"
    )
