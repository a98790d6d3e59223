"""Cloud (external) services (外部サービス) and the departments using them."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import Arrangement, ArrangementKind, str_enum
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import db


class TermsType(StrEnum):
    """Whether use rests on a negotiated contract or on the provider's standard terms (約款)."""

    CONTRACT = "contract"
    STANDARD_TERMS = "standard_terms"

    @property
    def label(self) -> str:
        return str({self.CONTRACT: _l("個別契約"), self.STANDARD_TERMS: _l("約款（利用規約）")}[self])


class IsmapKind(StrEnum):
    """Which ISMAP list a registration is on."""

    ISMAP = "ismap"
    ISMAP_LIU = "ismap_liu"

    @property
    def label(self) -> str:
        return {self.ISMAP: "ISMAP", self.ISMAP_LIU: "ISMAP-LIU"}[self]


class ApprovalState(StrEnum):
    """The security office's decision on using a service or an account."""

    NOT_APPLIED = "not_applied"
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return str({self.NOT_APPLIED: _l("未申請"), self.APPLIED: _l("申請中"), self.APPROVED: _l("承認済"),
                    self.REJECTED: _l("却下"), self.EXPIRED: _l("承認期限切れ")}[self])


cloud_service_department = Table(
    "cloud_service_department",
    db.metadata,
    Column("cloud_service_id", ForeignKey("cloud_service.id"), primary_key=True),
    Column("department_id", ForeignKey("department.id"), primary_key=True),
)


class CloudService(Arrangement):
    """An external service the city uses; ``department`` owns it, ``using_departments`` use it."""

    __tablename__ = "cloud_service"
    __mapper_args__ = {"polymorphic_identity": ArrangementKind.CLOUD_SERVICE.value}

    id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"), primary_key=True)
    provider_contractor_id: Mapped[int | None] = mapped_column(ForeignKey("contractor.id"), index=True)
    provider_name: Mapped[str] = mapped_column(String(200), default="")  # when not a registered contractor
    service_url: Mapped[str] = mapped_column(String(500), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    handles_high_confidentiality: Mapped[bool] = mapped_column(default=False)  # 機密性2以上
    terms_type: Mapped[TermsType] = mapped_column(str_enum(TermsType), default=TermsType.STANDARD_TERMS)
    data_location: Mapped[str] = mapped_column(String(200), default="")
    governing_law: Mapped[str] = mapped_column(String(100), default="")
    jurisdiction: Mapped[str] = mapped_column(String(200), default="")  # 合意管轄裁判所
    ismap_kind: Mapped[IsmapKind | None] = mapped_column(str_enum(IsmapKind))
    ismap_registration_number: Mapped[str | None] = mapped_column(String(50), index=True)
    approval_state: Mapped[ApprovalState] = mapped_column(str_enum(ApprovalState),
                                                          default=ApprovalState.NOT_APPLIED)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approval_valid_until: Mapped[date | None] = mapped_column(index=True)
    approval_comment: Mapped[str] = mapped_column(Text, default="")

    provider_contractor = relationship("Contractor", lazy="raise")
    using_departments = relationship("Department", secondary=cloud_service_department, lazy="raise",
                                     order_by="Department.name_kana")

    @property
    def provider_label(self) -> str:
        """The provider's name, from the contractor register when linked."""
        if self.provider_contractor_id is not None and "provider_contractor" in self.__dict__:
            return self.provider_contractor.name
        return self.provider_name

    @property
    def effective_approval_state(self) -> ApprovalState:
        """The approval state as of today: an approval past its valid-until date counts as expired."""
        if (self.approval_state == ApprovalState.APPROVED and self.approval_valid_until is not None
                and self.approval_valid_until < today_tokyo()):
            return ApprovalState.EXPIRED
        return self.approval_state

    @property
    def risk_reasons(self) -> list[str]:
        """Why a service handling 機密性2以上 needs attention (empty when it does not)."""
        if not self.handles_high_confidentiality:
            return []
        reasons = []
        if not self.ismap_registration_number:
            reasons.append(str(_l("ISMAP登録番号なし")))
        if self.effective_approval_state != ApprovalState.APPROVED:
            reasons.append(str(_l("利用未承認")))
        return reasons
