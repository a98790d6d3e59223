"""The contractor list as a spreadsheet: one row per contractor, certificates summarised in a cell."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from vendorguard.contractors.models import Certification
from vendorguard.core.list_export import ExportTable, local_day, streamed
from vendorguard.extensions import db


def certification_summary(certifications: list[Certification]) -> str:
    """「種類 番号（YYYY/MM/DDまで）」 for each current certificate, joined by 「、」."""
    parts = []
    for certification in sorted(
        certifications, key=lambda c: (c.kind_label, c.valid_until or c.created_at.date())
    ):
        if certification.archived_at is not None:
            continue
        text = certification.kind_label
        if certification.number:
            text += f" {certification.number}"
        if certification.valid_until is not None:
            text += _("（%(day)sまで）", day=f"{certification.valid_until:%Y/%m/%d}")
        parts.append(text)
    return "、".join(parts)


def _header() -> Sequence[str]:
    return [
        _("法人番号"),
        _("委託事業者名"),
        _("よみがな"),
        _("所在地"),
        _("担当者"),
        _("担当者メールアドレス"),
        _("担当者電話番号"),
        _("有効な認証数"),
        _("保有認証"),
        _("備考"),
        _("更新日"),
        _("アーカイブ日"),
    ]


def _rows(stmt: Select) -> Iterator[Sequence[Any]]:
    # The list's statement loads the current certificates (selectinload, one query per batch).
    for contractor, valid_count in db.session.execute(streamed(stmt)):
        yield [
            contractor.corporate_number,
            contractor.name,
            contractor.name_kana,
            contractor.address,
            contractor.contact_name,
            contractor.contact_email,
            contractor.contact_phone,
            valid_count,
            certification_summary(contractor.certifications),
            contractor.notes,
            local_day(contractor.updated_at),
            local_day(contractor.archived_at),
        ]


CONTRACTORS = ExportTable(
    file_stem="contractors",
    sheet_title=lambda: _("委託事業者"),
    header=_header,
    rows=_rows,
)
