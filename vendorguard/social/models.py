"""Social-media accounts (ソーシャルメディアアカウント) the city operates."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vendorguard.arrangements.models import Arrangement, ArrangementKind, str_enum
from vendorguard.cloud.models import ApprovalState
from vendorguard.core.types import UTCDateTime


class Platform(StrEnum):
    """Social-media platforms."""

    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    LINE = "line"
    YOUTUBE = "youtube"
    TIKTOK = "tiktok"
    NOTE = "note"
    OTHER = "other"

    @property
    def label(self) -> str:
        names = {self.X: "X（旧Twitter）", self.FACEBOOK: "Facebook", self.INSTAGRAM: "Instagram",
                 self.LINE: "LINE", self.YOUTUBE: "YouTube", self.TIKTOK: "TikTok", self.NOTE: "note"}
        return names.get(self, str(_l("その他")))


class SocialAccount(Arrangement):
    """An official account. ``responsible_officer`` (base) is its 責任者."""

    __tablename__ = "social_account"
    __mapper_args__ = {"polymorphic_identity": ArrangementKind.SOCIAL_ACCOUNT.value}

    id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"), primary_key=True)
    platform: Mapped[Platform] = mapped_column(str_enum(Platform))
    platform_other: Mapped[str] = mapped_column(String(100), default="")
    handle: Mapped[str] = mapped_column(String(100))
    account_url: Mapped[str] = mapped_column(String(500), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    posting_rules: Mapped[str] = mapped_column(Text, default="")  # what may (and may not) be posted
    operating_procedure: Mapped[str] = mapped_column(Text, default="")
    operators: Mapped[str] = mapped_column(Text, default="")  # one person per line
    official_list_url: Mapped[str] = mapped_column(String(500), default="")  # city page listing accounts
    mfa_enabled: Mapped[bool] = mapped_column(default=False)
    credential_custodian: Mapped[str] = mapped_column(String(100), default="")
    recovery_contact: Mapped[str] = mapped_column(String(200), default="")
    verified_badge: Mapped[bool] = mapped_column(default=False)
    approval_state: Mapped[ApprovalState] = mapped_column(str_enum(ApprovalState),
                                                          default=ApprovalState.NOT_APPLIED)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approval_comment: Mapped[str] = mapped_column(Text, default="")  # the security office's reason

    @property
    def platform_label(self) -> str:
        return self.platform_other if self.platform == Platform.OTHER and self.platform_other else self.platform.label

    @property
    def operator_list(self) -> list[str]:
        return [line.strip() for line in self.operators.splitlines() if line.strip()]

    @property
    def is_draft(self) -> bool:
        """Not (yet) approved: shown only to its department, the security office and auditors."""
        return self.approval_state in DRAFT_STATES

    @property
    def missing_items(self) -> list[str]:
        """What the policy asks of every account and this one still lacks."""
        checks = (
            (self.responsible_officer_id is None, _l("責任者が指定されていません")),
            (not self.operating_procedure.strip(), _l("運用手順が登録されていません")),
            (not self.posting_rules.strip(), _l("投稿してよい内容（投稿ルール）が登録されていません")),
            (not self.official_list_url.strip(), _l("市公式サイトの一覧ページに掲載されていません")),
            (not self.mfa_enabled, _l("多要素認証が有効になっていません")),
            (not self.credential_custodian.strip(), _l("認証情報の管理者が決まっていません")),
        )
        return [str(label) for missing, label in checks if missing]


# Approval states in which an account is still a draft of its department.
DRAFT_STATES = frozenset({ApprovalState.NOT_APPLIED, ApprovalState.APPLIED, ApprovalState.REJECTED})
