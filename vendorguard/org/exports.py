"""The department list as a spreadsheet, with the counts the list shows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from vendorguard.core.list_export import ExportTable, local_day, streamed
from vendorguard.extensions import db


def _header() -> Sequence[str]:
    return [
        _("コード"),
        _("所属名"),
        _("よみがな"),
        _("部局"),
        _("情報セキュリティ管理者"),
        _("メールアドレス"),
        _("電話番号"),
        _("利用者"),
        _("登録案件"),
        _("アーカイブ日"),
    ]


def _rows(stmt: Select) -> Iterator[Sequence[Any]]:
    # The counts are columns of the list's own query: one query for the whole file.
    for department, arrangement_count, user_count in db.session.execute(streamed(stmt)):
        yield [
            department.code,
            department.name,
            department.name_kana,
            department.parent_name,
            department.security_manager_name,
            department.email,
            department.phone,
            user_count,
            arrangement_count,
            local_day(department.archived_at),
        ]


DEPARTMENTS = ExportTable(
    file_stem="departments",
    sheet_title=lambda: _("所属"),
    header=_header,
    rows=_rows,
)
