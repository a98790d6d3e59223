"""Cloud (external) services (外部サービス) and the departments using them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import Arrangement, ArrangementKind, str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model, db


class TermsType(LabelledEnum):
    """Whether use rests on a negotiated contract or on the provider's standard terms (約款)."""

    CONTRACT = "contract", _l("個別契約")
    STANDARD_TERMS = "standard_terms", _l("約款（利用規約）")


class IsmapKind(LabelledEnum):
    """Which ISMAP list a registration is on."""

    ISMAP = "ismap", "ISMAP"
    ISMAP_LIU = "ismap_liu", "ISMAP-LIU"


class ApprovalState(StrEnum):
    """The security office's decision on using a service or an account."""

    NOT_APPLIED = "not_applied"
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return str(
            {
                self.NOT_APPLIED: _l("未申請"),
                self.APPLIED: _l("申請中"),
                self.APPROVED: _l("承認済"),
                self.REJECTED: _l("却下"),
                self.EXPIRED: _l("承認期限切れ"),
            }[self]
        )


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
    provider_contractor_id: Mapped[int | None] = mapped_column(
        ForeignKey("contractor.id"), index=True
    )
    provider_name: Mapped[str] = mapped_column(
        String(200), default=""
    )  # when not a registered contractor
    service_url: Mapped[str] = mapped_column(String(500), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    handles_high_confidentiality: Mapped[bool] = mapped_column(default=False)  # 機密性2以上
    terms_type: Mapped[TermsType] = mapped_column(
        str_enum(TermsType), default=TermsType.STANDARD_TERMS
    )
    data_location: Mapped[str] = mapped_column(String(200), default="")
    governing_law: Mapped[str] = mapped_column(String(100), default="")
    jurisdiction: Mapped[str] = mapped_column(String(200), default="")  # 合意管轄裁判所
    ismap_kind: Mapped[IsmapKind | None] = mapped_column(str_enum(IsmapKind))
    ismap_registration_number: Mapped[str | None] = mapped_column(String(50), index=True)
    approval_state: Mapped[ApprovalState] = mapped_column(
        str_enum(ApprovalState), default=ApprovalState.NOT_APPLIED
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approval_valid_until: Mapped[date | None] = mapped_column(index=True)
    approval_comment: Mapped[str] = mapped_column(Text, default="")

    provider_contractor = relationship("Contractor", lazy="raise")
    using_departments = relationship(
        "Department",
        secondary=cloud_service_department,
        lazy="raise",
        order_by="Department.name_kana",
    )

    @property
    def provider_label(self) -> str:
        """The provider's name, from the contractor register when linked."""
        if self.provider_contractor_id is not None and "provider_contractor" in self.__dict__:
            return self.provider_contractor.name
        return self.provider_name

    @property
    def effective_approval_state(self) -> ApprovalState:
        """The approval state as of today: an approval past its valid-until date counts as expired."""
        if (
            self.approval_state == ApprovalState.APPROVED
            and self.approval_valid_until is not None
            and self.approval_valid_until < today_tokyo()
        ):
            return ApprovalState.EXPIRED
        return self.approval_state

    @property
    def has_current_approval(self) -> bool:
        """Whether an approval is in force today (also while a renewal application is pending)."""
        until, today = self.approval_valid_until, today_tokyo()
        if self.approval_state == ApprovalState.APPROVED:
            return until is None or until >= today
        return self.approval_state == ApprovalState.APPLIED and until is not None and until >= today


class ApplicationStatus(LabelledEnum):
    """Where one use application (利用申請) stands."""

    SUBMITTED = "submitted", _l("審査中"), "badge-info"
    APPROVED = "approved", _l("承認"), "badge-ok"
    REJECTED = "rejected", _l("却下"), "badge-danger"
    WITHDRAWN = "withdrawn", _l("取下げ"), "badge-muted"
    # never stored: an approval past its valid-until date (see effective_status)
    EXPIRED = "expired", _l("承認期限切れ"), "badge-warn"


class ChecklistAnswer(LabelledEnum):
    """How the department answers one applicable requirement of the checklist."""

    DONE = "done", _l("対応済"), "badge-ok"
    NOT_DONE = "not_done", _l("未対応"), "badge-danger"
    NOT_APPLICABLE = "not_applicable", _l("該当なし"), "badge-muted"


@dataclass(frozen=True)
class ChecklistItem:
    """One answered requirement as it was asked when the application was filed."""

    code: str
    title: str
    answer: ChecklistAnswer | None  # None: left unanswered
    note: str

    @property
    def is_open(self) -> bool:
        """Unanswered or 未対応: what the approver must look at."""
        return self.answer in (None, ChecklistAnswer.NOT_DONE)


class CloudUseApplication(Audited, Model):
    """A department's application to use a cloud service, its checklist, and the decision on it.

    ``checklist`` maps a requirement code to ``{"title", "answer", "note", "order"}``; the title is
    kept as asked, so the record stays readable when the catalog changes later.
    """

    __tablename__ = "cloud_use_application"
    __audit_label__ = "label"
    __table_args__ = (
        # One application under review per service, even when two people submit at once.
        Index(
            "uq_cloud_use_application_pending",
            "service_id",
            unique=True,
            sqlite_where=text("status = 'submitted'"),
            postgresql_where=text("status = 'submitted'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("cloud_service.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    purpose: Mapped[str] = mapped_column(Text, default="")
    data_description: Mapped[str] = mapped_column(Text, default="")
    confidentiality_level_id: Mapped[int | None] = mapped_column(
        ForeignKey("classification_level.id")
    )
    users_description: Mapped[str] = mapped_column(Text, default="")
    data_location: Mapped[str] = mapped_column(String(200), default="")
    terms_type: Mapped[TermsType] = mapped_column(
        str_enum(TermsType), default=TermsType.STANDARD_TERMS
    )
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus), default=ApplicationStatus.SUBMITTED, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # also when it was withdrawn
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    valid_until: Mapped[date | None] = mapped_column()

    service = relationship("CloudService", lazy="raise")
    department = relationship("Department", lazy="raise")
    applicant = relationship("User", foreign_keys=[applicant_id], lazy="raise")
    decided_by = relationship("User", foreign_keys=[decided_by_id], lazy="raise")
    confidentiality_level = relationship("ClassificationLevel", lazy="raise")

    @property
    def label(self) -> str:
        """How the audit trail names it: the service's id and the day it was filed."""
        day = f" {self.submitted_at:%Y-%m-%d}" if self.submitted_at else ""
        return f"cloud_service {self.service_id}{day}"

    @property
    def effective_status(self) -> ApplicationStatus:
        """The status today: an approval past its valid-until date has expired."""
        if (
            self.status == ApplicationStatus.APPROVED
            and self.valid_until is not None
            and self.valid_until < today_tokyo()
        ):
            return ApplicationStatus.EXPIRED
        return self.status

    @property
    def items(self) -> list[ChecklistItem]:
        """The checklist in the order it was asked."""
        entries = sorted(
            (self.checklist or {}).items(), key=lambda pair: (pair[1].get("order", 0), pair[0])
        )
        result = []
        for code, entry in entries:
            try:
                answer = ChecklistAnswer(entry.get("answer") or "")
            except ValueError:
                answer = None
            result.append(
                ChecklistItem(code, entry.get("title", ""), answer, entry.get("note", ""))
            )
        return result

    @property
    def open_items(self) -> list[ChecklistItem]:
        """Items left unanswered or answered 未対応."""
        return [item for item in self.items if item.is_open]
