"""Classification scheme administration: seeding, switching the active scheme, rewording levels."""

from __future__ import annotations

from sqlalchemy import select

from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.extensions import db


def _schemes():
    return {s.code: s for s in db.session.scalars(select(ClassificationScheme))}


def test_empty_page_offers_to_seed_the_default_schemes(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    html = client.get("/admin/classification/").get_data(as_text=True)
    assert "分類体系がまだ登録されていません。" in html and "/admin/classification/seed" in html
    response = client.post("/admin/classification/seed", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "標準の分類体系を登録しました。" in html
    assert set(_schemes()) == {"r5", "r6_10"}
    assert "自治体機密性3A" in html and "機密性3" in html and "可用性2" in html
    assert html.count("適用中</span>") == 1


def test_activation_leaves_exactly_one_active_scheme_and_is_audited(client, make, login_as):
    make.schemes()
    login_as(make.user(Role.ADMIN))
    r5 = _schemes()["r5"]
    assert not r5.active
    response = client.post(f"/admin/classification/{r5.id}/activate", follow_redirects=True)
    assert (
        "分類体系を「ガイドライン令和5年版まで（機密性3段階）」に切り替えました。"
        in response.get_data(as_text=True)
    )
    db.session.expire_all()
    active = [s.code for s in _schemes().values() if s.active]
    assert active == ["r5"]
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "classification_scheme", AuditEvent.action == "activate"
        )
    ).all()
    assert [e.object_id for e in events] == [str(r5.id)]

    # activating it again changes nothing and records nothing
    response = client.post(f"/admin/classification/{r5.id}/activate", follow_redirects=True)
    assert "既に適用中です。" in response.get_data(as_text=True)
    assert [s.code for s in _schemes().values() if s.active] == ["r5"]


def test_level_label_and_description_can_be_edited_but_not_code_or_rank(client, make, login_as):
    make.schemes()
    login_as(make.user(Role.ADMIN))
    level = db.session.scalars(
        select(ClassificationLevel)
        .join(ClassificationScheme)
        .where(
            ClassificationScheme.code == "r6_10",
            ClassificationLevel.axis == Axis.CONFIDENTIALITY,
            ClassificationLevel.code == "3C",
        )
    ).one()
    response = client.post(
        f"/admin/classification/levels/{level.id}/edit",
        data={
            "label": "自治体機密性3C",
            "description": "本市では個人情報を含む内部資料を指す。",
            "code": "9",
            "rank": "99",
        },
    )
    assert response.status_code == 302
    db.session.refresh(level)
    assert level.description == "本市では個人情報を含む内部資料を指す。"
    assert level.code == "3C" and level.rank == 3
    event = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "classification_level", AuditEvent.object_id == str(level.id)
        )
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert event.action == "update" and "description" in event.after


def test_level_label_must_not_repeat_on_the_same_axis(client, make, login_as):
    make.schemes()
    login_as(make.user(Role.ADMIN))
    level = db.session.scalars(
        select(ClassificationLevel)
        .join(ClassificationScheme)
        .where(
            ClassificationScheme.code == "r5",
            ClassificationLevel.axis == Axis.CONFIDENTIALITY,
            ClassificationLevel.code == "1",
        )
    ).one()
    response = client.post(
        f"/admin/classification/levels/{level.id}/edit",
        data={"label": "機密性2", "description": "変更後の説明"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "同じ体系・観点に同じ表示名の区分があります。" in html and "変更後の説明" in html
    response = client.post(
        f"/admin/classification/levels/{level.id}/edit", data={"label": "", "description": ""}
    )
    assert "入力してください。" in response.get_data(as_text=True)
    db.session.refresh(level)
    assert level.label == "機密性1"


def test_unknown_scheme_or_level_is_404(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    assert client.post("/admin/classification/999/activate").status_code == 404
    assert client.get("/admin/classification/levels/999/edit").status_code == 404


def test_only_admins_manage_classification(client, make, login_as):
    make.schemes()
    login_as(make.user(Role.AUDITOR))
    r5 = _schemes()["r5"]
    assert client.get("/admin/classification/").status_code == 403
    assert client.post(f"/admin/classification/{r5.id}/activate").status_code == 403
    assert client.post("/admin/classification/seed").status_code == 403
    db.session.expire_all()
    assert not _schemes()["r5"].active


def test_index_query_count_is_fixed(client, make, login_as, count_queries):
    login_as(make.user(Role.ADMIN))
    make.schemes()
    client.get("/admin/classification/")
    with count_queries() as two_schemes:
        assert client.get("/admin/classification/").status_code == 200
    for n in range(20):
        scheme = ClassificationScheme(code=f"x{n}", name=f"試験体系{n}")
        scheme.levels = [
            ClassificationLevel(axis=axis, code=str(r), label=f"{axis.label}{r}", rank=r)
            for axis in Axis
            for r in (1, 2, 3)
        ]
        db.session.add(scheme)
    db.session.commit()
    with count_queries() as many:
        assert client.get("/admin/classification/").status_code == 200
    assert two_schemes.count == many.count
