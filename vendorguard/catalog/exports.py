"""The requirement catalog and the clause library as spreadsheets, as their lists show them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from vendorguard.core.list_export import ExportTable, local_day, streamed, yes_no
from vendorguard.extensions import db


def _header() -> Sequence[str]:
    return [
        _("コード"),
        _("要件名"),
        _("区分"),
        _("対象"),
        _("根拠"),
        _("承認済み条項"),
        _("使用しない"),
        _("更新日"),
    ]


def _rows(stmt: Select) -> Iterator[Sequence[Any]]:
    # The clause count is a column of the list's own query: one query for the whole file.
    for requirement, clause_count in db.session.execute(streamed(stmt)):
        yield [
            requirement.code,
            requirement.title,
            requirement.kind.label,
            requirement.applies_to_label,
            requirement.source,
            clause_count,
            yes_no(not requirement.active),
            local_day(requirement.updated_at),
        ]


REQUIREMENTS = ExportTable(
    file_stem="requirements",
    sheet_title=lambda: _("要件"),
    header=_header,
    rows=_rows,
)


def _clause_header() -> Sequence[str]:
    return [
        _("コード"),
        _("条項名"),
        _("対象"),
        _("使用中の版"),
        _("版"),
        _("下書き"),
        _("アーカイブ日"),
    ]


def _clause_rows(stmt: Select) -> Iterator[Sequence[Any]]:
    # The version numbers and draft count are columns of the list's own query.
    for clause, approved, latest, drafts in db.session.execute(streamed(stmt)):
        yield [
            clause.code,
            clause.title,
            clause.applies_to_label,
            approved,
            latest,
            drafts,
            local_day(clause.archived_at),
        ]


CLAUSES = ExportTable(
    file_stem="clauses",
    sheet_title=lambda: _("条項"),
    header=_clause_header,
    rows=_clause_rows,
)
