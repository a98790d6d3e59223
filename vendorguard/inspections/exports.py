"""The inspection list as a spreadsheet (the list's own filters, every matching row)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from vendorguard.core.list_export import ExportTable, local_day, streamed
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db

STATE_LABELS = {
    "planned": lambda: _("予定"),
    "overdue": lambda: _("期限超過"),
    "done": lambda: _("実施済み"),
}


def _header() -> Sequence[str]:
    return [
        _("検査ID"),
        _("契約番号"),
        _("業務委託"),
        _("委託事業者"),
        _("所管課"),
        _("年度"),
        _("回"),
        _("予定日"),
        _("実施日"),
        _("検査の方法"),
        _("状態"),
        _("確定日"),
    ]


def _rows(stmt: Select, today: date | None = None) -> Iterator[Sequence[Any]]:
    # Engagement, department and contractor come with the list's statement: one query per batch.
    today = today or today_tokyo()
    for inspection in db.session.scalars(streamed(stmt)):
        engagement = inspection.arrangement
        yield [
            inspection.id,
            engagement.contract_number or "",
            engagement.title,
            engagement.contractor.name,
            engagement.department.name,
            inspection.fiscal_year,
            inspection.sequence,
            inspection.planned_on,
            inspection.inspected_on,
            inspection.method.label if inspection.inspected_on else "",
            STATE_LABELS[inspection.state(today)](),
            local_day(inspection.completed_at),
        ]


INSPECTIONS = ExportTable(
    file_stem="inspections",
    sheet_title=lambda: _("実地検査"),
    header=_header,
    rows=_rows,
)
