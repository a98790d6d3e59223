"""The generated files open in LibreOffice: convert to PDF and find the articles in its text.

Needs ``soffice`` (LibreOffice; .ci/run installs it) and ``pdftotext`` (poppler-utils); each test
says it skipped, and why, where they are absent.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from tests.documents.conftest import sample_articles
from vendorguard.documents.docx_writer import render

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


def pdf_text(tmp_path, docx: bytes) -> str:
    """Convert with a private LibreOffice profile (parallel runs must not share one) and a timeout."""
    source = tmp_path / "document.docx"
    source.write_bytes(docx)
    outdir = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = outdir / "document.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stdout + result.stderr
    text = subprocess.run(
        [PDFTOTEXT, "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    # pdftotext may put spaces between CJK glyphs and Latin digits; compare without any spacing.
    return "".join(text.split())


def test_appendix_opens_in_libreoffice_with_its_articles(tmp_path):
    facts = {
        "document_title": "情報セキュリティに関する特記事項",
        "contract_title": "住民記録システム運用保守業務委託",
        "contract_number": "R8-00042",
        "contractor_name": "但馬情報システム株式会社",
        "contractor_address": "",
        "starts_on": date(2026, 4, 1),
        "ends_on": date(2027, 3, 31),
    }
    text = pdf_text(tmp_path, render("appendix.docx", facts, sample_articles()).data)
    for expected in (
        "情報セキュリティに関する特記事項",
        "住民記録システム運用保守業務委託",
        "但馬情報システム株式会社",
        "令和8年4月1日から令和9年3月31日まで",
        "（基本的事項）",
        "第1条",
        "（秘密の保持）",
        "第2条",
        "（再委託の制限）",
        "第3条",
        "印",
    ):
        assert expected in text, expected


def test_sns_procedure_opens_in_libreoffice(tmp_path):
    facts = {
        "document_title": "SNS運用手順",
        "account_title": "豊岡市公式X",
        "responsible_name": "広報課長",
        "operators": ["広報係 佐藤"],
        "issued_on": date(2026, 5, 1),
        "verified_label": "取得済み",
    }
    text = pdf_text(tmp_path, render("sns_procedure.docx", facts, sample_articles()).data)
    for expected in (
        "SNS運用手順",
        "豊岡市公式X",
        "認証バッジ",
        "取得済み",
        "第1条",
        "（秘密の保持）",
        "附則",
    ):
        assert expected in text, expected


def test_generated_my_number_appendix_opens_with_every_article_heading(
    tmp_path, app, make, shipped_catalog
):
    """The acceptance case end to end: the real catalog's appendix, converted, read back as text."""
    from vendorguard.documents import services
    from vendorguard.extensions import db
    from vendorguard.storage import get_storage

    contractor = make.contractor("但馬情報システム株式会社")
    engagement = make.engagement(
        contractor=contractor,
        title="住民記録システム運用保守業務委託",
        contract_number="R8-00100",
        handles_personal_info=True,
        handles_my_number=True,
        subcontracting_allowed=True,
        starts_on=date(2026, 4, 1),
        ends_on=date(2027, 3, 31),
    )
    make.subcontractor(engagement, name="豊岡データ入力株式会社")
    document = services.generate_appendix(db.session, get_storage(app), engagement, None)
    db.session.commit()
    text = pdf_text(tmp_path, get_storage(app).read_bytes(document.storage_key))
    for article in document.articles:
        assert article["heading"] in text and article["label"] in text, article["heading"]
    for expected in (
        "但馬情報システム株式会社",
        "豊岡データ入力株式会社",
        "令和8年4月1日から令和9年3月31日まで",
    ):
        assert expected in text, expected


def test_generated_sns_procedure_opens_in_libreoffice(tmp_path, app, make, shipped_catalog):
    from vendorguard.auth.roles import Role
    from vendorguard.documents import services
    from vendorguard.extensions import db
    from vendorguard.storage import get_storage

    owner = make.user(Role.SNS_OWNER, name="広報課長 山田")
    account = make.social_account(
        title="豊岡市公式X", responsible_officer_id=owner.id, operators="広報係 佐藤"
    )
    document = services.generate_appendix(db.session, get_storage(app), account, None)
    db.session.commit()
    text = pdf_text(tmp_path, get_storage(app).read_bytes(document.storage_key))
    for expected in (
        "SNS運用手順",
        "広報課長山田",
        "（なりすまし対策）",
        "（乗っ取り・なりすまし発生時の対応）",
    ):
        assert expected in text, expected
