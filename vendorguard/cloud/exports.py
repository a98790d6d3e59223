"""The cloud service list as a spreadsheet, with its ISMAP standing and approval."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from vendorguard.cloud import assurance
from vendorguard.cloud.models import CloudService
from vendorguard.core.list_export import BATCH_ROWS, ExportTable, local_day, streamed, yes_no
from vendorguard.extensions import db


def _header() -> Sequence[str]:
    return [
        _("ID"),
        _("サービス名"),
        _("事業者"),
        _("事業者の法人番号"),
        _("サービスのURL"),
        _("所管課"),
        _("利用課"),
        _("担当者"),
        _("状態"),
        _("機密性2以上"),
        _("契約形態"),
        _("データの保存場所"),
        _("準拠法"),
        _("合意管轄裁判所"),
        _("ISMAP登録番号"),
        _("ISMAPの状況"),
        _("利用承認"),
        _("承認の有効期限"),
        _("リスク"),
        _("次回見直し日"),
        _("更新日"),
        _("アーカイブ日"),
    ]


def _rows(stmt: Select) -> Iterator[Sequence[Any]]:
    # One query per batch for the rows (owner, provider, officer joined), one for the using
    # departments and one for the ISMAP registrations the batch names.
    stmt = stmt.options(selectinload(CloudService.using_departments))
    for batch in db.session.scalars(streamed(stmt)).partitions(BATCH_ROWS):
        standings = assurance.standings(db.session, batch)
        for service in batch:
            standing = standings[service.id]
            provider = service.provider_contractor
            officer = service.responsible_officer
            yield [
                service.id,
                service.title,
                service.provider_label,
                provider.corporate_number if provider is not None else None,
                service.service_url,
                service.department.name,
                "、".join(department.name for department in service.using_departments),
                officer.name if officer is not None else None,
                service.state.label,
                yes_no(service.handles_high_confidentiality),
                service.terms_type.label,
                service.data_location,
                service.governing_law,
                service.jurisdiction,
                service.ismap_registration_number,
                standing.status.label,
                service.approval_state.label,
                service.approval_valid_until,
                "、".join(assurance.risk_reasons(service, standing)),
                service.next_review_on,
                local_day(service.updated_at),
                local_day(service.archived_at),
            ]


CLOUD_SERVICES = ExportTable(
    file_stem="cloud-services",
    sheet_title=lambda: _("外部サービス"),
    header=_header,
    rows=_rows,
)
