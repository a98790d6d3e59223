"""The approval of an arrangement: its state in force (on the arrangement) and every request filed.

``Approvable`` puts the approval in force on the arrangement's own table (lists and the home page
read it without joining requests); ``ApprovalRequest`` keeps each application for approval and the
decision on it, so the history of every kind is one table. A kind that asks for more when applying
(a cloud service's checklist) subclasses ``ApprovalRequest`` (joined-table inheritance).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from vendorguard.arrangements.models import Arrangement, str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model


class ApprovalState(LabelledEnum):
    """The security office's decision on using a service or running an account."""

    NOT_APPLIED = "not_applied", _l("未申請")
    APPLIED = "applied", _l("申請中")
    APPROVED = "approved", _l("承認済")
    REJECTED = "rejected", _l("却下")
    EXPIRED = "expired", _l("承認期限切れ")


class ApplicationStatus(LabelledEnum):
    """Where one application for approval (申請) stands."""

    SUBMITTED = "submitted", _l("審査中"), "badge-info"
    APPROVED = "approved", _l("承認"), "badge-ok"
    REJECTED = "rejected", _l("却下"), "badge-danger"
    WITHDRAWN = "withdrawn", _l("取下げ"), "badge-muted"
    # never stored: an approval past its valid-until date (see effective_status)
    EXPIRED = "expired", _l("承認期限切れ"), "badge-warn"


if TYPE_CHECKING:
    # Only arrangement kinds mix Approvable in: the services read the host's id and audit it.
    _ApprovableHost = Arrangement
else:
    _ApprovableHost = object


class Approvable(_ApprovableHost):
    """The approval in force, as columns of an arrangement kind's own table.

    ``APPLIED`` means a request is under review; during a renewal ``approval_valid_until`` still
    names the current approval's last day.
    """

    approval_state: Mapped[ApprovalState] = mapped_column(
        str_enum(ApprovalState), default=ApprovalState.NOT_APPLIED
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approval_valid_until: Mapped[date | None] = mapped_column(index=True)
    approval_comment: Mapped[str] = mapped_column(Text, default="")  # the security office's reason

    @declared_attr
    def approved_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("user_account.id"))

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


class ApprovalRequest(Audited, Model):
    """One application for approval of an arrangement and the decision on it (history)."""

    __tablename__ = "approval_request"
    __audit_label__ = "label"
    __table_args__ = (
        # One request under review per arrangement, even when two people apply at once.
        Index(
            "uq_approval_request_pending",
            "arrangement_id",
            unique=True,
            sqlite_where=text("status = 'submitted'"),
            postgresql_where=text("status = 'submitted'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), default="approval_request")
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus), default=ApplicationStatus.SUBMITTED, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # also when it was withdrawn
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    valid_until: Mapped[date | None] = mapped_column()
    # Optimistic lock: a decision made on a stale page is refused instead of overwriting another.
    version: Mapped[int] = mapped_column(server_default=text("1"))

    __mapper_args__ = {
        "polymorphic_on": "kind",
        "polymorphic_identity": "approval_request",
        "version_id_col": version,
    }

    applicant = relationship("User", foreign_keys=[applicant_id], lazy="raise")
    decided_by = relationship("User", foreign_keys=[decided_by_id], lazy="raise")

    @property
    def label(self) -> str:
        """How the audit trail names it: the arrangement's id and the day it was filed."""
        day = f" {self.submitted_at:%Y-%m-%d}" if self.submitted_at else ""
        return f"arrangement {self.arrangement_id}{day}"

    @property
    def is_pending(self) -> bool:
        """Under review: the security office has not decided and it was not withdrawn."""
        return self.status == ApplicationStatus.SUBMITTED

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
