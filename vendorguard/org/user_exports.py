"""The user list (administration) as a spreadsheet; never a password hash or session data."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from vendorguard.core.list_export import ExportTable, local_day, local_moment, streamed, yes_no
from vendorguard.extensions import db


def _header() -> Sequence[str]:
    return [
        _("メールアドレス"),
        _("氏名"),
        _("よみがな"),
        _("役割"),
        _("所属課"),
        _("委託事業者"),
        _("有効"),
        _("最終ログイン"),
        _("登録日"),
        _("アーカイブ日"),
    ]


def _rows(stmt: Select) -> Iterator[Sequence[Any]]:
    # The department is loaded with each user (joined) and the contractor's name is a column.
    for user, contractor_name in db.session.execute(streamed(stmt)):
        yield [
            user.email,
            user.name,
            user.name_kana,
            user.role.label,
            user.department.name if user.department is not None else None,
            contractor_name,
            yes_no(user.active and user.archived_at is None),
            local_moment(user.last_login_at),
            local_day(user.created_at),
            local_day(user.archived_at),
        ]


USERS = ExportTable(
    file_stem="users",
    sheet_title=lambda: _("利用者"),
    header=_header,
    rows=_rows,
)
