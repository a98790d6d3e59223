"""The report as files: .docx from the city's Word template and .xlsx with native Excel charts.

The Word report is an official record in Japanese (like the other documents); its layout is
``contract_templates/oversight_report.docx`` (a copy in ``CONTRACT_TEMPLATES_DIR`` wins), edited
by the city in Word. The workbook's labels follow the user's language. Both are made on request
from the figures; nothing is stored.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from flask_babel import force_locale
from flask_babel import gettext as _
from jinja2.sandbox import SandboxedEnvironment
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from vendorguard.core.export import neutralise
from vendorguard.core.timeutil import wareki
from vendorguard.documents.docx_writer import clean_text, find_template
from vendorguard.oversight import charts
from vendorguard.oversight.services import (
    FIELDS,
    ISMAP_STATUSES,
    SOCIAL_FIELDS,
    OversightReport,
    Row,
)

TEMPLATE = "oversight_report.docx"
CHART_WIDTH = Mm(160)
_ENV = SandboxedEnvironment(autoescape=True)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class File:
    """A made file: bytes and the name to download it as."""

    data: bytes
    filename: str


def figure_labels() -> dict[str, str]:
    """Column headings of the department and tier tables, in the request's language."""
    return {
        "engagements": _("業務委託（件）"),
        "covered": _("要件を網羅"),
        "with_gaps": _("要件に不足あり"),
        "gaps": _("未網羅の要件"),
        "requests": _("証跡の提出依頼"),
        "received": _("受領"),
        "accepted": _("受理"),
        "overdue": _("提出期限超過"),
        "assessments_done": _("確認（実施）"),
        "assessments_required": _("確認（必要）"),
        "self_checks_sent": _("自己点検（送付）"),
        "self_checks_done": _("自己点検（完了）"),
        "self_checks_required": _("自己点検（必要）"),
        "inspections_done": _("実地検査（実施）"),
        "inspections_required": _("実地検査（必要）"),
        "actions_raised": _("指摘（年度内）"),
        "actions_closed": _("是正完了（年度内）"),
        "actions_open": _("未完了の措置"),
        "actions_overdue": _("うち期限超過の措置"),
        "certificates_expiring": _("年度内に期限を迎える認証"),
        "certificates_expired": _("基準日までに期限切れの認証"),
    }


def ismap_labels() -> dict[str, str]:
    """Column headings of the ISMAP table."""
    return {
        "services": _("利用中の外部サービス"),
        **{status.value: status.label for status in ISMAP_STATUSES},
        "high": _("機密性2以上"),
        "high_without_ismap": _("機密性2以上で有効なISMAP登録なし"),
    }


def social_labels() -> dict[str, str]:
    """Column headings of the SNS table."""
    return {
        "accounts": _("運用中のアカウント"),
        "attested": _("年度内に定期確認済み"),
        "attestation_overdue": _("定期確認の期限超過"),
    }


def fiscal_year_text(fiscal_year: int) -> str:
    """令和8年度 (2026年度)."""
    return f"{wareki(date(fiscal_year, 4, 1)).split('年')[0]}年度"


def chart_set(report: OversightReport) -> dict[str, charts.Chart]:
    """The report's charts: evidence by department, assessments and inspections by tier."""
    tiers = [row for row in report.tiers if row["engagements"] or row["requests"]]
    return {
        "evidence": charts.grouped(
            _("所管課別の証跡の提出状況"),
            [_("提出依頼"), _("受理"), _("期限超過")],
            [(r.label, [r["requests"], r["accepted"], r["overdue"]]) for r in report.departments],
        ),
        "assessments": charts.grouped(
            _("リスク区分別の確認と自己点検（実施・必要）"),
            [_("確認（実施）"), _("確認（必要）"), _("自己点検（完了）")],
            [
                (r.label, [r["assessments_done"], r["assessments_required"], r["self_checks_done"]])
                for r in tiers
            ],
        ),
        "inspections": charts.grouped(
            _("リスク区分別の実地検査（実施・必要）"),
            [_("実地検査（実施）"), _("実地検査（必要）")],
            [(r.label, [r["inspections_done"], r["inspections_required"]]) for r in tiers],
        ),
    }


def _row(row: Row) -> dict[str, Any]:
    return {"label": clean_text(row.label), **row.values, **{n: row[n] for n in FIELDS}}


def _wide(row: Row, names) -> dict[str, Any]:
    return {"label": clean_text(row.label), **{n: row[n] for n in names}}


def docx_context(
    report: OversightReport, document: DocxTemplate, city: str, today: date
) -> dict[str, Any]:
    """What the template's placeholders get (see contract_templates/build_oversight_report.py)."""
    year = report.year
    with_charts = _japanese_charts(report)
    ismap_names = ["label", "services", "high_without_ismap", *[s.value for s in ISMAP_STATUSES]]
    return {
        "document_title": "委託先等の監督状況報告",
        "city_name": clean_text(city),
        "fiscal_year": year.fiscal_year,
        "fiscal_year_text": fiscal_year_text(year.fiscal_year),
        "period_text": f"{wareki(year.starts_on)}から{wareki(year.ends_on)}まで",
        "as_of_text": wareki(year.as_of),
        "generated_text": wareki(today),
        "total": _row(report.total),
        "departments": [_row(r) for r in report.departments],
        "tiers": [_row(r) for r in report.tiers],
        "ismap": [_wide(r, ismap_names[1:]) for r in report.ismap],
        "ismap_total": _wide(report.ismap_total, ismap_names[1:]),
        "social": [_wide(r, SOCIAL_FIELDS) for r in report.social],
        "social_total": _wide(report.social_total, SOCIAL_FIELDS),
        "policy_text": "、".join(
            f"区分{t.value} 確認{p.review_interval_months}か月ごと・自己点検"
            f"{p.self_check_interval_months}か月ごと・実地検査年{p.inspections_per_year}回"
            for t, p in sorted(report.policy.items())
        ),
        "charts": {
            key: InlineImage(document, io.BytesIO(charts.png(chart)), width=CHART_WIDTH)
            for key, chart in with_charts.items()
        },
    }


def _japanese_charts(report: OversightReport) -> dict[str, charts.Chart]:
    # The Word report is a Japanese record whatever the user's language.
    with force_locale("ja"):
        return chart_set(report)


def docx(
    report: OversightReport, city: str, today: date, template_dirs: Sequence[str | None] = ()
) -> File:
    """The Word report rendered from the city's template."""
    template = find_template(TEMPLATE, template_dirs)
    document = DocxTemplate(io.BytesIO(template.data))
    document.render(docx_context(report, document, city, today), jinja_env=_ENV, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return File(out.getvalue(), f"委託先等の監督状況報告_{report.fiscal_year}年度.docx")


def _sheet(workbook: Workbook, title: str, first: str, labels: dict[str, str], rows, total: Row):
    sheet = workbook.create_sheet(title)
    sheet.append([first, *labels.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(row.label), *[row[name] for name in labels]])
    sheet.append([total.label, *[total[name] for name in labels]])
    sheet[sheet.max_row][0].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 28
    sheet.freeze_panes = "B2"
    return sheet


def _bar_chart(sheet, title: str, columns: list[int], rows: int, anchor: str) -> None:
    """A native Excel clustered bar chart of ``columns`` (1-based) over the data rows."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.height, chart.width = max(7.5, 1.2 * rows), 18
    for column in columns:
        chart.add_data(
            Reference(sheet, min_col=column, min_row=1, max_row=rows + 1), titles_from_data=True
        )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    sheet.add_chart(chart, anchor)


def xlsx(report: OversightReport) -> File:
    """The figures as a workbook: one sheet per table, each with a native Excel chart."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    labels = figure_labels()
    keys = list(labels)
    position = {name: keys.index(name) + 2 for name in keys}
    anchor = f"A{len(report.departments) + 5}"
    departments = _sheet(
        workbook, _("所管課別"), _("所管課"), labels, report.departments, report.total
    )
    _bar_chart(
        departments,
        _("所管課別の証跡の提出状況"),
        [position["requests"], position["accepted"], position["overdue"]],
        len(report.departments),
        anchor,
    )
    tiers = _sheet(workbook, _("リスク区分別"), _("リスク区分"), labels, report.tiers, report.total)
    _bar_chart(
        tiers,
        _("リスク区分別の実地検査（実施・必要）"),
        [position["inspections_done"], position["inspections_required"]],
        len(report.tiers),
        f"A{len(report.tiers) + 5}",
    )
    ismap = _sheet(workbook, "ISMAP", _("所管課"), ismap_labels(), report.ismap, report.ismap_total)
    ismap_keys = list(ismap_labels())
    if report.ismap:
        _bar_chart(
            ismap,
            _("所管課別のISMAP登録の状況"),
            [ismap_keys.index(s.value) + 2 for s in ISMAP_STATUSES],
            len(report.ismap),
            f"A{len(report.ismap) + 5}",
        )
    _sheet(workbook, "SNS", _("所管課"), social_labels(), report.social, report.social_total)
    workbook.properties.title = _("委託先等の監督状況報告")
    out = io.BytesIO()
    workbook.save(out)
    return File(out.getvalue(), f"oversight_{report.fiscal_year}.xlsx")
