"""Inspection (実地検査) of an engagement: planned per fiscal year, recorded with a checklist and photos."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model, db


class InspectionStatus(LabelledEnum):
    """Whether the inspection is still ahead or recorded (overdue is derived from the date)."""

    PLANNED = "planned", _l("予定"), "badge-muted"
    DONE = "done", _l("実施済み"), "badge-ok"


class InspectionMethod(LabelledEnum):
    """On site, or remote and how (the PPC Q&A allows video or photographs where a visit is impractical)."""

    ON_SITE = "on_site", _l("実地（訪問）")
    VIDEO = "video", _l("遠隔（映像）")
    PHOTOS = "photos", _l("遠隔（写真）")


class ItemResult(LabelledEnum):
    """The result of one checklist item."""

    UNCHECKED = "unchecked", _l("未確認"), "badge-muted"
    CONFORMING = "conforming", _l("適合"), "badge-ok"
    NONCONFORMING = "nonconforming", _l("不適合"), "badge-danger"
    NOT_APPLICABLE = "not_applicable", _l("該当なし"), "badge-muted"


# The printed report and the audit trail keep one language whatever the reader's locale.
RESULT_TEXT = {
    ItemResult.UNCHECKED: "未確認",
    ItemResult.CONFORMING: "適合",
    ItemResult.NONCONFORMING: "不適合",
    ItemResult.NOT_APPLICABLE: "該当なし",
}
METHOD_TEXT = {
    InspectionMethod.ON_SITE: "実地（訪問）",
    InspectionMethod.VIDEO: "遠隔（映像）",
    InspectionMethod.PHOTOS: "遠隔（写真）",
}

inspection_inspector = Table(
    "inspection_inspector",
    db.metadata,
    Column("inspection_id", ForeignKey("inspection.id"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id"), primary_key=True, index=True),
)


class Inspection(Audited, Model):
    """One inspection of an engagement in a fiscal year (``sequence`` counts them within the year)."""

    __tablename__ = "inspection"
    __audit_label__ = "record_label"
    __table_args__ = (
        # The plan's idempotency, held by the database too: two runs at once cannot both insert.
        UniqueConstraint("arrangement_id", "fiscal_year", "sequence"),
        Index("ix_inspection_status_planned", "status", "planned_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(index=True)
    sequence: Mapped[int] = mapped_column(default=1)
    planned_on: Mapped[date]
    status: Mapped[InspectionStatus] = mapped_column(
        str_enum(InspectionStatus), default=InspectionStatus.PLANNED
    )
    inspected_on: Mapped[date | None]
    method: Mapped[InspectionMethod] = mapped_column(
        str_enum(InspectionMethod), default=InspectionMethod.ON_SITE
    )
    method_detail: Mapped[str] = mapped_column(Text, default="")  # place visited, how shown
    other_inspectors: Mapped[str] = mapped_column(Text, default="")  # names outside the system
    contractor_attendees: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[str] = mapped_column(Text, default="")  # extra findings, one per line
    # The assessment (確認) the completed inspection recorded; its actions are the findings' 措置.
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"), index=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[int] = mapped_column(server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    arrangement = relationship("Arrangement", lazy="raise")
    assessment = relationship("Assessment", lazy="raise")
    completed_by = relationship("User", lazy="raise", foreign_keys=[completed_by_id])
    inspectors = relationship(
        "User", secondary=inspection_inspector, lazy="raise", order_by="User.name_kana"
    )
    items: Mapped[list[InspectionItem]] = relationship(
        back_populates="inspection", lazy="raise", order_by="InspectionItem.position"
    )
    photos: Mapped[list[InspectionPhoto]] = relationship(
        back_populates="inspection", lazy="raise", order_by="InspectionPhoto.id"
    )

    @property
    def is_done(self) -> bool:
        return self.status == InspectionStatus.DONE

    def is_overdue(self, today: date) -> bool:
        """Planned and its planned day has passed (``today`` in Japan)."""
        return self.status == InspectionStatus.PLANNED and self.planned_on < today

    def state(self, today: date) -> str:
        """``done``, ``overdue`` or ``planned``: the state lists filter on."""
        if self.is_done:
            return "done"
        return "overdue" if self.is_overdue(today) else "planned"

    @property
    def record_label(self) -> str:
        """How the audit trail names it: fiscal year, sequence and planned day."""
        return f"{self.fiscal_year}年度 第{self.sequence}回 {self.planned_on.isoformat()}"

    def __str__(self) -> str:
        return self.record_label


class InspectionItem(Audited, Model):
    """One checklist item, copied from a contracted requirement when the inspection was planned."""

    __tablename__ = "inspection_item"
    __audit_label__ = "title"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    requirement_code: Mapped[str] = mapped_column(String(20), default="")
    title: Mapped[str] = mapped_column(String(200))
    clause_title: Mapped[str] = mapped_column(String(200), default="")  # the clause contracting it
    result: Mapped[ItemResult] = mapped_column(str_enum(ItemResult), default=ItemResult.UNCHECKED)
    notes: Mapped[str] = mapped_column(Text, default="")

    inspection: Mapped[Inspection] = relationship(back_populates="items", lazy="raise")

    @property
    def result_text(self) -> str:
        return RESULT_TEXT[ItemResult(self.result)]


class InspectionPhoto(Audited, Model):
    """A photograph taken at (or sent for) the inspection: a content-checked JPEG or PNG."""

    __tablename__ = "inspection_photo"
    __audit_label__ = "filename"
    __storage_key_column__ = "storage_key"  # takes part in ``vg storage-check``

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    caption: Mapped[str] = mapped_column(String(200), default="")
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(50))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="photos", lazy="raise")
