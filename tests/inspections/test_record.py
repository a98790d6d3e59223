"""Recording an inspection: checklist results, two photos, completion into actions, the report."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.inspections.conftest import personal_engagement, photo_bytes
from vendorguard.assessments.models import Action, Assessment, AssessmentMethod, AssessmentResult
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.inspections import planning
from vendorguard.inspections.models import (
    Inspection,
    InspectionItem,
    InspectionMethod,
    InspectionPhoto,
    InspectionStatus,
    ItemResult,
)


@pytest.fixture
def planned(app, make, shipped_catalog):
    """An officer and a planned inspection of an engagement of their department."""
    officer = make.user(Role.OFFICER)
    engagement = personal_engagement(make, department=officer.department)
    (inspection,) = planning.plan_fiscal_year(db.session, 2026).created
    db.session.commit()
    return officer, engagement, inspection.id


def _form(inspection: Inspection, **overrides) -> dict:
    data = {
        "inspected_on": "令和8年6月1日",
        "method": "on_site",
        "method_detail": "受託者の豊岡データセンター（サーバ室・執務室）を訪問",
        "other_inspectors": "外部監査人 但馬太郎",
        "contractor_attendees": "情報セキュリティ責任者 山田",
        "summary": "個人情報の保管と持ち出しの管理を確認した。",
        "findings": "",
        "version": str(inspection.version),
    }
    for item in inspection.items:
        data[f"result_{item.id}"] = "conforming"
        data[f"notes_{item.id}"] = ""
    data.update(overrides)
    return data


def _load(inspection_id: int) -> Inspection:
    from vendorguard.inspections.queries import inspection_detail

    db.session.expire_all()
    return db.session.scalars(inspection_detail(inspection_id)).unique().one()


def _upload(client, inspection_id: int, content: bytes, name: str, caption: str = ""):
    return client.post(
        f"/inspections/{inspection_id}/photos",
        data={"file": (io.BytesIO(content), name), "caption": caption},
        content_type="multipart/form-data",
    )


def test_record_with_two_photos_findings_and_report(app, make, client, login_as, planned):
    officer, engagement, inspection_id = planned
    login_as(officer)
    inspection = _load(inspection_id)
    items = inspection.items
    assert len(items) >= 3
    bad, na = items[0], items[1]
    data = _form(
        inspection,
        inspector_ids=[str(officer.id)],
        findings="・作業場所の入退室記録が一部欠けていた",
        **{
            f"result_{bad.id}": "nonconforming",
            f"notes_{bad.id}": "持ち出し記録に押印漏れ",
            f"result_{na.id}": "not_applicable",
        },
    )
    response = client.post(f"/inspections/{inspection_id}/record", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    assert (
        _upload(
            client, inspection_id, photo_bytes("PNG"), "サーバ室.png", "サーバ室の施錠"
        ).status_code
        == 302
    )
    assert (
        _upload(
            client, inspection_id, photo_bytes("JPEG", (480, 800)), "書庫.jpg", "書庫"
        ).status_code
        == 302
    )
    # not an image, and an image claiming to be another: refused, nothing stored
    refused = _upload(client, inspection_id, b"%PDF-1.4\n%%EOF\n", "報告.pdf")
    assert refused.status_code == 302
    refused_page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "JPEGまたはPNG" in refused_page
    _upload(client, inspection_id, photo_bytes("PNG"), "写真.pdf")
    assert db.session.scalar(select(func.count()).select_from(InspectionPhoto)) == 2

    detail = client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    assert "サーバ室の施錠" in detail and "書庫" in detail
    photo = db.session.scalars(select(InspectionPhoto).order_by(InspectionPhoto.id)).first()
    shown = client.get(f"/inspections/photos/{photo.id}")
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"

    # completing with findings needs a person in charge and a due date
    missing = client.post(
        f"/inspections/{inspection_id}/complete",
        data={"version": str(_load(inspection_id).version)},
    )
    assert missing.status_code == 302
    assert _load(inspection_id).status == InspectionStatus.PLANNED
    response = client.post(
        f"/inspections/{inspection_id}/complete",
        data={
            "owner_id": str(officer.id),
            "due_on": "2026-07-31",
            "version": str(_load(inspection_id).version),
        },
    )
    assert response.status_code == 302
    done = _load(inspection_id)
    assert done.status == InspectionStatus.DONE and done.assessment_id is not None
    assessment = db.session.get(Assessment, done.assessment_id)
    assert assessment.method == AssessmentMethod.ON_SITE
    assert assessment.result == AssessmentResult.PARTIALLY_CONFORMING
    actions = db.session.scalars(select(Action).where(Action.assessment_id == assessment.id)).all()
    findings = sorted(a.finding for a in actions)
    assert len(actions) == 2 and all(a.owner_id == officer.id for a in actions)
    assert any("持ち出し記録に押印漏れ" in f and bad.requirement_code in f for f in findings)
    assert "作業場所の入退室記録が一部欠けていた" in findings
    assert all(a.due_on == date(2026, 7, 31) for a in actions)
    tags = set(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "inspection"))
    )
    assert {"create", "update", "complete"} <= tags

    # completed: nothing changes any more
    again = client.post(f"/inspections/{inspection_id}/record", data=_form(done))
    assert again.status_code == 302 and _load(inspection_id).summary == done.summary
    assert _upload(client, inspection_id, photo_bytes("PNG"), "追加.png").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(InspectionPhoto)) == 2

    report = client.get(f"/inspections/{inspection_id}/report")
    assert report.status_code == 200
    with zipfile.ZipFile(io.BytesIO(report.data)) as docx:
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        body = docx.read("word/document.xml").decode("utf-8")
    assert len(media) == 2
    assert engagement.title in body and "持ち出し記録に押印漏れ" in body and "不適合" in body


def test_item_results_are_validated_and_nothing_is_lost(app, make, client, login_as, planned):
    officer, _engagement, inspection_id = planned
    login_as(officer)
    inspection = _load(inspection_id)
    item = inspection.items[0]
    data = _form(inspection, **{f"result_{item.id}": "maybe", "inspected_on": "2099-01-01"})
    response = client.post(f"/inspections/{inspection_id}/record", data=data)
    assert response.status_code == 200  # the form again, with what was typed
    page = response.get_data(as_text=True)
    assert "受託者の豊岡データセンター" in page
    assert db.session.get(InspectionItem, item.id).result == ItemResult.UNCHECKED
    future = _form(inspection, inspected_on="2099-01-01")
    page = client.post(f"/inspections/{inspection_id}/record", data=future).get_data(as_text=True)
    assert "未来の日付" in page
    assert _load(inspection_id).inspected_on is None


def test_stale_record_is_refused(app, make, client, login_as, planned):
    officer, _engagement, inspection_id = planned
    login_as(officer)
    inspection = _load(inspection_id)
    first, stale = _form(inspection), _form(inspection, summary="古い画面")  # one rendered page
    assert client.post(f"/inspections/{inspection_id}/record", data=first).status_code == 302
    response = client.post(f"/inspections/{inspection_id}/record", data=stale)
    assert "他の利用者が先に更新しました" in response.get_data(as_text=True)
    assert _load(inspection_id).summary != "古い画面"


def test_other_department_and_auditor_change_nothing(app, make, client, login_as, planned):
    _officer, _engagement, inspection_id = planned
    inspection = _load(inspection_id)
    login_as(make.user(Role.OFFICER))
    assert (
        client.get(f"/inspections/{inspection_id}").status_code == 200
    )  # officers read engagements
    assert (
        client.post(f"/inspections/{inspection_id}/record", data=_form(inspection)).status_code
        == 403
    )
    client.post("/logout")
    login_as(make.user(Role.AUDITOR))
    assert client.get(f"/inspections/{inspection_id}/report").status_code == 200
    assert _upload(client, inspection_id, photo_bytes("PNG"), "a.png").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(InspectionPhoto)) == 0


@pytest.mark.parametrize(
    ("results", "findings", "expected", "actions"),
    [
        ({}, "", AssessmentResult.CONFORMING, 0),
        ({0: ItemResult.NONCONFORMING}, "", AssessmentResult.NONCONFORMING, 1),
        ({}, "入退室記録の不備", AssessmentResult.PARTIALLY_CONFORMING, 1),
    ],
)
def test_completion_result_and_actions(app, make, planned, results, findings, expected, actions):
    from vendorguard.inspections import services

    officer, engagement, inspection_id = planned
    inspection = _load(inspection_id)
    services.save_record(
        db.session,
        inspection,
        engagement,
        services.RecordData(
            inspected_on=date(2026, 6, 1),
            method=InspectionMethod.PHOTOS,
            other_inspectors="外部監査人",
            findings=findings,
            results={inspection.items[n].id: (result, "") for n, result in results.items()},
        ),
        today=date(2026, 6, 2),
    )
    db.session.commit()
    inspection = _load(inspection_id)
    services.complete(
        db.session, inspection, engagement, officer, officer.id, date(2026, 7, 1), date(2026, 6, 2)
    )
    db.session.commit()
    assessment = db.session.get(Assessment, _load(inspection_id).assessment_id)
    assert assessment.result == expected and assessment.method == AssessmentMethod.OTHER
    assert len(db.session.scalars(select(Action)).all()) == actions
