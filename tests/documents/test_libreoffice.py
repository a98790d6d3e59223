"""The generated files open in LibreOffice: convert to PDF and find the articles in its text.

Needs ``soffice`` (LibreOffice; .ci/run installs it) and ``pdftotext`` (poppler-utils); each test
says it skipped, and why, where they are absent.
"""
from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from vendorguard.documents.docx_writer import render

from tests.documents.conftest import sample_articles

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui"),
    pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext is not installed: apt-get install poppler-utils"),
]


def pdf_text(tmp_path, docx: bytes) -> str:
    """Convert with a private LibreOffice profile (parallel runs must not share one) and a timeout."""
    source = tmp_path / "document.docx"
    source.write_bytes(docx)
    outdir = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                             "--convert-to", "pdf", "--outdir", str(outdir), str(source)],
                            capture_output=True, text=True, timeout=180)
    pdf = outdir / "document.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stdout + result.stderr
    text = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          timeout=60, check=True).stdout
    # pdftotext may put spaces between CJK glyphs and Latin digits; compare without any spacing.
    return "".join(text.split())


def test_appendix_opens_in_libreoffice_with_its_articles(tmp_path):
    facts = {"document_title": "情報セキュリティに関する特記事項", "contract_title": "住民記録システム運用保守業務委託",
             "contract_number": "R8-00042", "contractor_name": "但馬情報システム株式会社", "contractor_address": "",
             "starts_on": date(2026, 4, 1), "ends_on": date(2027, 3, 31)}
    text = pdf_text(tmp_path, render("appendix.docx", facts, sample_articles()).data)
    for expected in ("情報セキュリティに関する特記事項", "住民記録システム運用保守業務委託", "但馬情報システム株式会社",
                     "令和8年4月1日から令和9年3月31日まで",
                     "（基本的事項）", "第1条", "（秘密の保持）", "第2条", "（再委託の制限）", "第3条", "印"):
        assert expected in text, expected


def test_sns_procedure_opens_in_libreoffice(tmp_path):
    facts = {"document_title": "SNS運用手順", "account_title": "豊岡市公式X", "responsible_name": "広報課長",
             "operators": ["広報係 佐藤"], "issued_on": date(2026, 5, 1)}
    text = pdf_text(tmp_path, render("sns_procedure.docx", facts, sample_articles()).data)
    for expected in ("SNS運用手順", "豊岡市公式X", "なりすまし対策", "第1条", "（秘密の保持）"):
        assert expected in text, expected
