"""The yearly oversight report's page and its .docx / .xlsx downloads (security office, auditor)."""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, request, send_file, url_for

from vendorguard.auth.permissions import require
from vendorguard.city.services import city_name
from vendorguard.core import settings
from vendorguard.core.timeutil import fiscal_year, today_tokyo
from vendorguard.extensions import db
from vendorguard.oversight import exports, services
from vendorguard.oversight.blueprint import bp

YEARS_OFFERED = 6  # the current fiscal year and the five before it in the year picker
# The report shows the figures of every department, as the security office and the auditor see
# the audit log: the same permission (DESIGN.md role table), no new one.
PERMISSION = "audit.view"


def _report():
    """The report of the fiscal year asked for (?year=, the current one by default), or None
    after flashing why a year cannot be reported."""
    today = today_tokyo()
    year = request.args.get("year", default=fiscal_year(today), type=int)
    try:
        return services.build(db.session, year, today)
    except services.YearOutOfRange as error:
        flash(error.message, "error")
        return None


@bp.route("/")
@require(PERMISSION)
def index():
    """Tables and charts of one fiscal year, with the Word and Excel downloads."""
    report = _report()
    if report is None:
        return redirect(url_for("oversight.index"))
    current = fiscal_year(today_tokyo())
    return render_template(
        "oversight/index.html",
        report=report,
        years=[current - n for n in range(YEARS_OFFERED)],
        labels=exports.figure_labels(),
        ismap_labels=exports.ismap_labels(),
        social_labels=exports.social_labels(),
        charts=exports.chart_set(report),
        year_text=exports.fiscal_year_text(report.fiscal_year),
    )


@bp.route("/report.docx")
@require(PERMISSION)
def report_docx():
    """The report as a Word file made from the city's template (委託先等の監督状況報告)."""
    report = _report()
    if report is None:
        return redirect(url_for("oversight.index"))
    made = exports.docx(
        report, city_name(), today_tokyo(), [settings.current().contract_templates_dir]
    )
    return send_file(
        io.BytesIO(made.data),
        mimetype=exports.DOCX_TYPE,
        as_attachment=True,
        download_name=made.filename,
    )


@bp.route("/report.xlsx")
@require(PERMISSION)
def report_xlsx():
    """The report's figures as an Excel workbook with charts."""
    report = _report()
    if report is None:
        return redirect(url_for("oversight.index"))
    made = exports.xlsx(report)
    return send_file(
        io.BytesIO(made.data),
        mimetype=exports.XLSX_TYPE,
        as_attachment=True,
        download_name=made.filename,
    )
