"""Engagements (業務委託): outsourced work, what information it touches, and subcontractors."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import Arrangement, ArrangementKind, str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model

MAX_TIER = 5  # deepest subcontracting tier the register records (5次)


class NetworkSegment(LabelledEnum):
    """The three network segments of the 三層の対策 model."""

    MY_NUMBER = "my_number", _l("マイナンバー利用事務系")
    LGWAN = "lgwan", _l("LGWAN接続系")
    INTERNET = "internet", _l("インターネット接続系")


class PersonalInfoVolume(LabelledEnum):
    """How many people's personal information the work handles (件数の区分); risk tiers read it."""

    UNDER_1K = "under_1k", _l("1,000件未満")
    FROM_1K = "1k_10k", _l("1,000件以上1万件未満")
    FROM_10K = "10k_100k", _l("1万件以上10万件未満")
    FROM_100K = "100k_plus", _l("10万件以上")


class RiskTier(LabelledEnum):
    """The risk tier (区分) of an engagement; the ``tiers`` package computes it from the data."""

    A = "A", _l("区分A"), "badge-danger"
    B = "B", _l("区分B"), "badge-warn"
    C = "C", _l("区分C"), "badge-info"
    D = "D", _l("区分D"), "badge-muted"


class ReportingCycle(LabelledEnum):
    """How often the contractor reports on the work (定期報告)."""

    MONTHLY = "monthly", _l("毎月")
    QUARTERLY = "quarterly", _l("四半期ごと")
    HALF_YEARLY = "half_yearly", _l("半期ごと")
    YEARLY = "yearly", _l("毎年")
    ON_COMPLETION = "on_completion", _l("業務完了時")


class PermissionStatus(LabelledEnum):
    """Where the city's permission (許諾) for one stage of the subcontracting chain stands."""

    APPROVED = "approved", _l("許諾済"), "badge-ok"
    PROPOSED = "proposed", _l("許諾申請中"), "badge-warn"  # proposed by a contractor in the portal
    REJECTED = "rejected", _l("不許諾"), "badge-danger"
    NONE = "none", _l("未許諾"), "badge-danger"


class Engagement(Arrangement):
    """A contract for outsourced work."""

    __tablename__ = "engagement"
    # The list's default order (newest contracts first) and its sort by end date; and the end date
    # by id, so one department's few arrangements probe it from the index alone (the home page's
    # "no officer" count read the city's 15,000 live engagements to find a department's 71).
    __table_args__: tuple[Index, ...] = (  # type: ignore[assignment]
        Index("ix_engagement_starts_id", "starts_on", "id"),
        Index("ix_engagement_ends_id", "ends_on", "id"),
        Index("ix_engagement_id_ends", "id", "ends_on"),
    )
    __mapper_args__ = {"polymorphic_identity": ArrangementKind.ENGAGEMENT.value}
    # The tier is derived (its own row in ``tiers`` keeps the trail of computations and overrides).
    __audit_ignore__ = frozenset({"tier"})

    id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"), primary_key=True)
    contract_number: Mapped[str | None] = mapped_column(String(50), unique=True)
    contractor_id: Mapped[int] = mapped_column(ForeignKey("contractor.id"), index=True)
    contractor_representative: Mapped[str] = mapped_column(
        String(100), default=""
    )  # 受託者側の責任者
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date] = mapped_column(index=True)
    work_locations: Mapped[str] = mapped_column(Text, default="")  # one per line
    description: Mapped[str] = mapped_column(Text, default="")
    handles_personal_info: Mapped[bool] = mapped_column(default=False)
    handles_my_number: Mapped[bool] = mapped_column(default=False)
    personal_info_volume: Mapped[PersonalInfoVolume | None] = mapped_column(
        str_enum(PersonalInfoVolume)
    )
    remote_access: Mapped[bool] = mapped_column(default=False)  # the contractor works remotely
    segment_my_number: Mapped[bool] = mapped_column(default=False)
    segment_lgwan: Mapped[bool] = mapped_column(default=False)
    segment_internet: Mapped[bool] = mapped_column(default=False)
    access_scope: Mapped[str] = mapped_column(Text, default="")
    access_method: Mapped[str] = mapped_column(Text, default="")
    subcontracting_allowed: Mapped[bool] = mapped_column(default=False)
    reporting_cycle: Mapped[ReportingCycle] = mapped_column(
        str_enum(ReportingCycle), default=ReportingCycle.MONTHLY
    )
    # Effective risk tier (computed or overridden), kept here so lists filter on it; None = not yet.
    tier: Mapped[RiskTier | None] = mapped_column(str_enum(RiskTier, length=1), index=True)

    contractor = relationship("Contractor", lazy="raise")
    information_items: Mapped[list[InformationItem]] = relationship(
        back_populates="engagement",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="InformationItem.id",
    )
    subcontractors: Mapped[list[Subcontractor]] = relationship(
        back_populates="engagement",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="(Subcontractor.tier, Subcontractor.id)",
    )

    @property
    def segments(self) -> list[NetworkSegment]:
        """The network segments the work touches."""
        flags = {
            NetworkSegment.MY_NUMBER: self.segment_my_number,
            NetworkSegment.LGWAN: self.segment_lgwan,
            NetworkSegment.INTERNET: self.segment_internet,
        }
        return [segment for segment, on in flags.items() if on]

    @property
    def handles_high_confidentiality(self) -> bool:
        """Whether any information item is 機密性2以上 (needs ``information_items`` loaded)."""
        return any(item.is_high_confidentiality for item in self.information_items)


class InformationItem(Audited, Model):
    """A kind of information the work handles, with its classification on each axis."""

    __tablename__ = "information_item"
    __audit_label__ = "name"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    confidentiality_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("classification_level.id")
    )
    integrity_level_id: Mapped[int | None] = mapped_column(ForeignKey("classification_level.id"))
    availability_level_id: Mapped[int | None] = mapped_column(ForeignKey("classification_level.id"))

    engagement: Mapped[Engagement] = relationship(back_populates="information_items", lazy="raise")
    confidentiality_level = relationship(
        "ClassificationLevel", foreign_keys=[confidentiality_level_id], lazy="joined"
    )
    integrity_level = relationship(
        "ClassificationLevel", foreign_keys=[integrity_level_id], lazy="joined"
    )
    availability_level = relationship(
        "ClassificationLevel", foreign_keys=[availability_level_id], lazy="joined"
    )

    @property
    def is_high_confidentiality(self) -> bool:
        """Whether the item's confidentiality level is 2 or above in its scheme."""
        return (
            self.confidentiality_level is not None
            and self.confidentiality_level.is_high_confidentiality
        )


class Subcontractor(Audited, Model):
    """One stage of the subcontracting chain (再委託先) with the city's permission (許諾).

    ``parent_id`` is the stage that entrusts this one (None: the contractor itself), so the chain
    may be any depth; ``tier`` follows from it (1 = 再委託, 2 = 再々委託 …).
    """

    __tablename__ = "subcontractor"
    __audit_label__ = "name"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("subcontractor.id"), index=True)
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("contractor.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    corporate_number: Mapped[str | None] = mapped_column(String(13))
    work_scope: Mapped[str] = mapped_column(Text, default="")
    information_handled: Mapped[str] = mapped_column(Text, default="")  # what this stage handles
    # Codes of the contract's security items this stage is bound to as well (FLOW_DOWN_ITEMS).
    flow_down: Mapped[list[str]] = mapped_column(JSON, default=list)
    tier: Mapped[int] = mapped_column(default=1)  # 1 = 再委託, 2 = 再々委託 …
    approved_by: Mapped[str | None] = mapped_column(String(100))  # who in the city gave permission
    approved_on: Mapped[date | None]
    approval_conditions: Mapped[str] = mapped_column(Text, default="")  # 許諾の条件
    approval_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str] = mapped_column(Text, default="")  # why permission was refused
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    engagement: Mapped[Engagement] = relationship(back_populates="subcontractors", lazy="raise")
    contractor = relationship("Contractor", lazy="raise")
    parent: Mapped[Subcontractor | None] = relationship(remote_side=[id], lazy="raise")

    @property
    def is_approved(self) -> bool:
        return self.approved_on is not None and bool(self.approved_by)

    @property
    def permission_status(self) -> PermissionStatus:
        """Approved, refused, proposed and waiting, or simply not recorded."""
        if self.is_approved:
            return PermissionStatus.APPROVED
        if self.rejected_at is not None:
            return PermissionStatus.REJECTED
        if self.proposed_at is not None:
            return PermissionStatus.PROPOSED
        return PermissionStatus.NONE
