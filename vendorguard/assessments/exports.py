"""The action (措置) list as a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from vendorguard.assessments.models import Action
from vendorguard.core.list_export import ExportTable, local_day, streamed, yes_no
from vendorguard.core.timeutil import today_tokyo
from vendorguard.extensions import db


def _header() -> Sequence[str]:
    return [
        _("措置ID"),
        _("指摘事項"),
        _("案件ID"),
        _("案件の種類"),
        _("案件"),
        _("所管課"),
        _("確認日"),
        _("確認結果"),
        _("担当者"),
        _("期限"),
        _("期限超過"),
        _("状態"),
        _("委託事業者の回答"),
        _("完了日"),
        _("完了にした者"),
        _("対応結果"),
        _("登録日"),
    ]


def _rows(stmt: Select, today: date | None = None) -> Iterator[Sequence[Any]]:
    # Assessment, arrangement, department and owner come with the list's statement; the person
    # who closed it is joined here: one query per batch.
    today = today or today_tokyo()
    stmt = stmt.options(joinedload(Action.closed_by))
    for action in db.session.scalars(streamed(stmt)):
        arrangement = action.arrangement
        closed_by = action.closed_by
        yield [
            action.id,
            action.finding,
            arrangement.id,
            arrangement.kind_label,
            arrangement.title,
            arrangement.department.name,
            action.assessment.assessed_on,
            action.assessment.result.label,
            action.owner.name,
            action.due_on,
            yes_no(action.is_overdue(today)),
            action.status.label,
            action.contractor_response,
            action.closed_on,
            closed_by.name if closed_by is not None else None,
            action.resolution,
            local_day(action.created_at),
        ]


ACTIONS = ExportTable(
    file_stem="actions",
    sheet_title=lambda: _("措置"),
    header=_header,
    rows=_rows,
)
