"""Tier rules decide from the data: the highest tier with its reasons, the lowest for harmless work."""

from __future__ import annotations

from sqlalchemy import select

from tests.engagements.helpers import engagement_form
from vendorguard.auth.roles import Role
from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.engagements.models import (
    Engagement,
    InformationItem,
    PersonalInfoVolume,
    RiskTier,
)
from vendorguard.extensions import db
from vendorguard.tiers import services
from vendorguard.tiers.models import EngagementTier


def _row(engagement) -> EngagementTier:
    return db.session.get_one(EngagementTier, engagement.id)


def _level(scheme_code: str, code: str) -> ClassificationLevel:
    return db.session.scalars(
        select(ClassificationLevel)
        .join(ClassificationScheme)
        .where(
            ClassificationScheme.code == scheme_code,
            ClassificationLevel.axis == Axis.CONFIDENTIALITY,
            ClassificationLevel.code == code,
        )
    ).one()


def test_my_number_work_on_the_my_number_segment_with_subcontracting_is_tier_a(make):
    make.schemes()
    engagement = make.engagement(
        handles_my_number=True,
        handles_personal_info=True,
        segment_my_number=True,
        subcontracting_allowed=True,
    )
    make.subcontractor(engagement)
    db.session.add(
        InformationItem(
            engagement_id=engagement.id,
            name="住民基本台帳",
            confidentiality_level_id=_level("r6_10", "3A").id,
        )
    )
    db.session.commit()

    row = _row(engagement)
    assert db.session.get_one(Engagement, engagement.id).tier == RiskTier.A
    assert row.computed_tier == RiskTier.A
    labels = [services.reason_label(reason) for reason in row.reasons]
    # the deciding rule's factors first, then what else held (subcontracting of personal data)
    assert labels[:3] == [
        "マイナンバー（特定個人情報）",
        "マイナンバー利用事務系",
        "自治体機密性3A",
    ]
    assert "再委託あり" in labels
    text = services.summary(row.effective_tier, row.reasons)
    assert text.startswith(
        "区分A：マイナンバー（特定個人情報）、マイナンバー利用事務系、自治体機密性3A"
    )
    assert "再委託あり" in text


def test_printing_job_without_personal_information_is_the_lowest_tier(make):
    make.schemes()
    engagement = make.engagement(title="広報紙印刷業務", segment_internet=True)
    row = _row(engagement)
    assert row.computed_tier == RiskTier.D
    assert row.reasons == []
    assert services.summary(row.effective_tier, row.reasons) == "区分D：該当する条件なし"


def test_volume_band_and_r5_scheme_levels_count(make):
    make.schemes()
    many = make.engagement(
        handles_personal_info=True, personal_info_volume=PersonalInfoVolume.FROM_100K
    )
    assert _row(many).computed_tier == RiskTier.B
    assert "volume_10k" in [reason["key"] for reason in _row(many).reasons]
    old_scheme = make.engagement()
    db.session.add(
        InformationItem(
            engagement_id=old_scheme.id,
            name="人事情報",
            confidentiality_level_id=_level("r5", "3").id,
        )
    )
    db.session.commit()
    assert _row(old_scheme).computed_tier == RiskTier.A
    assert [services.reason_label(r) for r in _row(old_scheme).reasons] == ["機密性3"]


def test_saving_the_engagement_form_recomputes_the_tier(client, make, login_as):
    make.schemes()
    department, contractor = make.department(), make.contractor()
    login_as(make.user(Role.ADMIN))
    response = client.post(
        "/engagements/new",
        data=engagement_form(department, contractor, handles_personal_info=None),
    )
    assert response.status_code == 302
    engagement = db.session.scalars(select(Engagement)).one()
    assert engagement.tier == RiskTier.D
    response = client.post(
        f"/engagements/{engagement.id}/edit",
        data=engagement_form(
            department,
            contractor,
            handles_personal_info="y",
            personal_info_volume="10k_100k",
            remote_access="y",
        ),
    )
    assert response.status_code == 302
    engagement = db.session.get_one(Engagement, engagement.id)
    assert engagement.personal_info_volume == PersonalInfoVolume.FROM_10K
    assert engagement.remote_access is True
    assert engagement.tier == RiskTier.B
    keys = [reason["key"] for reason in _row(engagement).reasons]
    assert keys[:1] == ["volume_10k"]
    assert "remote_access" in keys
    page = client.get("/engagements/?tier=B").get_data(as_text=True)
    assert engagement.title in page
    assert engagement.title not in client.get("/engagements/?tier=A").get_data(as_text=True)
    export = client.get("/engagements/?tier=B&format=csv").get_data(as_text=True)
    assert "リスク区分" in export and "区分B" in export and "1万件以上10万件未満" in export


def test_a_failed_save_leaves_the_tier_alone(make):
    make.schemes()
    engagement = make.engagement()
    assert _row(engagement).computed_tier == RiskTier.D
    engagement.handles_my_number = True
    db.session.flush()
    db.session.rollback()
    db.session.commit()  # nothing noted survives the rollback
    assert db.session.get_one(Engagement, engagement.id).tier == RiskTier.D


def test_adding_an_information_item_on_its_page_recomputes_the_tier(client, make, login_as):
    make.schemes()
    department = make.department()
    engagement = make.engagement(department=department)
    assert _row(engagement).computed_tier == RiskTier.D
    login_as(make.user(Role.OFFICER, department=department))
    client.get(f"/engagements/{engagement.id}")  # the page loads the items first, as people do
    response = client.post(
        f"/engagements/{engagement.id}/information/new",
        data={"name": "課税台帳", "confidentiality_level_id": str(_level("r6_10", "3A").id)},
    )
    assert response.status_code == 302
    assert db.session.get_one(Engagement, engagement.id).tier == RiskTier.A
    assert [services.reason_label(r) for r in _row(engagement).reasons] == ["自治体機密性3A"]
    item = db.session.scalars(select(InformationItem)).one()
    response = client.post(f"/engagements/{engagement.id}/information/{item.id}/delete")
    assert response.status_code == 302
    assert db.session.get_one(Engagement, engagement.id).tier == RiskTier.D
