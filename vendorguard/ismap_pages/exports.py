"""The ISMAP registration list as a spreadsheet, with each registration's status as of today."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from vendorguard.core.list_export import ExportTable, streamed
from vendorguard.extensions import db
from vendorguard.ismap import matching


def _header() -> Sequence[str]:
    return [
        _("登録番号"),
        _("リストの種類"),
        _("サービス名称"),
        _("事業者名"),
        _("登録日"),
        _("有効期限"),
        _("状況"),
        _("備考"),
    ]


def registrations(today: date) -> ExportTable:
    """The table for the list as it stands on ``today`` (the status depends on the day)."""

    def rows(stmt: Select) -> Iterator[Sequence[Any]]:
        for registration in db.session.scalars(streamed(stmt)):
            yield [
                registration.registration_number,
                registration.kind_label,
                registration.service_name,
                registration.provider_name,
                registration.registered_on,
                registration.valid_until,
                matching.status_for(registration, today).label,
                registration.remarks,
            ]

    return ExportTable(
        file_stem="ismap",
        sheet_title=lambda: _("ISMAP クラウドサービスリスト"),
        header=_header,
        rows=rows,
    )
