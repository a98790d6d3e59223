"""The inspection report opens in LibreOffice: convert to PDF and find the record in its text."""

from __future__ import annotations

import io
import shutil
from datetime import date

import pytest
from flask import current_app

from tests.documents.test_libreoffice import pdf_text
from tests.inspections.conftest import personal_engagement, photo_bytes
from vendorguard.auth.roles import Role
from vendorguard.city.models import CityProfile
from vendorguard.city.services import PROFILE_ID, forget
from vendorguard.extensions import db
from vendorguard.inspections import planning, report, services
from vendorguard.inspections.models import InspectionMethod, ItemResult
from vendorguard.inspections.queries import actions_of, inspection_detail
from vendorguard.storage.factory import get_storage

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        (shutil.which("soffice") or shutil.which("libreoffice")) is None,
        reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui",
    ),
    pytest.mark.skipif(
        shutil.which("pdftotext") is None,
        reason="pdftotext is not installed: apt-get install poppler-utils",
    ),
]


def test_report_renders_to_pdf_with_record_findings_and_photos(
    app, make, shipped_catalog, tmp_path
):
    db.session.add(CityProfile(id=PROFILE_ID, name="但馬市", name_kana="たじまし"))
    db.session.commit()
    forget()
    officer = make.user(Role.OFFICER, name="検査一郎")
    engagement = personal_engagement(
        make, department=officer.department, title="住民情報入力業務委託"
    )
    (planned,) = planning.plan_fiscal_year(db.session, 2026).created
    db.session.commit()
    inspection = db.session.scalars(inspection_detail(planned.id)).unique().one()
    first = inspection.items[0]
    services.save_record(
        db.session,
        inspection,
        engagement,
        services.RecordData(
            inspected_on=date(2026, 6, 1),
            method=InspectionMethod.VIDEO,
            method_detail="ビデオ会議で保管庫を映して確認",
            inspector_ids=[officer.id],
            other_inspectors="外部監査人 但馬太郎",
            summary="保管庫の施錠と持ち出し記録を確認した。",
            results={first.id: (ItemResult.NONCONFORMING, "持ち出し記録に押印漏れ")},
        ),
        today=date(2026, 6, 2),
    )
    storage = get_storage(current_app)
    for name, kind, size in (("保管庫.png", "PNG", (800, 600)), ("書類.jpg", "JPEG", (300, 900))):
        services.add_photo(
            db.session,
            storage,
            inspection,
            officer,
            name,
            name.split(".")[0] + "の様子",
            io.BytesIO(photo_bytes(kind, size)),
            max_bytes=10_000_000,
        )
    db.session.commit()
    inspection = db.session.scalars(inspection_detail(planned.id)).unique().one()
    services.complete(
        db.session,
        inspection,
        engagement,
        officer,
        officer.id,
        date(2026, 7, 31),
        today=date(2026, 6, 2),
    )
    db.session.commit()
    db.session.expire_all()
    inspection = db.session.scalars(inspection_detail(planned.id)).unique().one()
    actions = db.session.scalars(actions_of(inspection.assessment_id)).all()
    rendered = report.render(inspection, actions, storage)
    text = pdf_text(tmp_path, rendered.data)
    for expected in (
        "検査結果報告書",
        "但馬市",
        "住民情報入力業務委託",
        engagement.contractor.name,
        "令和8年6月1日",
        "遠隔（映像）",
        "検査一郎",
        "外部監査人但馬太郎",
        first.requirement_code,
        "不適合",
        "持ち出し記録に押印漏れ",
        "令和8年7月31日",
        "写真1保管庫の様子",
        "写真2書類の様子",
    ):
        assert expected in text, expected
    assert rendered.filename.endswith(".docx")
