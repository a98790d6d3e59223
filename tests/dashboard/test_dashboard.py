"""The home page: per-role "needs attention" blocks, Japan-today dates, fixed query count."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.cloud.models import CloudService
from vendorguard.contractors.models import Certification, CertificationKind
from vendorguard.core.timeutil import today_tokyo
from vendorguard.engagements.models import Engagement, Subcontractor
from vendorguard.extensions import db
from vendorguard.ismap.models import IsmapKind, IsmapRegistration
from vendorguard.social.models import Platform, SocialAccount


def days(n: int) -> date:
    return today_tokyo() + timedelta(days=n)


def block(html: str, key: str) -> str | None:
    """The HTML of one dashboard section, or None when the page has no such section."""
    match = re.search(rf'<section[^>]*id="block-{key}".*?</section>', html, re.S)
    if match:
        return match.group(0)
    return "" if f'id="block-{key}"' in html else None  # an empty section: one line


def opened(client, key: str) -> str | None:
    """One section with its rows (``?open=key`` shows any section in full)."""
    return block(client.get(f"/?open={key}").get_data(as_text=True), key)


def _world(make):
    """Two departments with one item of every kind that needs attention, and some that do not."""
    kanko = make.department(name="観光課")
    shimin = make.department(name="市民課")
    officer = make.user(Role.OFFICER, department=kanko)
    contractor = make.contractor(name="城崎システム株式会社")
    idle = make.contractor(name="契約のない株式会社")

    make.engagement(
        kanko,
        contractor,
        title="観光サイト保守",
        ends_on=days(30),
        responsible_officer_id=officer.id,
    )
    make.engagement(kanko, contractor, title="観光統計分析", ends_on=days(200))  # no officer
    make.engagement(
        shimin,
        contractor,
        title="住民窓口システム",
        ends_on=days(20),
        responsible_officer_id=officer.id,
    )
    make.engagement(
        kanko,
        contractor,
        title="終了済み業務",
        ends_on=days(10),
        state=ArrangementState.ENDED,
        responsible_officer_id=officer.id,
    )
    make.engagement(
        kanko,
        contractor,
        title="遠い先の業務",
        ends_on=days(100),
        responsible_officer_id=officer.id,
    )
    live = make.engagement(
        kanko,
        contractor,
        title="再委託のある業務",
        responsible_officer_id=officer.id,
        ends_on=days(300),
    )
    make.subcontractor(live, approved=False, name="未承認再委託株式会社")
    make.subcontractor(live, approved=True, name="承認済再委託株式会社")
    make.subcontractor(
        live, approved=False, name="取下げ再委託株式会社", archived_at=datetime.now(UTC)
    )

    make.certification(contractor, number="ISMS-SOON", valid_until=days(30))
    make.certification(
        contractor, kind=CertificationKind.PRIVACY_MARK, number="PMARK-OLD", valid_until=days(-400)
    )
    make.certification(
        contractor, kind=CertificationKind.PRIVACY_MARK, number="PMARK-NEW", valid_until=days(-5)
    )
    make.certification(
        contractor, kind=CertificationKind.SOC2, number="SOC-FAR", valid_until=days(200)
    )
    make.certification(idle, number="IDLE-SOON", valid_until=days(10))

    make.cloud_service(kanko, title="申請中クラウド", approval_state=ApprovalState.APPLIED)
    make.cloud_service(
        kanko,
        title="ISMAPなしクラウド",
        handles_high_confidentiality=True,
        approval_state=ApprovalState.APPROVED,
    )
    make.cloud_service(
        kanko,
        title="問題なしクラウド",
        handles_high_confidentiality=True,
        approval_state=ApprovalState.APPROVED,
        ismap_registration_number="C-0001",
    )
    db.session.add(
        IsmapRegistration(
            registration_number="C-0001",
            list_kind=IsmapKind.ISMAP,
            service_name="問題なし",
            provider_name="事業者",
            valid_until=days(300),
        )
    )
    db.session.commit()

    make.social_account(
        kanko, title="観光課MFAなし", mfa_enabled=False, responsible_officer_id=officer.id
    )
    make.social_account(shimin, title="市民課責任者なし", mfa_enabled=True)
    make.social_account(
        kanko,
        title="観光課きちんと",
        mfa_enabled=True,
        responsible_officer_id=officer.id,
        account_url="https://x.example/kanko",
        operating_procedure="運用手順",
        posting_rules="投稿ルール",
        official_list_url="https://www.city.example.jp/sns/",
        credential_custodian="観光課長",
    )
    return kanko, shimin


def test_admin_sees_every_block_across_departments(client, make, login_as):
    _world(make)
    login_as(make.user(Role.ADMIN))
    html = client.get("/").get_data(as_text=True)
    assert all(block(html, key) is not None for key in ("ending", "social", "cloud_risks"))

    ending = opened(client, "ending")
    assert "観光サイト保守" in ending and "住民窓口システム" in ending
    assert "終了済み業務" not in ending and "遠い先の業務" not in ending
    assert "ending_within=60" in ending
    subs = opened(client, "subcontractors")
    assert "未承認再委託株式会社" in subs and "承認済再委託" not in subs and "取下げ" not in subs
    certs = opened(client, "certifications")
    assert "ISMS-SOON" in certs and "PMARK-NEW" in certs and "期限切れ" in certs
    assert "PMARK-OLD" not in certs and "SOC-FAR" not in certs and "IDLE-SOON" not in certs
    assert "申請中クラウド" in opened(client, "cloud_applied")
    assert "approval=applied" in opened(client, "cloud_applied")
    risks = opened(client, "cloud_risks")
    assert "ISMAPなしクラウド" in risks and "問題なしクラウド" not in risks
    social = opened(client, "social")
    assert (
        "観光課MFAなし" in social
        and "市民課責任者なし" in social
        and "観光課きちんと" not in social
    )
    assert "mfa_off=1" in social  # the block links to the list of accounts to fix
    no_officer = opened(client, "no_officer")
    assert "観光統計分析" in no_officer and "観光サイト保守" not in no_officer


def test_officer_sees_only_their_department(client, make, login_as):
    kanko, _shimin = _world(make)
    login_as(make.user(Role.OFFICER, department=kanko))
    html = client.get("/").get_data(as_text=True)
    ending = opened(client, "ending")
    assert "観光サイト保守" in ending and "住民窓口システム" not in ending
    link = re.search(r'href="(/engagements/\?[^"]*ending_within=60[^"]*)"', ending).group(1)
    assert f"department={kanko.id}" in link
    social = opened(client, "social")
    assert "観光課MFAなし" in social and "市民課責任者なし" not in social
    assert "ISMS-SOON" in opened(client, "certifications")
    assert block(html, "cloud_applied") is None and block(html, "cloud_risks") is None
    assert "観光課 の案件を表示しています" in html


def test_sns_owner_sees_only_social_accounts(client, make, login_as):
    _kanko, shimin = _world(make)
    login_as(make.user(Role.SNS_OWNER, department=shimin))
    html = client.get("/").get_data(as_text=True)
    social = opened(client, "social")
    assert "市民課責任者なし" in social and "観光課MFAなし" not in social
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'id="today-social".*?class="today-count">1<', html, re.S)
    assert block(html, "ending") is None and block(html, "certifications") is None
    assert "登録委託事業者" not in html  # no totals for registers the role cannot open


def test_procurement_sees_engagement_blocks_but_not_cloud_or_social(client, make, login_as):
    _world(make)
    login_as(make.user(Role.PROCUREMENT))
    html = client.get("/").get_data(as_text=True)
    assert "住民窓口システム" in opened(client, "ending")
    assert block(html, "social") is None and block(html, "cloud_risks") is None


def test_auditor_sees_register_counts_and_latest_audit_events(client, make, login_as):
    kanko, _shimin = _world(make)
    login_as(make.user(Role.AUDITOR, department=kanko))
    html = client.get("/").get_data(as_text=True)
    assert "台帳の登録状況" in html and block(html, "ending") is None
    recent = block(html, "audit")
    assert recent.count("<tr>") == 11  # header + the 10 latest
    assert "ログイン" in recent  # the auditor's own sign-in is the newest event
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert re.search(r"監査ログの記録</dt><dd>(\d+)</dd>", html).group(1) == str(events) != "0"
    chart = block(html, "chart")  # the whole city, drawn on the server
    assert "<svg" in chart and "観光課" in chart and "市民課" in chart


def test_register_counts_are_the_registers_sizes(make):
    from vendorguard.core.timeutil import utcnow
    from vendorguard.dashboard import queries

    kanko, _shimin = _world(make)
    make.engagement(kanko, title="アーカイブ済みの委託", archived_at=utcnow())
    db.session.commit()
    registers = db.session.execute(queries.register_counts()).one()

    def live(model) -> int:
        return db.session.scalar(
            select(func.count()).select_from(model).where(model.archived_at.is_(None))
        )

    assert registers.engagements == live(Engagement) > 0
    assert registers.cloud_services == live(CloudService) > 0
    assert registers.social_accounts == live(SocialAccount) > 0


def test_strip_counts_todays_work_with_the_department_carried(client, make, login_as):
    kanko, _shimin = _world(make)
    login_as(make.user(Role.OFFICER, department=kanko))
    html = client.get("/").get_data(as_text=True)
    strip = re.search(r'<ul class="today-strip".*?</ul>', html, re.S).group(0)
    counts = dict(re.findall(r'id="today-(\w+)".*?class="today-count">(\d+)<', strip, re.S))
    # ISMS-SOON (30 days) and PMARK-NEW (expired) are within 30 days; SOC-FAR is not
    assert counts == {
        "overdue": "0",
        "review": "0",
        "expiring": "2",
        "self_checks": "0",
        "inspections": "0",
    }
    assert f"/evidence/requests?overdue=1&amp;department={kanko.id}" in strip.replace("/?", "?")
    # the count opens the section that lists exactly those certificates
    listed = opened(client, "certifications")
    assert re.search(r"30日以内に切れる認証 <span[^>]*>(\d+)件</span>", listed).group(1) == "2"
    assert "ISMS-SOON" in listed and "PMARK-NEW" in listed and "SOC-FAR" not in listed
    assert "登録委託事業者" not in html  # registers are counted for the auditor only


def test_nothing_to_do_is_said_plainly(client, make, login_as):
    login_as(make.user(Role.OFFICER))
    html = client.get("/").get_data(as_text=True)
    assert "現在、対応が必要な事項はありません。" in html


def test_sections_show_five_rows_and_the_full_count(client, make, login_as):
    department = make.department()
    contractor = make.contractor()
    db.session.add_all(
        [
            Engagement(
                title=f"期限間近{n:02d}",
                department_id=department.id,
                contractor_id=contractor.id,
                starts_on=days(-300),
                ends_on=days(n % 50),
            )
            for n in range(25)
        ]
    )
    db.session.commit()
    login_as(make.user(Role.ADMIN))
    ending = opened(client, "ending")
    assert ending.count("期限間近") == 5 and "25件" in ending and "ほか20件" in ending


def _bulk(department, contractor, count: int) -> None:
    """``count`` items for every block, inserted in bulk."""
    engagements = [
        Engagement(
            title=f"一括業務{n}",
            department_id=department.id,
            contractor_id=contractor.id,
            starts_on=days(-10),
            ends_on=days(5 + n % 50),
        )
        for n in range(count)
    ]
    db.session.add_all(engagements)
    db.session.flush()
    db.session.add_all(
        [
            Subcontractor(engagement_id=e.id, name=f"一括再委託{n}")
            for n, e in enumerate(engagements)
        ]
    )
    db.session.add_all(
        [
            Certification(
                contractor_id=contractor.id,
                kind=CertificationKind.OTHER,
                kind_other=f"認証{n}",
                valid_until=days(n % 90),
            )
            for n in range(count)
        ]
    )
    db.session.add_all(
        [
            CloudService(
                title=f"一括クラウド{n}",
                department_id=department.id,
                approval_state=ApprovalState.APPLIED,
                handles_high_confidentiality=True,
            )
            for n in range(count)
        ]
    )
    db.session.add_all(
        [
            SocialAccount(
                title=f"一括SNS{n}",
                department_id=department.id,
                platform=Platform.X,
                handle=f"@bulk{n}",
            )
            for n in range(count)
        ]
    )
    db.session.commit()


def test_the_city_chart_and_a_departments_chart_count_alike(make):
    from vendorguard.dashboard import queries
    from vendorguard.evidence.models import (
        Cadence,
        EvidenceProvider,
        EvidenceRequest,
        EvidenceRequirement,
        RequestStatus,
    )

    kanko, shimin = _world(make)
    engagements = db.session.scalars(
        select(Engagement).where(Engagement.department_id == kanko.id).order_by(Engagement.id)
    ).all()
    for n, (engagement, due, status) in enumerate(
        [
            (engagements[0], days(-3), RequestStatus.OPEN),  # overdue: needs attention
            (engagements[1], days(5), RequestStatus.OPEN),  # not yet due
            (engagements[1], days(-30), RequestStatus.ACCEPTED),  # settled
        ]
    ):
        requirement = EvidenceRequirement(
            arrangement_id=engagement.id,
            title=f"報告{n}",
            cadence=Cadence.AD_HOC,
            provider=EvidenceProvider.CONTRACTOR,
        )
        db.session.add(requirement)
        db.session.flush()
        db.session.add(
            EvidenceRequest(
                evidence_requirement_id=requirement.id,
                arrangement_id=engagement.id,
                occurrence="adhoc-1",
                scheduled_due_on=due,
                due_on=due,
                status=status,
            )
        )
    db.session.commit()
    admin = make.user(Role.ADMIN)

    def figures(department_id):
        rows = db.session.execute(
            queries.assurance_by_department(admin, today_tokyo(), department_id)
        )
        return {row.id: (row.live, row.attention, row.without) for row in rows}

    city = figures(None)
    assert city[kanko.id][1] == 1 and 0 < city[kanko.id][2] < city[kanko.id][0]
    for department in (kanko, shimin):
        assert figures(department.id) == {department.id: city[department.id]}
