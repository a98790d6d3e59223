"""The evidence request list (across arrangements) as a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from vendorguard.core.list_export import ExportTable, local_day, streamed, yes_no
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db


def _header() -> Sequence[str]:
    return [
        _("依頼ID"),
        _("案件ID"),
        _("案件の種類"),
        _("案件"),
        _("所管課"),
        _("証跡項目"),
        _("対象"),
        _("提出する者"),
        _("状態"),
        _("提出期限"),
        _("期限超過"),
        _("備考"),
        _("更新日"),
    ]


def _rows(stmt: Select, today: date | None = None) -> Iterator[Sequence[Any]]:
    # Requirement, arrangement and department are joined in the list's statement: one query.
    today = today or today_tokyo()
    for evidence_request in db.session.scalars(streamed(stmt)):
        arrangement = evidence_request.arrangement
        requirement = evidence_request.evidence_requirement
        yield [
            evidence_request.id,
            arrangement.id,
            arrangement.kind_label,
            arrangement.title,
            arrangement.department.name,
            requirement.title,
            evidence_request.occurrence_label,
            requirement.provider.label,
            evidence_request.status.label,
            evidence_request.due_on,
            yes_no(evidence_request.is_overdue(today)),
            evidence_request.note,
            local_day(evidence_request.updated_at),
        ]


EVIDENCE_REQUESTS = ExportTable(
    file_stem="evidence-requests",
    sheet_title=lambda: _("証跡の提出依頼"),
    header=_header,
    rows=_rows,
)
