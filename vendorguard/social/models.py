"""Social-media accounts (ソーシャルメディアアカウント) the city operates, with their operating
procedure files, periodic attestations and hijack / impersonation incidents."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    exists,
    false,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from vendorguard.approvals.models import Approvable, ApprovalState
from vendorguard.arrangements.models import Arrangement, ArrangementKind, ArrangementState, str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.catalogue import text
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.documents.models import ContractDocument, DocumentKind
from vendorguard.extensions import Model


class Platform(LabelledEnum):
    """Social-media platforms (brand names are not translated)."""

    X = "x", _l("X（旧Twitter）")
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    LINE = "line", "LINE"
    YOUTUBE = "youtube", "YouTube"
    TIKTOK = "tiktok", "TikTok"
    NOTE = "note", "note"
    OTHER = "other", _l("その他")


# Approval states in which an account is still a draft of its department.
DRAFT_STATES = frozenset({ApprovalState.NOT_APPLIED, ApprovalState.APPLIED, ApprovalState.REJECTED})
# What the public list shows: changing one of these on an approved account needs a new approval,
# so nothing reaches the public page without the security office having seen it.
PUBLIC_FIELDS = ("title", "platform", "platform_other", "handle", "account_url", "department_id")


# What the policy asks of every SNS account, in the order ``SocialAccount.missing_items`` lists
# the gaps (built once: a list page asks 25 accounts whether they are complete).
MISSING_ITEM_LABELS = (
    _l("責任者が指定されていません"),
    _l("アカウントのURLが登録されていません"),
    _l("運用手順が登録されていません"),
    _l("投稿してよい内容（投稿ルール）が登録されていません"),
    _l("市公式サイトの一覧ページに掲載されていません"),
    _l("多要素認証の設定状況が確認されていません"),
    _l("認証情報の管理者が決まっていません"),
)


class SocialAccount(Approvable, Arrangement):
    """An official account. ``responsible_officer`` (base) is its 責任者."""

    __tablename__ = "social_account"
    __mapper_args__ = {"polymorphic_identity": ArrangementKind.SOCIAL_ACCOUNT.value}
    __audit_ignore__ = frozenset({"procedure_on_file"})

    id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"), primary_key=True)
    platform: Mapped[Platform] = mapped_column(str_enum(Platform))
    platform_other: Mapped[str] = mapped_column(String(100), default="")
    handle: Mapped[str] = mapped_column(String(100))
    account_url: Mapped[str] = mapped_column(String(500), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    posting_rules: Mapped[str] = mapped_column(Text, default="")  # what may (and may not) be posted
    operating_procedure: Mapped[str] = mapped_column(Text, default="")
    operators: Mapped[str] = mapped_column(Text, default="")  # one person per line
    official_list_url: Mapped[str] = mapped_column(
        String(500), default=""
    )  # city page listing accounts
    mfa_enabled: Mapped[bool | None] = mapped_column(default=None)  # None: not yet checked
    credential_custodian: Mapped[str] = mapped_column(String(100), default="")
    recovery_contact: Mapped[str] = mapped_column(String(200), default="")
    verified_badge: Mapped[bool] = mapped_column(default=False)
    profile_names_department: Mapped[bool] = mapped_column(default=False, server_default=false())
    if TYPE_CHECKING:
        # A column_property set below the class, once the tables it looks into exist.
        procedure_on_file: Mapped[bool]

    @property
    def platform_label(self) -> str:
        return (
            self.platform_other
            if self.platform == Platform.OTHER and self.platform_other
            else self.platform.label
        )

    @property
    def operator_list(self) -> list[str]:
        return [line.strip() for line in self.operators.splitlines() if line.strip()]

    @property
    def is_draft(self) -> bool:
        """Not (yet) approved: shown only to its department, the security office and auditors."""
        return self.approval_state in DRAFT_STATES

    @property
    def is_public(self) -> bool:
        """Whether the public list of official accounts shows it."""
        return (
            self.approval_state == ApprovalState.APPROVED
            and self.state == ArrangementState.ACTIVE
            and self.archived_at is None
        )

    @property
    def has_procedure(self) -> bool:
        """A written procedure: typed in, uploaded as a file, or generated as a document."""
        return bool(self.operating_procedure.strip()) or bool(self.procedure_on_file)

    def _missing_flags(self) -> tuple[bool, ...]:
        """For each of ``MISSING_ITEM_LABELS``: whether this account lacks it."""
        return (
            self.responsible_officer_id is None,
            not self.account_url.strip(),
            not self.has_procedure,
            not self.posting_rules.strip(),
            not self.official_list_url.strip(),
            self.mfa_enabled is None,
            not self.credential_custodian.strip(),
        )

    @property
    def missing_items(self) -> list[str]:
        """What the policy asks of every account and this one still lacks (blocks the application)."""
        flags = self._missing_flags()
        pairs = zip(flags, MISSING_ITEM_LABELS, strict=True)
        return [text(label) for missing, label in pairs if missing]

    @property
    def is_complete(self) -> bool:
        # (asked on every row of the list: no labels are built or translated for it)
        return not any(self._missing_flags())

    @property
    def warnings(self) -> list[str]:
        """Weaknesses that are allowed but flagged (they do not block the application)."""
        checks = (
            (self.mfa_enabled is False, _l("多要素認証が有効になっていません")),
            (not self.profile_names_department, _l("プロフィールに所管課名が明記されていません")),
        )
        return [text(label) for flagged, label in checks if flagged]

    def attestation_overdue(self, today: date | None = None) -> bool:
        """An approved, running account whose periodic attestation is past due (or never set)."""
        if self.approval_state != ApprovalState.APPROVED or self.archived_at is not None:
            return False
        if self.state == ArrangementState.ENDED:
            return False
        return self.next_review_on is None or self.next_review_on < (today or today_tokyo())


class SocialProcedureFile(Audited, Model):
    """An uploaded operating procedure (the department's own Word/PDF). The key is ours."""

    __tablename__ = "social_procedure_file"
    __audit_label__ = "filename"
    __storage_key_column__ = "storage_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("social_account.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded; for display only
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    uploaded_by = relationship("User", lazy="raise")


# Loaded with every account (one EXISTS in the same SELECT), so lists can flag incomplete accounts
# without a query per row.
SocialAccount.procedure_on_file = column_property(
    or_(
        exists(
            select(SocialProcedureFile.id).where(
                SocialProcedureFile.account_id == SocialAccount.id,
                SocialProcedureFile.archived_at.is_(None),
            )
        ),
        exists(
            select(ContractDocument.id).where(
                ContractDocument.arrangement_id == SocialAccount.id,
                ContractDocument.kind == DocumentKind.SNS_PROCEDURE,
            )
        ),
    )
)


class SocialAttestation(Audited, Model):
    """The owner's periodic statement that operators, MFA and credentials are as recorded."""

    __tablename__ = "social_attestation"
    __audit_label__ = "attested_on"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("social_account.id"), index=True)
    attested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    attested_on: Mapped[date]
    operators: Mapped[str] = mapped_column(Text, default="")  # snapshot, one person per line
    mfa_enabled: Mapped[bool]
    credential_custodian: Mapped[str] = mapped_column(String(100), default="")
    password_changed_on: Mapped[date | None]
    recovery_contact_checked: Mapped[bool] = mapped_column(default=False)
    credentials_ok: Mapped[
        bool
    ]  # custodian named, password changed recently, recovery contact checked
    notes: Mapped[str] = mapped_column(Text, default="")
    next_review_on: Mapped[date]  # the due date this attestation set
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    account = relationship("SocialAccount", lazy="raise")
    attested_by = relationship("User", lazy="raise")

    @property
    def operator_list(self) -> list[str]:
        return [line.strip() for line in self.operators.splitlines() if line.strip()]


class IncidentKind(LabelledEnum):
    """What happened to (or around) an official account."""

    HIJACK = "hijack", _l("乗っ取り（不正ログイン）")
    IMPERSONATION = "impersonation", _l("なりすまし（偽アカウント）")
    OTHER = "other", _l("その他")


class IncidentStatus(LabelledEnum):
    """Whether the response is still going on."""

    OPEN = "open", _l("対応中")
    CLOSED = "closed", _l("完了")


class ResponseStep(StrEnum):
    """The response checklist, in the order the steps are usually taken."""

    CONFIRM = "confirm"
    REPORT_PLATFORM = "report_platform"
    RESET_CREDENTIALS = "reset_credentials"
    WARN_PUBLIC = "warn_public"
    REPORT_SECURITY = "report_security"
    PREVENTION = "prevention"

    @property
    def label(self) -> str:
        return str(STEP_LABELS[self][0])

    @property
    def hint(self) -> str:
        return str(STEP_LABELS[self][1])


STEP_LABELS = {
    ResponseStep.CONFIRM: (
        _l("状況の確認と記録"),
        _l(
            "不審な投稿・偽アカウントの画面を保存し、気付いた日時と経緯を記録します。運用担当者は直ちに責任者へ報告します。"
        ),
    ),
    ResponseStep.REPORT_PLATFORM: (
        _l("プラットフォームへの報告"),
        _l("サービス事業者の窓口へ、乗っ取りの復旧依頼またはなりすましの通報を行います。"),
    ),
    ResponseStep.RESET_CREDENTIALS: (
        _l("パスワード変更・多要素認証の再設定"),
        _l(
            "パスワードを変更し、多要素認証と復旧用の連絡先を設定し直します。連携アプリの権限も確認します。"
        ),
    ),
    ResponseStep.WARN_PUBLIC: (
        _l("住民への注意喚起（市ウェブサイト・他の公式アカウント）"),
        _l(
            "市の公式ウェブサイトや他の公式アカウントで、不審な投稿やアカウントに注意するよう呼びかけます。"
        ),
    ),
    ResponseStep.REPORT_SECURITY: (
        _l("情報セキュリティ統括への報告"),
        _l("情報政策課（情報セキュリティ統括）へ状況と対応を報告します。"),
    ),
    ResponseStep.PREVENTION: (
        _l("再発防止策"),
        _l("原因を確認し、運用手順や認証情報の管理を見直します。"),
    ),
}


class SocialIncident(Audited, Model):
    """A hijack or impersonation case and its response."""

    __tablename__ = "social_incident"
    __audit_label__ = "kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("social_account.id"), index=True)
    kind: Mapped[IncidentKind] = mapped_column(str_enum(IncidentKind))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[IncidentStatus] = mapped_column(
        str_enum(IncidentStatus), default=IncidentStatus.OPEN, index=True
    )
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closing_note: Mapped[str] = mapped_column(
        Text, default=""
    )  # why steps were left undone, if any
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    account = relationship("SocialAccount", lazy="raise")
    reported_by = relationship("User", lazy="raise", foreign_keys=[reported_by_id])
    closed_by = relationship("User", lazy="raise", foreign_keys=[closed_by_id])
    steps = relationship(
        "SocialIncidentStep",
        lazy="raise",
        back_populates="incident",
        order_by="SocialIncidentStep.position",
    )

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN


class SocialIncidentStep(Audited, Model):
    """One step of an incident's response checklist: done by whom, when, with a note."""

    __tablename__ = "social_incident_step"
    __audit_label__ = "step"
    __table_args__ = (UniqueConstraint("incident_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("social_incident.id"), index=True)
    step: Mapped[ResponseStep] = mapped_column(str_enum(ResponseStep, length=30))
    position: Mapped[int]
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    incident = relationship("SocialIncident", lazy="raise", back_populates="steps")
    done_by = relationship("User", lazy="raise")

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
