"""Assessment (確認): a dated confirmation of an arrangement; Action (措置): one finding to close."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model


class AssessmentResult(LabelledEnum):
    """What the confirmation found."""

    CONFORMING = "conforming", _l("適合"), "badge-ok"
    PARTIALLY_CONFORMING = "partially_conforming", _l("一部不適合"), "badge-warn"
    NONCONFORMING = "nonconforming", _l("不適合"), "badge-danger"


# The audit trail keeps one language whatever the user's locale (like a printed record).
RESULT_RECORD_TEXT = {
    AssessmentResult.CONFORMING: "適合",
    AssessmentResult.PARTIALLY_CONFORMING: "一部不適合",
    AssessmentResult.NONCONFORMING: "不適合",
}


class AssessmentMethod(LabelledEnum):
    """How the city confirmed."""

    DOCUMENT = "document", _l("書面確認")
    ON_SITE = "on_site", _l("実地確認")
    REPORT = "report", _l("報告書確認")
    OTHER = "other", _l("その他")


class ActionStatus(LabelledEnum):
    """Whether an action still needs work."""

    OPEN = "open", _l("対応中")
    CLOSED = "closed", _l("完了")


class Assessment(Audited, Model):
    """A periodic confirmation that the outside party keeps the agreed measures."""

    __tablename__ = "assessment"
    __audit_label__ = "record_label"
    __table_args__ = (Index("ix_assessment_arrangement_assessed", "arrangement_id", "assessed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"))
    assessed_on: Mapped[date]
    result: Mapped[AssessmentResult] = mapped_column(str_enum(AssessmentResult, length=30))
    method: Mapped[AssessmentMethod] = mapped_column(str_enum(AssessmentMethod))
    summary: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[str] = mapped_column(
        Text, default=""
    )  # as entered; each line became an action
    valid_until: Mapped[date]
    # The arrangement's next review date before this assessment moved it, so archiving every
    # assessment gives back the date someone had set by hand.
    previous_review_on: Mapped[date | None]
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Optimistic lock (``core.concurrency``): a change made on a stale page is refused.
    version: Mapped[int] = mapped_column(server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    arrangement = relationship("Arrangement", lazy="raise")
    assessed_by = relationship("User", lazy="raise", foreign_keys=[assessed_by_id])
    actions: Mapped[list[Action]] = relationship(
        back_populates="assessment", lazy="raise", order_by="Action.id"
    )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def record_label(self) -> str:
        """How the audit trail names it: date and result."""
        return f"{self.assessed_on.isoformat()} {RESULT_RECORD_TEXT[AssessmentResult(self.result)]}"

    def __str__(self) -> str:
        return self.record_label


class Action(Audited, Model):
    """One finding of an assessment, with the city's person in charge, tracked until closed."""

    __tablename__ = "action"
    __audit_label__ = "finding"
    __table_args__ = (Index("ix_action_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    arrangement_id: Mapped[int] = mapped_column(
        ForeignKey("arrangement.id"), index=True
    )  # = assessment's
    finding: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    contractor_response: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus), default=ActionStatus.OPEN)
    closed_on: Mapped[date | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    resolution: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Optimistic lock (``core.concurrency``): a change made on a stale page is refused.
    version: Mapped[int] = mapped_column(server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    assessment: Mapped[Assessment] = relationship(back_populates="actions", lazy="raise")
    arrangement = relationship("Arrangement", lazy="raise")
    owner = relationship("User", lazy="raise", foreign_keys=[owner_id])
    closed_by = relationship("User", lazy="raise", foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    def is_overdue(self, today: date) -> bool:
        """Open and past its due date (``today`` in Japan)."""
        return self.is_open and self.due_on < today

    def __str__(self) -> str:
        return self.finding
