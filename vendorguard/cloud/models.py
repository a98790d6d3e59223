"""Cloud (external) services (外部サービス) and the departments using them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from vendorguard.approvals.models import Approvable, ApprovalRequest
from vendorguard.arrangements.models import Arrangement, ArrangementKind, str_enum
from vendorguard.core.enums import LabelledEnum
from vendorguard.extensions import db
from vendorguard.ismap.models import IsmapKind


class TermsType(LabelledEnum):
    """Whether use rests on a negotiated contract or on the provider's standard terms (約款)."""

    CONTRACT = "contract", _l("個別契約")
    STANDARD_TERMS = "standard_terms", _l("約款（利用規約）")


cloud_service_department = Table(
    "cloud_service_department",
    db.metadata,
    Column("cloud_service_id", ForeignKey("cloud_service.id"), primary_key=True),
    Column("department_id", ForeignKey("department.id"), primary_key=True),
)


class CloudService(Approvable, Arrangement):
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


class CloudUseApplication(ApprovalRequest):
    """A department's application to use a cloud service with its checklist (the request and its
    decision are the shared ``ApprovalRequest``).

    ``checklist`` maps a requirement code to ``{"title", "answer", "note", "order"}``; the title is
    kept as asked, so the record stays readable when the catalog changes later.
    """

    __tablename__ = "cloud_use_application"
    __mapper_args__ = {"polymorphic_identity": "cloud_use_application"}

    id: Mapped[int] = mapped_column(ForeignKey("approval_request.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
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

    service_id = synonym("arrangement_id")
    service = relationship(
        "CloudService",
        primaryjoin="foreign(ApprovalRequest.arrangement_id) == CloudService.id",
        viewonly=True,
        lazy="raise",
    )
    department = relationship("Department", lazy="raise")
    confidentiality_level = relationship("ClassificationLevel", lazy="raise")

    @property
    def label(self) -> str:
        """How the audit trail names it: the service's id and the day it was filed."""
        day = f" {self.submitted_at:%Y-%m-%d}" if self.submitted_at else ""
        return f"cloud_service {self.service_id}{day}"

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
