"""Every document type, generated for the demo city from the real catalog, opens in LibreOffice and
its rendered text names the demo city only."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from vendorguard.arrangements.models import Arrangement
from vendorguard.catalog.services import ensure_catalog
from vendorguard.city import services as city
from vendorguard.cloud.models import TermsType
from vendorguard.demo import data as demo
from vendorguard.documents import services
from vendorguard.documents.models import DocumentKind
from vendorguard.extensions import db
from vendorguard.storage import get_storage

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui",
    ),
    pytest.mark.skipif(
        PDFTOTEXT is None, reason="pdftotext is not installed: apt-get install poppler-utils"
    ),
]


def pdf_texts(tmp_path, documents: dict[str, bytes]) -> dict[str, str]:
    """Convert all files in one LibreOffice run (private profile, timeout); text without spacing."""
    sources = []
    for name, data in documents.items():
        path = tmp_path / f"{name}.docx"
        path.write_bytes(data)
        sources.append(str(path))
    outdir = tmp_path / "pdf"
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *sources,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    texts = {}
    for name in documents:
        pdf = outdir / f"{name}.pdf"
        assert result.returncode == 0 and pdf.exists(), result.stdout + result.stderr
        text = subprocess.run(
            [PDFTOTEXT, "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        texts[name] = "".join(text.split())
    return texts


def test_every_document_type_renders_with_the_demo_city_only(tmp_path, app, make):
    ensure_catalog(db.session)
    city.save(db.session, city.CityData(**demo.CITY_PROFILE))
    db.session.commit()
    engagement = make.engagement(
        contractor=make.contractor("みほん情報システム株式会社", address="みほん県みほん市南町2番"),
        title="住民記録システム運用保守業務委託",
        handles_personal_info=True,
        handles_my_number=True,
        subcontracting_allowed=True,
        starts_on=date(2026, 4, 1),
        ends_on=date(2027, 3, 31),
    )
    make.subcontractor(engagement, name="みほんデータ入力株式会社")
    service = make.cloud_service(
        title="電子申請サービス",
        provider_contractor_id=make.contractor(
            "みほんクラウド株式会社", address="東京都港区1-1"
        ).id,
        terms_type=TermsType.CONTRACT,
        handles_high_confidentiality=True,
    )
    account = make.social_account(title="みほん市公式X", handle="@example_city")
    documents = {}
    for arrangement_id in (engagement.id, service.id, account.id):
        arrangement = db.session.get(Arrangement, arrangement_id)
        for kind in services.document_kinds(arrangement):
            _document, data = services.generate_appendix_with_data(
                db.session, get_storage(app), arrangement, None, kind=kind
            )
            documents[kind.value] = data
    assert set(documents) == {kind.value for kind in DocumentKind}

    texts = pdf_texts(tmp_path, documents)
    for name, text in texts.items():
        assert "みほん市" in text, name
        assert "豊岡" not in text and "市の名称未設定" not in text, name
        assert DocumentKind(name).printed_title in text, name
    signed = ("appendix", "cloud_requirements")
    for name in signed:  # the city signs with its own address and head
        assert "みほん県みほん市中央町1番1号" in texts[name] and "みほん市長" in texts[name]
        assert "見本一郎" in texts[name] and "みほん市市長" not in texts[name]
    assert "第1条" in texts["appendix"] and "（関係法令の遵守）" in texts["appendix"]
