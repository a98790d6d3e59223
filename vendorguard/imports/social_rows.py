"""SNS accounts, keyed on the account URL, else on platform + handle."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from vendorguard.arrangements.models import ArrangementState
from vendorguard.imports import cells
from vendorguard.imports import saving as s
from vendorguard.imports.cells import CellError, key_text
from vendorguard.imports.columns import Column, Table
from vendorguard.imports.engine import Outcome, write
from vendorguard.imports.lookups import Lookups
from vendorguard.social import services as social
from vendorguard.social.models import Platform, SocialAccount


def _officer(raw: Any, lookups: Lookups) -> int | None:
    user = lookups.staff(raw)
    return None if user is None else user.id


def _platform(raw: Any, lookups: Lookups) -> tuple[Platform, str] | None:
    typed = cells.one_line(raw)
    if not typed:
        return None
    try:
        member = cells.choice(
            typed, Platform, {"Twitter": Platform.X, "ツイッター": Platform.X, "X": Platform.X}
        )
    except CellError:
        return Platform.OTHER, typed  # the export writes another platform by its own name
    assert isinstance(member, Platform)
    return member, ""


def _mfa(raw: Any, lookups: Lookups) -> bool | None:
    return cells.optional_flag(raw, (_("未確認"), "未確認", "不明"))


SOCIAL_COLUMNS = (
    Column(
        "account_url",
        _l("アカウントのURL"),
        s.line,
        ("URL", "アカウントURL"),
        note=_l("照合に使います（空欄のときはSNSの種類とハンドルで照合）。"),
        width=32,
    ),
    Column("id", _l("ID"), s.text, export_only=True),
    Column("title", _l("アカウント名"), s.line, ("名称", "表示名"), required=True, width=24),
    Column(
        "platform",
        _l("SNSの種類"),
        _platform,
        ("SNS", "プラットフォーム", "種類"),
        required=True,
        choices=s.enum_labels(Platform),
    ),
    Column("handle", _l("ハンドル"), s.line, ("アカウントID", "ユーザー名"), required=True),
    Column(
        "department",
        _l("所管課"),
        s.department,
        ("担当課", "所属", "課名"),
        required=True,
        choices=s.department_choices,
    ),
    Column(
        "responsible_officer_id",
        _l("責任者"),
        _officer,
        ("運用責任者",),
        note=_l("利用者の氏名かメールアドレス。"),
    ),
    Column(
        "state",
        _l("状態"),
        s.enum_of(ArrangementState),
        ("ステータス",),
        choices=s.enum_labels(ArrangementState),
    ),
    Column(
        "mfa_enabled",
        _l("多要素認証"),
        _mfa,
        ("二要素認証", "2段階認証"),
        choices=lambda lookups: [_("はい"), _("いいえ"), _("未確認")],
    ),
    Column("credential_custodian", _l("認証情報の管理者"), s.line, ("パスワード管理者",)),
    Column("verified_badge", _l("認証バッジ"), s.flag, ("公式マーク",), choices=s.yes_no_choices),
    Column("official_list_url", _l("市公式サイトの一覧ページ"), s.line, ("掲載ページ",)),
    Column("operators", _l("運用者"), s.text, ("担当者",)),
    Column("purpose", _l("運用目的"), s.text, ("目的",)),
    Column("recovery_contact", _l("復旧用の連絡先"), s.line, ("復旧用連絡先",)),
    *(
        Column(key, label, s.text, export_only=True)
        for key, label in (
            ("approval", _l("運用承認")),
            ("approval_until", _l("承認の有効期限")),
            ("missing", _l("不足している項目")),
            ("review", _l("次回見直し日")),
            ("updated", _l("更新日")),
            ("archived", _l("アーカイブ日")),
        )
    ),
)
_SOCIAL_ATTRS = {
    **{c.key: c.key for c in SOCIAL_COLUMNS},
    "department_id": "department",
    "platform_other": "platform",
}


def _social_data(account: SocialAccount) -> social.SocialAccountData:
    return social.SocialAccountData(
        **{name: getattr(account, name) for name in social.SocialAccountData.__dataclass_fields__}
    )


class SocialHandler:
    """Creates or updates an SNS account through ``social.services``."""

    permission = "social.manage"
    field_columns = {
        "department_id": "department",
        "handle": "handle",
        "platform_other": "platform",
        "responsible_officer_id": "responsible_officer_id",
    }

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        if values.get("account_url"):
            return ("url", values["account_url"].rstrip("/").casefold())
        platform = values.get("platform")
        return (
            ("handle", platform, key_text(values.get("handle"))) if values.get("handle") else None
        )

    def _find(self, session, values: dict[str, Any]) -> SocialAccount | None:
        url = values.get("account_url")
        if url:
            wanted = url.rstrip("/").casefold()
            return next(
                (
                    a
                    for a in session.scalars(
                        select(SocialAccount).where(
                            SocialAccount.account_url.ilike(url.rstrip("/") + "%")
                        )
                    )
                    if a.account_url.rstrip("/").casefold() == wanted
                ),
                None,
            )
        platform, handle = values.get("platform"), values.get("handle")
        if platform is None or not handle:
            return None
        return session.scalars(
            select(SocialAccount).where(
                SocialAccount.platform == platform[0],
                SocialAccount.handle == cells.one_line(handle),
            )
        ).first()

    def _overlay(
        self, base: social.SocialAccountData, values: dict[str, Any]
    ) -> social.SocialAccountData:
        data = s.overlay(base, {k: v for k, v in values.items() if k != "platform"})
        if values.get("platform") is not None:
            data.platform, data.platform_other = values["platform"]
        if values.get("department") is not None:
            data.department_id = values["department"].id
        return data

    def save(self, session, lookups: Lookups, values: dict[str, Any]) -> Outcome:
        existing = self._find(session, values)
        if existing is None:
            s.require(
                values,
                ("title", _l("アカウント名を入力してください。")),
                ("platform", _l("SNSの種類を入力してください。")),
                ("handle", _l("ハンドルを入力してください。")),
                ("department", _l("所管課を入力してください。")),
            )
            platform, other = values["platform"]
            base = social.SocialAccountData(
                title="", platform=platform, platform_other=other, handle="", department_id=0
            )
            data = self._overlay(base, values)
            s.ensure_department(lookups, self.permission, data.department_id)
            write(session, social.create_account, data)
            return s.saved(None, None, data.account_url or data.handle, {})
        base = _social_data(existing)
        data = self._overlay(base, values)
        label = existing.account_url or existing.handle
        if data == base:
            return s.unchanged(label)
        s.ensure_department(lookups, self.permission, existing.department_id, data.department_id)
        before = s.snapshot(existing)
        write(session, social.update_account, existing, data)
        return s.saved(existing, before, label, _SOCIAL_ATTRS)


SOCIAL_ACCOUNTS = Table(
    "social_accounts",
    _l("SNSアカウント"),
    SOCIAL_COLUMNS,
    SocialHandler(),
    ("SNS", "SNSアカウント台帳"),
)
