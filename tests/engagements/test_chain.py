"""The subcontracting chain of any depth: parents, tiers, My Number at every stage, proposals,
the city's decision and the server-drawn SVG graph."""

from __future__ import annotations

from datetime import date

import defusedxml.ElementTree as ET
import pytest
from sqlalchemy import select

from vendorguard.auth.roles import Role
from vendorguard.core.errors import DomainError
from vendorguard.engagements import subcontracting
from vendorguard.engagements.chain import ordered
from vendorguard.engagements.models import PermissionStatus, Subcontractor
from vendorguard.engagements.subcontracting import SubcontractorData
from vendorguard.extensions import db

SVG = "{http://www.w3.org/2000/svg}"


def _stage(engagement, name, parent=None, approved=True, **extra):
    data = SubcontractorData(
        name=name,
        parent_id=parent.id if parent else None,
        approved_by="情報政策課長" if approved else "",
        approved_on=date(2026, 4, 1) if approved else None,
        **extra,
    )
    sub = subcontracting.add_subcontractor(db.session, engagement, data, None)
    db.session.commit()
    return sub


def test_three_stages_have_tiers_from_their_parents_and_render_as_svg(client, make, login_as):
    contractor = make.contractor(name="但馬情報株式会社")
    engagement = make.engagement(contractor=contractor, subcontracting_allowed=True)
    first = _stage(engagement, "一次<開発>&株式会社", flow_down=["OUT-07", "OUT-09"])
    second = _stage(engagement, "二次株式会社", first, information_handled="住民記録")
    third = _stage(engagement, "三次株式会社", second, approved=False)
    assert (first.tier, second.tier, third.tier) == (1, 2, 3)
    assert first.flow_down == ["OUT-07", "OUT-09"]
    login_as(make.user(Role.AUDITOR))
    response = client.get(f"/engagements/{engagement.id}/chain.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)  # parsed as XML: escaping and structure are right
    assert root.tag == f"{SVG}svg"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "但馬情報株式会社" in texts
    assert "一次<開発>&株式会社" in [t.text for t in root.iter(f"{SVG}title")]
    assert "二次株式会社" in texts and "三次株式会社" in texts
    assert "3次・未許諾" in texts and "2次・許諾済" in texts
    lines = [(p.get("data-from"), p.get("data-to")) for p in root.iter(f"{SVG}path")]
    assert lines == [("0", "1"), ("1", "2"), ("2", "3")]  # contractor → 1次 → 2次 → 3次
    # Styled by attributes: an inline <style> would be blocked by the app's CSP (style-src 'self').
    assert root.find(f".//{SVG}style") is None
    assert all(p.get("stroke") for p in root.iter(f"{SVG}path"))
    html = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert f"/engagements/{engagement.id}/chain.svg" in html


def test_ordered_is_depth_first_with_siblings(make):
    engagement = make.engagement(subcontracting_allowed=True)
    a = _stage(engagement, "A")
    b = _stage(engagement, "B")
    a1 = _stage(engagement, "A1", a)
    b1 = _stage(engagement, "B1", b)
    stages = ordered([b1, a1, b, a])
    assert [(s.sub.name, s.depth, s.parent_row) for s in stages] == [
        ("A", 1, 0),
        ("A1", 2, 1),
        ("B", 1, 0),
        ("B1", 2, 3),
    ]


def test_my_number_every_stage_needs_permission_citing_article_10(make):
    engagement = make.engagement(subcontracting_allowed=True, handles_my_number=True)
    first = _stage(engagement, "一次株式会社")
    with pytest.raises(DomainError, match="番号法第10条"):
        _stage(engagement, "二次株式会社", first, approved=False)
    db.session.rollback()
    contractor_user = make.user(Role.CONTRACTOR, contractor_id=engagement.contractor_id)
    second = subcontracting.propose_subcontractor(
        db.session,
        engagement,
        SubcontractorData(name="二次株式会社", parent_id=first.id),
        contractor_user,
    )
    db.session.commit()
    assert second.permission_status == PermissionStatus.PROPOSED and second.tier == 2
    # Below a stage the city has not permitted: refused, whoever proposes it.
    with pytest.raises(DomainError, match="番号法第10条") as refused:
        subcontracting.propose_subcontractor(
            db.session,
            engagement,
            SubcontractorData(name="三次株式会社", parent_id=second.id),
            contractor_user,
        )
    assert refused.value.field == "parent_id"
    db.session.rollback()
    officer = make.user(Role.OFFICER)
    subcontracting.approve_subcontractor(
        db.session, engagement, second, "課長", date(2026, 5, 1), officer.id, "再々委託は事前に報告"
    )
    db.session.commit()
    third = subcontracting.propose_subcontractor(
        db.session,
        engagement,
        SubcontractorData(name="三次株式会社", parent_id=second.id),
        contractor_user,
    )
    db.session.commit()
    assert third.tier == 3 and second.approval_conditions == "再々委託は事前に報告"


def test_subcontractor_proposes_only_below_its_own_stage_and_city_may_refuse(make):
    engagement = make.engagement(subcontracting_allowed=True)
    sub_company = make.contractor(name="一次株式会社")
    first = _stage(engagement, "一次株式会社", contractor_id=sub_company.id)
    other = _stage(engagement, "別系統株式会社")
    sub_user = make.user(Role.CONTRACTOR, contractor_id=sub_company.id)
    with pytest.raises(DomainError, match="自社より下位"):
        subcontracting.propose_subcontractor(
            db.session, engagement, SubcontractorData(name="X", parent_id=other.id), sub_user
        )
    with pytest.raises(DomainError, match="自社より下位"):
        subcontracting.propose_subcontractor(
            db.session, engagement, SubcontractorData(name="X", parent_id=None), sub_user
        )
    db.session.rollback()
    proposed = subcontracting.propose_subcontractor(
        db.session, engagement, SubcontractorData(name="二次株式会社", parent_id=first.id), sub_user
    )
    db.session.commit()
    officer = make.user(Role.OFFICER)
    with pytest.raises(DomainError, match="理由"):
        subcontracting.reject_subcontractor(db.session, engagement, proposed, " ", officer.id)
    subcontracting.reject_subcontractor(db.session, engagement, proposed, "実績不足", officer.id)
    db.session.commit()
    assert proposed.permission_status == PermissionStatus.REJECTED
    assert proposed.archived_at is not None
    with pytest.raises(DomainError):
        subcontracting.restore_subcontractor(db.session, engagement, proposed)


def test_moving_a_stage_renumbers_the_stages_below_and_refuses_loops(make):
    engagement = make.engagement(subcontracting_allowed=True)
    a = _stage(engagement, "A")
    b = _stage(engagement, "B", a)
    c = _stage(engagement, "C", b)
    data = SubcontractorData(
        name="A", parent_id=c.id, approved_by="課長", approved_on=date(2026, 4, 1)
    )
    with pytest.raises(DomainError, match="下位"):
        subcontracting.update_subcontractor(db.session, engagement, a, data, None)
    db.session.rollback()
    x = _stage(engagement, "X")
    y = _stage(engagement, "Y", x)
    data = SubcontractorData(
        name="B", parent_id=y.id, approved_by="課長", approved_on=date(2026, 4, 1)
    )
    subcontracting.update_subcontractor(db.session, engagement, b, data, None)
    db.session.commit()
    tiers = dict(
        db.session.execute(
            select(Subcontractor.name, Subcontractor.tier).where(
                Subcontractor.engagement_id == engagement.id
            )
        ).all()
    )
    assert tiers == {"A": 1, "X": 1, "Y": 2, "B": 3, "C": 4}
    with pytest.raises(DomainError, match="下位の再委託先が残っている"):
        subcontracting.archive_subcontractor(db.session, engagement, y)
