"""The tier pages: rule editing through the form, audited overrides, cloud use, the concentration view."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

from sqlalchemy import select

from tests.conftest import csrf_token_from, login
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.engagements.models import Engagement, RiskTier
from vendorguard.extensions import db
from vendorguard.tiers.models import EngagementCloudService, EngagementTier, TierRule


def _token(client, url: str) -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


def test_rule_editing_through_the_form_recomputes_tiers(client, make, login_as):
    make.schemes()
    printing = make.engagement(title="印刷業務", segment_internet=True)
    assert printing.tier == RiskTier.D
    login_as(make.user(Role.ADMIN))
    page = client.get("/tiers/rules").get_data(as_text=True)
    assert "既定のルールを使っています" in page and "マイナンバー利用事務系" in page
    token = _token(client, "/tiers/rules/new")
    response = client.post(
        "/tiers/rules/new",
        data={
            "csrf_token": token,
            "label": "インターネット接続系の作業",
            "tier": "B",
            "match": "all",
            "factors": ["segment_internet"],
            "active": "y",
        },
    )
    assert response.status_code == 302
    rules = db.session.scalars(select(TierRule).order_by(TierRule.position)).all()
    assert len(rules) == 6  # the five shipped rules were saved first, then the new one
    assert rules[-1].condition == {
        "all": [{"fact": "segments", "op": "contains", "value": "internet"}]
    }
    assert db.session.get_one(Engagement, printing.id).tier == RiskTier.B
    row = db.session.get_one(EngagementTier, printing.id)
    assert row.rule_id == rules[-1].id

    # edit: no factor is refused with a message and nothing changes
    url = f"/tiers/rules/{rules[-1].id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="segment_internet" checked' in form or "checked" in form
    response = client.post(
        url, data={"csrf_token": _token(client, url), "tier": "B", "match": "all"}
    )
    assert "条件を1つ以上選んでください。" in response.get_data(as_text=True)
    # stopping the rule brings the engagement back to D
    response = client.post(
        url,
        data={
            "csrf_token": _token(client, url),
            "tier": "B",
            "match": "all",
            "factors": ["segment_internet"],
            "version": str(rules[-1].version),
        },
    )
    assert response.status_code == 302
    assert db.session.get_one(Engagement, printing.id).tier == RiskTier.D


def test_policy_form_changes_what_a_tier_sets(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    token = _token(client, "/tiers/policy")
    data = {"csrf_token": token}
    for index, cadence in enumerate(["monthly", "half_yearly", "yearly", "yearly"]):
        data[f"rows-{index}-evidence_cadence"] = cadence
        data[f"rows-{index}-review_interval_months"] = "3" if index == 0 else "12"
        data[f"rows-{index}-self_check_interval_months"] = "3" if index == 0 else "12"
        data[f"rows-{index}-inspections_per_year"] = "4" if index == 0 else "1"
    assert client.post("/tiers/policy", data=data).status_code == 302
    from vendorguard.tiers.policy import inspections_per_year, self_check_interval_months

    assert self_check_interval_months(db.session, "A") == 3
    assert inspections_per_year(db.session, RiskTier.A) == 4
    data["rows-0-inspections_per_year"] = "99"
    response = client.post("/tiers/policy", data=data)
    assert response.status_code == 200  # refused, shown again
    assert inspections_per_year(db.session, RiskTier.A) == 4


def test_override_needs_a_reason_is_audited_and_only_for_the_security_office(
    client, make, login_as
):
    make.schemes()
    department = make.department()
    engagement = make.engagement(department=department)
    officer = make.user(Role.OFFICER, department=department)
    login_as(officer)
    page = f"/engagements/{engagement.id}"
    token = _token(client, page)
    assert "区分D" in client.get(page).get_data(as_text=True)
    url = f"/tiers/engagements/{engagement.id}/override"
    assert (
        client.post(url, data={"csrf_token": token, "tier": "A", "reason": "x"}).status_code == 403
    )

    client.post("/logout", data={"csrf_token": token})
    login_as(make.user(Role.ADMIN))
    token = _token(client, page)
    response = client.post(url, data={"csrf_token": token, "tier": "A", "reason": ""})
    assert db.session.get_one(Engagement, engagement.id).tier == RiskTier.D
    response = client.post(
        url, data={"csrf_token": token, "tier": "A", "reason": "過去に事故があったため"}
    )
    assert response.status_code == 302
    engagement = db.session.get_one(Engagement, engagement.id)
    assert engagement.tier == RiskTier.A
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "engagement_tier", AuditEvent.action == "update")
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert event is not None
    assert event.after["override_tier"] == "A"
    assert event.after["override_reason"] == "過去に事故があったため"
    html = client.get(page).get_data(as_text=True)
    assert "過去に事故があったため" in html
    # clearing goes back to the computed tier, with its own reason
    response = client.post(url, data={"csrf_token": token, "tier": "", "reason": "事故対応完了"})
    assert db.session.get_one(Engagement, engagement.id).tier == RiskTier.D


def test_cloud_use_is_a_tier_input(client, make, login_as):
    make.schemes()
    department = make.department()
    engagement = make.engagement(department=department)
    service = make.cloud_service(department=department, ismap_registration_number="C23-0001")
    login_as(make.user(Role.OFFICER, department=department))
    page = f"/engagements/{engagement.id}"
    token = _token(client, page)
    response = client.post(
        f"/tiers/engagements/{engagement.id}/cloud",
        data={"csrf_token": token, "cloud_service_ids": [str(service.id)]},
    )
    assert response.status_code == 302
    assert db.session.get_one(Engagement, engagement.id).tier == RiskTier.C
    assert "クラウド利用あり" in client.get(page).get_data(as_text=True)
    response = client.post(
        f"/tiers/engagements/{engagement.id}/cloud",
        data={"csrf_token": token, "cloud_service_ids": ["999999"]},
    )
    assert db.session.scalars(select(EngagementCloudService.cloud_service_id)).all() == [service.id]


def test_cloud_use_is_chosen_on_its_own_page(app, client, make, login_as):
    make.schemes()
    department = make.department()
    engagement = make.engagement(department=department)
    used = make.cloud_service(department=department, title="利用中のサービス")
    other = make.cloud_service(department=department, title="別のサービス")
    db.session.add(EngagementCloudService(engagement_id=engagement.id, cloud_service_id=used.id))
    db.session.commit()
    login_as(make.user(Role.OFFICER, department=department))
    url = f"/tiers/engagements/{engagement.id}/cloud"
    # the engagement's page names the service in use and links to the choice, without the list
    detail = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert "利用中のサービス" in detail and "別のサービス" not in detail and url in detail
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(rf'value="{used.id}" checked', html)
    assert re.search(rf'value="{other.id}" >', html) and "別のサービス" in html
    response = client.post(
        url,
        data={"csrf_token": csrf_token_from(html), "cloud_service_ids": [str(other.id)]},
    )
    assert response.status_code == 302
    linked = select(EngagementCloudService.cloud_service_id).order_by(
        EngagementCloudService.cloud_service_id
    )
    assert db.session.scalars(linked).all() == [other.id]
    stranger = app.test_client()
    login(stranger, make.user(Role.OFFICER, department=make.department()))
    assert stranger.get(url).status_code == 403  # another department's engagement


def _tier_a(make, contractor, department, service, n: int) -> None:
    for _ in range(n):
        engagement = make.engagement(
            department=department, contractor=contractor, handles_my_number=True
        )
        db.session.add(
            EngagementCloudService(engagement_id=engagement.id, cloud_service_id=service.id)
        )
    db.session.commit()


def test_concentration_table_and_chart_with_a_constant_query_count(
    client, make, login_as, count_queries
):
    make.schemes()
    department = make.department()
    big, small = make.contractor(name="大手情報株式会社"), make.contractor(name="小規模商事")
    service = make.cloud_service(
        department=department, provider_name="雲上株式会社", ismap_registration_number="C23-0042"
    )
    _tier_a(make, big, department, service, 3)
    _tier_a(make, small, department, service, 2)
    make.engagement(contractor=small)  # tier D: not counted
    login_as(make.user(Role.AUDITOR))
    with count_queries() as few:
        response = client.get("/tiers/concentration")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "対象の業務委託：5件" in html
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 3  # contractors, cloud providers, ISMAP services (no subcontractors)
    root = ET.fromstring(svgs[0])
    ns = {"svg": "http://www.w3.org/2000/svg"}
    bars = root.findall(".//svg:rect", ns)
    labels = [t.text for t in root.findall(".//svg:text", ns)]
    assert labels[:2] == ["大手情報株式会社", "3"]
    assert [int(bar.get("width")) for bar in bars] == [360, 240]
    assert "C23-0042" in html and "雲上株式会社" in html

    # 500 tier-A engagements: the same number of queries
    engagements = [
        Engagement(
            title=f"番号業務{n}",
            department_id=department.id,
            contractor_id=big.id if n % 2 else small.id,
            starts_on=date(2026, 4, 1),
            ends_on=date(2027, 3, 31),
            handles_my_number=True,
        )
        for n in range(495)
    ]
    db.session.add_all(engagements)
    db.session.commit()
    assert (
        db.session.scalars(select(Engagement.tier).where(Engagement.title == "番号業務1")).one()
        == RiskTier.A
    )
    with count_queries() as many:
        response = client.get("/tiers/concentration")
    assert "対象の業務委託：500件" in response.get_data(as_text=True)
    assert few.count == many.count

    # filters: another fiscal year, another department
    assert "対象の業務委託：0件" in client.get("/tiers/concentration?fy=2030").get_data(
        as_text=True
    )
    other = make.department()
    assert "対象の業務委託：0件" in client.get(
        f"/tiers/concentration?department={other.id}"
    ).get_data(as_text=True)


def test_rules_page_keeps_a_constant_query_count(client, make, login_as, count_queries):
    make.schemes()
    login_as(make.user(Role.ADMIN))
    counts = []
    for total in (5, 50):
        have = db.session.scalar(select(db.func.count(TierRule.id))) or 0
        db.session.add_all(
            TierRule(
                position=n,
                tier=RiskTier.B,
                label=f"規則{n}",
                condition={"all": [{"fact": "segments", "op": "contains", "value": "internet"}]},
            )
            for n in range(have, total)
        )
        db.session.commit()
        with count_queries() as counter:
            response = client.get("/tiers/rules")
        assert response.status_code == 200 and f"規則{total - 1}" in response.get_data(as_text=True)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
