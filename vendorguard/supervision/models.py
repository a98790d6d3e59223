"""The staff roster (従事者名簿) of an engagement and its stages, and the exit checklist
(契約終了時の措置) with its items."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.evidence.models import RequestStatus
from vendorguard.extensions import Model


class StaffMember(Audited, Model):
    """A person working on an engagement for the contractor or one stage of the chain."""

    __tablename__ = "staff_member"
    __audit_label__ = "name"
    __storage_key_column__ = "pledge_storage_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    # None: the contractor's own staff; else the stage of the chain the person works for.
    subcontractor_id: Mapped[int | None] = mapped_column(ForeignKey("subcontractor.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(100), default="")  # 役割（責任者、作業者 …）
    affiliation: Mapped[str] = mapped_column(String(200), default="")  # 所属
    access_rights: Mapped[str] = mapped_column(Text, default="")  # アクセス権限
    starts_on: Mapped[date]
    ends_on: Mapped[date | None] = mapped_column(index=True)
    access_revoked_on: Mapped[date | None]  # the day the person's access was removed
    pledge_filename: Mapped[str] = mapped_column(String(255), default="")
    pledge_storage_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    pledge_sha256: Mapped[str] = mapped_column(String(64), default="")
    pledge_size: Mapped[int | None] = mapped_column(BigInteger)
    pledge_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}

    subcontractor = relationship("Subcontractor", lazy="raise")
    trainings: Mapped[list[TrainingRecord]] = relationship(
        back_populates="staff",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="TrainingRecord.held_on",
    )

    def has_left(self, today: date) -> bool:
        """Whether the person's end date has passed."""
        return self.ends_on is not None and self.ends_on < today

    def still_holds_access(self, today: date) -> bool:
        """Left, but nobody recorded that the access was removed: the roster flags it."""
        return self.has_left(today) and self.access_revoked_on is None


class TrainingRecord(Audited, Model):
    """Security training one staff member received (date and content)."""

    __tablename__ = "staff_training"
    __audit_label__ = "content"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"), index=True)
    held_on: Mapped[date]
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff: Mapped[StaffMember] = relationship(back_populates="trainings", lazy="raise")


class ExitItemKind(LabelledEnum):
    """What has to happen when an engagement ends (derived from what it handled)."""

    DATA_RETURN = "data_return", _l("提供した情報資産の返還")
    DATA_ERASURE = "data_erasure", _l("情報の消去・廃棄（方法と立会い）")
    ERASURE_CERTIFICATE = "erasure_certificate", _l("消去証明書（受託者）")
    SUB_ERASURE_CERTIFICATE = "sub_certificate", _l("消去証明書（再委託先）")
    ACCOUNTS = "accounts", _l("アカウントの削除・無効化")
    VPN = "vpn", _l("VPN・リモート接続の廃止")
    KEYS = "keys", _l("鍵・入館証・貸与物の返却")
    ROSTER = "roster", _l("従事者名簿の締め（全員の終了日とアクセス削除）")
    SNS_CREDENTIALS = "sns_credentials", _l("SNSアカウントの認証情報の引継ぎ")


class ErasureMethod(LabelledEnum):
    """How data was erased (FACTS §8)."""

    PHYSICAL = "physical", _l("物理的破壊")
    OVERWRITE = "overwrite", _l("上書き消去")
    CRYPTO = "crypto", _l("暗号化消去")
    RETURNED = "returned", _l("媒体ごと返還")


class ExitChecklist(Audited, Model):
    """The exit of one engagement: opened when it ends (or is cancelled), closed when done."""

    __tablename__ = "exit_checklist"
    __audit_label__ = "engagement_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}

    items: Mapped[list[ExitItem]] = relationship(
        back_populates="checklist",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="ExitItem.position",
    )


class ExitItem(Audited, Model):
    """One thing to do at the exit; done (with method and witness), evidenced, or waived."""

    __tablename__ = "exit_item"
    __audit_label__ = "kind"
    __table_args__ = (UniqueConstraint("checklist_id", "kind", "subcontractor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("exit_checklist.id"), index=True)
    kind: Mapped[ExitItemKind] = mapped_column(str_enum(ExitItemKind))
    position: Mapped[int] = mapped_column(default=0)
    subcontractor_id: Mapped[int | None] = mapped_column(ForeignKey("subcontractor.id"))
    # Certificates are evidence requests (uploaded in the portal, reviewed as any evidence).
    evidence_request_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_request.id"))
    method: Mapped[ErasureMethod | None] = mapped_column(str_enum(ErasureMethod))
    witness: Mapped[str] = mapped_column(String(200), default="")  # 立会者
    notes: Mapped[str] = mapped_column(Text, default="")
    done_on: Mapped[date | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    waiver_reason: Mapped[str] = mapped_column(Text, default="")
    waived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    checklist: Mapped[ExitChecklist] = relationship(back_populates="items", lazy="raise")
    subcontractor = relationship("Subcontractor", lazy="raise")
    evidence_request = relationship("EvidenceRequest", lazy="raise")

    @property
    def is_waived(self) -> bool:
        return self.waived_at is not None

    @property
    def is_done(self) -> bool:
        """Done: recorded as done, or (certificates) the evidence was accepted; waived counts too."""
        if self.is_waived:
            return True
        if self.kind in CERTIFICATES:
            request = self.evidence_request
            return request is not None and request.status == RequestStatus.ACCEPTED
        return self.done_on is not None


CERTIFICATES = frozenset({ExitItemKind.ERASURE_CERTIFICATE, ExitItemKind.SUB_ERASURE_CERTIFICATE})
