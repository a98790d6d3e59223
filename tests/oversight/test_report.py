"""The report's page, Word and Excel files show the database's figures for the seeded year."""

from __future__ import annotations

import io
import shutil

import pytest
from openpyxl import load_workbook

from tests.oversight.conftest import FY, TODAY
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db
from vendorguard.oversight import exports, services


def _docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_page_shows_the_figures_and_charts(seeded, client, login_as):
    login_as(seeded.admin)
    report = services.build(db.session, FY, today_tokyo())
    page = client.get(f"/oversight/?year={FY}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<svg") == 3 and "総務課" in html and "市民課" in html
    assert f"/oversight/report.docx?year={FY}" in html and "report.xlsx" in html
    assert f'class="num">{report.total["requests"]}</td>' in html
    assert f'class="num">{report.total["inspections_required"]}</td>' in html


def test_page_and_files_are_for_the_security_office_and_the_auditor(client, login_as, make):
    login_as(make.user(Role.OFFICER))
    assert client.get("/oversight/").status_code == 403
    assert client.get("/oversight/report.xlsx").status_code == 403


def test_auditor_downloads_the_workbook_with_values_and_native_charts(
    seeded, client, login_as, make
):
    login_as(make.user(Role.AUDITOR))
    response = client.get(f"/oversight/report.xlsx?year={FY}")
    assert response.status_code == 200
    assert response.mimetype == exports.XLSX_TYPE
    workbook = load_workbook(io.BytesIO(response.data))
    report = services.build(db.session, FY, today_tokyo())
    sheet = workbook["所管課別"]
    header = [cell.value for cell in sheet[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows["総務課"]["証跡の提出依頼"] == report.departments[0]["requests"] == 4
    assert rows["合計"]["実地検査（必要）"] == report.total["inspections_required"]
    assert rows["合計"]["業務委託（件）"] == 4
    assert len(sheet._charts) == 1 and len(workbook["リスク区分別"]._charts) == 1
    assert workbook["ISMAP"]["B4"].value == report.ismap_total["services"] == 3


def test_a_future_year_goes_back_to_the_current_one(client, login_as, make):
    login_as(make.user(Role.ADMIN))
    response = client.get("/oversight/?year=2999")
    assert response.status_code == 302 and response.headers["Location"].endswith("/oversight/")


def test_the_page_costs_the_same_queries_with_more_data(
    seeded, client, login_as, make, count_queries
):
    login_as(seeded.admin)
    client.get(f"/oversight/?year={FY}")
    with count_queries() as small:
        assert client.get(f"/oversight/?year={FY}").status_code == 200
    for _n in range(3):
        department = make.department()
        make.engagement(department, handles_my_number=True, state="active")
        make.social_account(department, state="active", approval_state="approved")
    with count_queries() as large:
        assert client.get(f"/oversight/?year={FY}").status_code == 200
    assert large.count == small.count


def test_word_report_holds_the_figures(seeded):
    report = services.build(db.session, FY, TODAY)
    made = exports.docx(report, "但馬市", TODAY)
    text = _docx_text(made.data)
    assert "令和8年度" in text and "委託先等の監督状況報告" in text
    assert (
        "対象の業務委託 4件" in text
        and "証跡の提出依頼 5件、受領 3件、受理 1件、期限超過 2件" in text
    )
    assert "実地検査 2件（必要 3件）" in text and "総務課" in text and "区分A" in text
    assert "{{" not in text and "{%" not in text
    assert text.count("合計") == 4  # the two figure tables, ISMAP and SNS


@pytest.mark.slow
@pytest.mark.skipif(
    (shutil.which("soffice") or shutil.which("libreoffice")) is None
    or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) and pdftotext are needed: apt-get install libreoffice-writer-nogui poppler-utils",
)
def test_word_report_renders_to_pdf_with_the_numbers(seeded, tmp_path):
    from tests.documents.test_libreoffice import pdf_text

    report = services.build(db.session, FY, TODAY)
    text = pdf_text(tmp_path, exports.docx(report, "但馬市", TODAY).data)
    flat = "".join(text.split())
    assert "委託先等の監督状況報告" in flat and "令和8年度" in flat
    assert "対象の業務委託4件" in flat
    assert "証跡の提出依頼5件、受領3件、受理1件、期限超過2件" in flat
    assert "確認（アセスメント）2件（必要5件）" in flat
    assert "未完了の措置2件（うち期限超過1件）" in flat
    assert "総務課" in flat and "市民課" in flat and "ISMAP" in flat


def test_english_page_shows_no_japanese_but_the_data(seeded, client, login_as):
    import re

    login_as(seeded.admin)
    client.post("/language", data={"locale": "en", "next": "/"})
    html = client.get(f"/oversight/?year={FY}").get_data(as_text=True)
    assert "Yearly oversight report" in html and "By department" in html
    body = html.split("<h1", 1)[1].split("</main>", 1)[0]  # the page, not the sign-in flash
    for data in ("総務課", "市民課"):
        body = body.replace(data, "")
    assert not re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]+", body)


def test_shipped_template_is_what_its_builder_makes(tmp_path):
    import importlib.util

    from vendorguard.documents.docx_writer import BUILTIN_DIR

    spec = importlib.util.spec_from_file_location(
        "build_oversight_report", BUILTIN_DIR / "build_oversight_report.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = module.build(tmp_path)
    assert path.read_bytes() == (BUILTIN_DIR / path.name).read_bytes(), (
        "rerun contract_templates/build_oversight_report.py"
    )


def test_the_citys_edited_template_wins(app, tmp_path):
    """A copy edited in Word in CONTRACT_TEMPLATES_DIR is used instead of the shipped one."""
    from docx import Document

    from vendorguard.documents.docx_writer import BUILTIN_DIR

    edited = Document(str(BUILTIN_DIR / exports.TEMPLATE))
    edited.add_paragraph(
        "本報告は情報セキュリティ委員会（{{ fiscal_year_text }}第2回）に付議する。"
    )
    edited.save(str(tmp_path / exports.TEMPLATE))
    report = services.build(db.session, FY, TODAY)
    text = _docx_text(exports.docx(report, "但馬市", TODAY, [str(tmp_path)]).data)
    assert "本報告は情報セキュリティ委員会（令和8年度第2回）に付議する。" in text
    assert "対象の業務委託 0件" in text
