"""The engagement list as a spreadsheet, keyed on 契約番号 so a later import can match rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from vendorguard.core.list_export import ExportTable, local_day, streamed, yes_no
from vendorguard.engagements.models import Engagement
from vendorguard.engagements.queries import SEGMENT_COLUMNS
from vendorguard.extensions import db


def segment_labels(engagement: Engagement) -> str:
    """The network segments the work touches, as their labels joined by 「、」."""
    return "、".join(
        segment.label
        for segment, column in SEGMENT_COLUMNS.items()
        if getattr(engagement, column.key)
    )


def _header() -> Sequence[str]:
    return [
        _("契約番号"),
        _("件名"),
        _("所管課"),
        _("委託事業者"),
        _("委託事業者の法人番号"),
        _("状態"),
        _("契約開始日"),
        _("契約終了日"),
        _("個人情報の取扱い"),
        _("マイナンバーの取扱い"),
        _("個人情報の件数"),
        _("機密性2以上"),
        _("ネットワーク区分"),
        _("リモートアクセス"),
        _("再委託の可否"),
        _("リスク区分"),
        _("報告の頻度"),
        _("次回見直し日"),
        _("更新日"),
        _("アーカイブ日"),
    ]


def _rows(stmt: Select) -> Iterator[Sequence[Any]]:
    # Department and contractor come with the list's statement (joined), so one query in all.
    for engagement, high_confidentiality in db.session.execute(streamed(stmt)):
        yield [
            engagement.contract_number,
            engagement.title,
            engagement.department.name,
            engagement.contractor.name,
            engagement.contractor.corporate_number,
            engagement.state.label,
            engagement.starts_on,
            engagement.ends_on,
            yes_no(engagement.handles_personal_info),
            yes_no(engagement.handles_my_number),
            engagement.personal_info_volume.label if engagement.personal_info_volume else "",
            yes_no(bool(high_confidentiality)),
            segment_labels(engagement),
            yes_no(engagement.remote_access),
            yes_no(engagement.subcontracting_allowed),
            engagement.tier.label if engagement.tier else "",
            engagement.reporting_cycle.label,
            engagement.next_review_on,
            local_day(engagement.updated_at),
            local_day(engagement.archived_at),
        ]


ENGAGEMENTS = ExportTable(
    file_stem="engagements",
    sheet_title=lambda: _("業務委託"),
    header=_header,
    rows=_rows,
)
