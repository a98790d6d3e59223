"""The register rules: who hears about which expiring date, and when; the admin's settings apply."""

from __future__ import annotations

from datetime import date, timedelta

from tests.reminders.conftest import add_request
from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.contractors.models import CertificationKind
from vendorguard.evidence.models import EvidenceSubmission, RequestStatus, ReviewDecision
from vendorguard.extensions import db
from vendorguard.ismap.models import IsmapKind, IsmapRegistration
from vendorguard.reminders import kinds, messages, services, sweep

DAY = date(2026, 12, 1)


def planned(first=DAY, last=None, kind=None):
    """[(kind, stage, recipient e-mail or 'webhook', subject)] the sweeps from ``first`` to ``last`` would create."""
    rows = sweep.plan(db.session, first, last or first, webhook=True)
    return sorted(
        (
            r.candidate.kind,
            r.candidate.stage,
            r.recipient.email if r.recipient else "webhook",
            messages.build(r.candidate.kind, r.data).subject,
        )
        for r in rows
        if kind is None or r.candidate.kind == kind
    )


def test_certificates_of_contractors_with_engagements_under_way(city, make):
    make.certification(
        city.contractor,
        kind=CertificationKind.PRIVACY_MARK,
        number="21000123",
        valid_until=DAY + timedelta(days=90),
    )
    idle = make.contractor(name="休眠商事株式会社")
    make.certification(idle, valid_until=DAY + timedelta(days=30))
    make.engagement(contractor=idle, state=ArrangementState.ENDED)
    renewed = make.certification(city.contractor, valid_until=DAY + timedelta(days=7))
    make.certification(
        city.contractor, valid_until=DAY + timedelta(days=372)
    )  # the renewal is on file
    assert renewed.kind == CertificationKind.ISMS
    assert planned(kind=kinds.CERTIFICATION_EXPIRY) == [
        (
            kinds.CERTIFICATION_EXPIRY,
            "expiry-90",
            "sato@city.example.jp",
            "委託事業者の認証の有効期限まであと90日です：但馬情報システム株式会社（プライバシーマーク）",
        ),
        (
            kinds.CERTIFICATION_EXPIRY,
            "expiry-90",
            "webhook",
            "委託事業者の認証の有効期限まであと90日です：但馬情報システム株式会社（プライバシーマーク）",
        ),
    ]


def test_ismap_registrations_approvals_reviews_and_contract_ends(city, make):
    db.session.add(
        IsmapRegistration(
            registration_number="C22-0001",
            list_kind=IsmapKind.ISMAP,
            service_name="Example Cloud",
            valid_until=DAY + timedelta(days=30),
        )
    )
    db.session.add(
        IsmapRegistration(
            registration_number="C22-0002",
            list_kind=IsmapKind.ISMAP,
            service_name="Pending Cloud",
            valid_until=DAY + timedelta(days=30),
            renewal_pending=True,
        )
    )
    db.session.commit()
    make.cloud_service(
        department=city.department,
        title="文書管理クラウド",
        ismap_registration_number="c22-0001",
        state=ArrangementState.ACTIVE,
        approval_state=ApprovalState.APPROVED,
        approval_valid_until=DAY + timedelta(days=7),
        responsible_officer_id=city.colleague.id,
    )
    make.cloud_service(
        department=city.department,
        title="更新中のクラウド",
        ismap_registration_number="C22-0002",
        state=ArrangementState.ACTIVE,
    )
    db.session.refresh(city.engagement)
    city.engagement.next_review_on = DAY + timedelta(days=3)
    city.engagement.ends_on = DAY + timedelta(days=30)
    db.session.commit()
    found = [
        (kind, stage, to, subject) for kind, stage, to, subject in planned() if to != "webhook"
    ]
    assert found == sorted(
        [
            (
                kinds.APPROVAL_EXPIRY,
                "expiry-7",
                "suzuki@city.example.jp",
                "外部サービスの利用承認の期限まであと7日です：文書管理クラウド",
            ),
            (
                kinds.CONTRACT_END,
                "end-30",
                "sato@city.example.jp",
                "契約期間の終了まであと30日です：住民記録システム運用保守業務委託",
            ),
            (
                kinds.ISMAP_EXPIRY,
                "expiry-30",
                "suzuki@city.example.jp",
                "ISMAP登録の有効期限まであと30日です：文書管理クラウド",
            ),
            (
                kinds.REVIEW_DUE,
                "review-7",
                "sato@city.example.jp",
                "定期確認の予定日まであと3日です：住民記録システム運用保守業務委託",
            ),
        ]
    )
    ending = sweep.plan(db.session, DAY, DAY)
    contract = next(r for r in ending if r.candidate.kind == kinds.CONTRACT_END)
    assert "返還・廃棄（消去）" in messages.build(contract.candidate.kind, contract.data).headline


def test_social_accounts_review_and_flags_to_the_security_office(city, make):
    owner = make.user(Role.SNS_OWNER, department=city.department, email="sns@city.example.jp")
    make.social_account(
        department=city.department,
        title="豊岡市公式X",
        approval_state=ApprovalState.APPROVED,
        state=ArrangementState.ACTIVE,
        mfa_enabled=True,
        responsible_officer_id=owner.id,
        next_review_on=DAY + timedelta(days=30),
    )
    make.social_account(
        department=city.department,
        title="市民課お知らせ",
        approval_state=ApprovalState.APPROVED,
        state=ArrangementState.ACTIVE,
        mfa_enabled=False,
    )
    make.social_account(
        department=city.department, title="下書きアカウント", mfa_enabled=False
    )  # not in use yet
    rows = planned(kind=kinds.SOCIAL_REVIEW) + planned(kind=kinds.SOCIAL_FLAG)
    assert [(r[1], r[2], r[3]) for r in rows if r[2] != "webhook"] == [
        (
            "review-30",
            "sns@city.example.jp",
            "SNSアカウントの定期確認の予定日まであと30日です：豊岡市公式X",
        ),
        (
            "from-2026-11-30",
            "security@city.example.jp",
            "SNSアカウントの確認事項：市民課お知らせ（責任者が指定されていない、多要素認証が有効になっていない）",
        ),
    ]
    # Flags repeat weekly, in weeks starting on Mondays: 1, 7 and 14 December.
    fortnight = planned(DAY, DAY + timedelta(days=13), kind=kinds.SOCIAL_FLAG)
    assert [r[1] for r in fortnight if r[2] != "webhook"] == [
        "from-2026-11-30",
        "from-2026-12-07",
        "from-2026-12-14",
    ]


def test_accepted_evidence_expiring_unless_replaced(city, make):
    first = add_request(
        city.engagement, date(2026, 4, 15), status=RequestStatus.ACCEPTED, occurrence="2026-03"
    )
    db.session.add(
        EvidenceSubmission(
            request_id=first.id,
            version=1,
            submitted_via="internal",
            decision=ReviewDecision.ACCEPTED,
            valid_until=DAY + timedelta(days=30),
        )
    )
    db.session.commit()
    assert [r[1:3] for r in planned(kind=kinds.EVIDENCE_EXPIRY)] == [
        ("expiry-30", "sato@city.example.jp"),
        ("expiry-30", "webhook"),
    ]
    later = add_request(
        city.engagement, date(2026, 11, 15), status=RequestStatus.ACCEPTED, occurrence="2026-10"
    )
    later.evidence_requirement_id = first.evidence_requirement_id
    db.session.add(
        EvidenceSubmission(
            request_id=later.id,
            version=1,
            submitted_via="internal",
            decision=ReviewDecision.ACCEPTED,
            valid_until=DAY + timedelta(days=400),
        )
    )
    db.session.commit()
    assert planned(kind=kinds.EVIDENCE_EXPIRY) == []


def test_admin_settings_change_offsets_and_switch_kinds_off(city):
    add_request(city.engagement, DAY + timedelta(days=10))
    assert {r[1] for r in planned(kind=kinds.EVIDENCE_DUE)} == {"due-14"}
    entries = [
        services.KindSetting(
            key, True, ",".join(map(str, info.offsets)), info.repeat_days, info.escalate_after_days
        )
        for key, info in kinds.KINDS.items()
    ]
    entries[0] = services.KindSetting(kinds.EVIDENCE_DUE, True, "10, 3")
    services.update_settings(db.session, entries)
    db.session.commit()
    assert {r[1] for r in planned(kind=kinds.EVIDENCE_DUE)} == {"due-10"}
    entries[0] = services.KindSetting(kinds.EVIDENCE_DUE, False, "10,3")
    services.update_settings(db.session, entries)
    db.session.commit()
    assert planned(kind=kinds.EVIDENCE_DUE) == []


def test_escalation_after_the_configured_days_and_without_repeat(city):
    add_request(city.engagement, DAY - timedelta(days=20))
    stages = {(r[1], r[2]) for r in planned(DAY - timedelta(days=19), DAY) if r[2] != "webhook"}
    assert ("overdue-1", "sato@city.example.jp") in stages and (
        "overdue-15",
        "sato@city.example.jp",
    ) in stages
    assert ("escalate-15", "shimin@city.example.jp") in stages and (
        "escalate-15",
        "security@city.example.jp",
    ) in stages
    entries = [
        services.KindSetting(
            key, True, ",".join(map(str, info.offsets)), info.repeat_days, info.escalate_after_days
        )
        for key, info in kinds.KINDS.items()
    ]
    entries[1] = services.KindSetting(kinds.EVIDENCE_OVERDUE, True, "", 0, None)
    services.update_settings(db.session, entries)
    db.session.commit()
    stages = {r[1] for r in planned(DAY - timedelta(days=19), DAY)}
    assert stages == {"overdue-1"}


def test_escalation_without_a_department_address_goes_to_its_officers(city):
    city.department.email = ""
    db.session.commit()
    add_request(city.engagement, DAY - timedelta(days=15))
    escalated = sorted(r[2] for r in planned() if r[0] == kinds.EVIDENCE_ESCALATION)
    assert escalated == [
        "sato@city.example.jp",
        "security@city.example.jp",
        "suzuki@city.example.jp",
        "webhook",
    ]
