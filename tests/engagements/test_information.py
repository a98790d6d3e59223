"""Information items of an engagement and the 機密性2以上 judgement, which comes from scheme data."""

from __future__ import annotations

from sqlalchemy import select

from tests.engagements.helpers import audit_actions
from vendorguard.auth.roles import Role
from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.engagements import queries
from vendorguard.engagements.models import Engagement, InformationItem
from vendorguard.extensions import db


def _level(scheme_code: str, axis: Axis, code: str) -> ClassificationLevel:
    return db.session.scalars(
        select(ClassificationLevel)
        .join(ClassificationScheme)
        .where(
            ClassificationScheme.code == scheme_code,
            ClassificationLevel.axis == axis,
            ClassificationLevel.code == code,
        )
    ).one()


def _loaded(engagement_id: int) -> Engagement:
    db.session.expire_all()
    return db.session.scalars(queries.engagement_detail(engagement_id)).unique().one()


def _flag_in_sql(engagement_id: int) -> bool:
    return db.session.scalar(
        select(queries.high_confidentiality()).where(Engagement.id == engagement_id)
    )


def test_items_are_classified_with_the_active_scheme_and_flag_high_confidentiality(
    client, make, login_as
):
    scheme = make.schemes()
    assert scheme.code == "r6_10"
    engagement = make.engagement()
    login_as(make.user(Role.PROCUREMENT))
    form = client.get(f"/engagements/{engagement.id}/information/new").get_data(as_text=True)
    assert "自治体機密性3B" in form and ">機密性3<" not in form  # only the active scheme is offered

    low = _level("r6_10", Axis.CONFIDENTIALITY, "1")
    response = client.post(
        f"/engagements/{engagement.id}/information/new",
        data={"name": "公開予定の統計データ", "confidentiality_level_id": str(low.id)},
    )
    assert response.status_code == 302
    assert not _loaded(engagement.id).handles_high_confidentiality and not _flag_in_sql(
        engagement.id
    )

    high = _level("r6_10", Axis.CONFIDENTIALITY, "3B")
    integrity = _level("r6_10", Axis.INTEGRITY, "2")
    response = client.post(
        f"/engagements/{engagement.id}/information/new",
        data={
            "name": "住民票の写し",
            "description": "窓口で交付した記録",
            "confidentiality_level_id": str(high.id),
            "integrity_level_id": str(integrity.id),
            "availability_level_id": "",
        },
    )
    assert response.status_code == 302
    assert _loaded(engagement.id).handles_high_confidentiality and _flag_in_sql(engagement.id)
    html = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    for text in (
        "住民票の写し",
        "自治体機密性3B",
        "完全性2",
        "機密性2以上",
        "公開予定の統計データ",
    ):
        assert text in html
    assert "機密性2以上" in client.get("/engagements/").get_data(as_text=True)


def test_the_threshold_is_data_not_code(client, make, login_as):
    make.schemes()
    engagement = make.engagement()
    two = _level("r6_10", Axis.CONFIDENTIALITY, "2")
    db.session.add(
        InformationItem(
            engagement_id=engagement.id, name="内部資料", confidentiality_level_id=two.id
        )
    )
    db.session.commit()
    assert _loaded(engagement.id).handles_high_confidentiality and _flag_in_sql(engagement.id)

    scheme = db.session.scalars(
        select(ClassificationScheme).where(ClassificationScheme.code == "r6_10")
    ).one()
    scheme.high_confidentiality_rank = 3  # a scheme edited to count only 3C and above
    db.session.commit()
    assert not _loaded(engagement.id).handles_high_confidentiality and not _flag_in_sql(
        engagement.id
    )


def test_levels_of_another_scheme_or_axis_are_refused(client, make, login_as):
    make.schemes()
    engagement = make.engagement()
    login_as(make.user(Role.ADMIN))
    inactive = _level("r5", Axis.CONFIDENTIALITY, "3")
    response = client.post(
        f"/engagements/{engagement.id}/information/new",
        data={"name": "住民票の写し", "confidentiality_level_id": str(inactive.id)},
    )
    assert response.status_code == 200
    wrong_axis = _level("r6_10", Axis.AVAILABILITY, "2")
    response = client.post(
        f"/engagements/{engagement.id}/information/new",
        data={"name": "住民票の写し", "confidentiality_level_id": str(wrong_axis.id)},
    )
    assert response.status_code == 200
    assert db.session.scalars(select(InformationItem)).all() == []


def test_item_keeps_a_level_of_an_earlier_scheme_when_edited(client, make, login_as):
    make.schemes()
    engagement = make.engagement()
    old = _level("r5", Axis.CONFIDENTIALITY, "3")
    item = InformationItem(
        engagement_id=engagement.id, name="税務情報", confidentiality_level_id=old.id
    )
    db.session.add(item)
    db.session.commit()
    login_as(make.user(Role.ADMIN))
    html = client.get(f"/engagements/{engagement.id}/information/{item.id}/edit").get_data(
        as_text=True
    )
    assert f'<option selected value="{old.id}">機密性3</option>' in html
    response = client.post(
        f"/engagements/{engagement.id}/information/{item.id}/edit",
        data={"name": "税務情報（課税台帳）", "confidentiality_level_id": str(old.id)},
    )
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.name == "税務情報（課税台帳）" and item.confidentiality_level_id == old.id


def test_item_is_deleted_by_post_and_the_trail_keeps_it(client, make, login_as):
    make.schemes()
    engagement = make.engagement()
    item = InformationItem(engagement_id=engagement.id, name="税務情報")
    db.session.add(item)
    db.session.commit()
    item_id = item.id
    login_as(make.user(Role.PROCUREMENT))
    assert (
        client.get(f"/engagements/{engagement.id}/information/{item_id}/delete").status_code == 405
    )
    assert (
        client.post(f"/engagements/{engagement.id}/information/{item_id}/delete").status_code == 302
    )
    assert db.session.get(InformationItem, item_id) is None
    assert audit_actions("information_item", item_id) == ["create", "delete"]


def test_item_of_another_engagement_is_not_found(client, make, login_as):
    engagement, other = make.engagement(), make.engagement()
    item = InformationItem(engagement_id=other.id, name="税務情報")
    db.session.add(item)
    db.session.commit()
    login_as(make.user(Role.ADMIN))
    assert client.get(f"/engagements/{engagement.id}/information/{item.id}/edit").status_code == 404
    assert (
        client.post(f"/engagements/{engagement.id}/information/{item.id}/delete").status_code == 404
    )
    assert db.session.get(InformationItem, item.id) is not None


def test_form_without_any_scheme_says_so(client, make, login_as):
    engagement = make.engagement()
    login_as(make.user(Role.ADMIN))
    html = client.get(f"/engagements/{engagement.id}/information/new").get_data(as_text=True)
    assert "重要性分類の体系が設定されていない" in html
    assert (
        client.post(
            f"/engagements/{engagement.id}/information/new", data={"name": "台帳"}
        ).status_code
        == 302
    )
