"""The SNS account list (keyed on the account URL so a later import can match rows) and the incident list as spreadsheets."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from vendorguard.core.list_export import ExportTable, local_day, local_moment, streamed, yes_no
from vendorguard.extensions import db


def _mfa(value: bool | None) -> str:
    return _("未確認") if value is None else yes_no(value)


def _header() -> Sequence[str]:
    return [
        _("アカウントのURL"),
        _("ID"),
        _("アカウント名"),
        _("SNSの種類"),
        _("ハンドル"),
        _("所管課"),
        _("責任者"),
        _("状態"),
        _("運用承認"),
        _("承認の有効期限"),
        _("多要素認証"),
        _("認証情報の管理者"),
        _("認証バッジ"),
        _("市公式サイトの一覧ページ"),
        _("不足している項目"),
        _("次回見直し日"),
        _("更新日"),
        _("アーカイブ日"),
    ]


def _rows(stmt: Select) -> Iterator[Sequence[Any]]:
    # Department and officer come with the list's statement, so one query per batch.
    for account in db.session.scalars(streamed(stmt)):
        officer = account.responsible_officer
        yield [
            account.account_url,
            account.id,
            account.title,
            account.platform_label,
            account.handle,
            account.department.name,
            officer.name if officer is not None else None,
            account.state.label,
            account.approval_state.label,
            account.approval_valid_until,
            _mfa(account.mfa_enabled),
            account.credential_custodian,
            yes_no(account.verified_badge),
            account.official_list_url,
            "、".join(account.missing_items),
            account.next_review_on,
            local_day(account.updated_at),
            local_day(account.archived_at),
        ]


SOCIAL_ACCOUNTS = ExportTable(
    file_stem="sns-accounts",
    sheet_title=lambda: _("SNSアカウント"),
    header=_header,
    rows=_rows,
)


def _incident_header() -> Sequence[str]:
    return [
        _("ID"),
        _("発見日時"),
        _("アカウント"),
        _("所管課"),
        _("種類"),
        _("状況"),
        _("対応手順"),
        _("更新日"),
    ]


def _incident_rows(stmt: Select) -> Iterator[Sequence[Any]]:
    # Account, department (joined) and steps (selectin) come with the list's statement.
    for incident in db.session.scalars(streamed(stmt)):
        steps = incident.steps
        yield [
            incident.id,
            local_moment(incident.detected_at),
            incident.account.title,
            incident.account.department.name,
            incident.kind.label,
            incident.status.label,
            _(
                "%(done)d / %(total)d 完了",
                done=sum(1 for step in steps if step.is_done),
                total=len(steps),
            ),
            local_day(incident.updated_at),
        ]


INCIDENTS = ExportTable(
    file_stem="sns-incidents",
    sheet_title=lambda: _("乗っ取り・なりすまし事案"),
    header=_incident_header,
    rows=_incident_rows,
)
