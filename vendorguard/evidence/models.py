"""Evidence requirements → requests (one due instance each) → submissions (files, review)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.bigrams import bigram_index
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model


class Cadence(LabelledEnum):
    """How often evidence is due over an arrangement's period."""

    ONCE_AT_START = "once_at_start", _l("開始時に1回")
    MONTHLY = "monthly", _l("毎月")
    QUARTERLY = "quarterly", _l("四半期ごと")
    HALF_YEARLY = "half_yearly", _l("半期ごと")
    YEARLY = "yearly", _l("毎年")
    AT_END = "at_end", _l("終了時")
    AD_HOC = "ad_hoc", _l("随時")


class EvidenceProvider(LabelledEnum):
    """Who provides the evidence."""

    CONTRACTOR = "contractor", _l("委託事業者")
    INTERNAL = "internal", _l("市（所管課）")


class RequestStatus(LabelledEnum):
    """Where one due instance stands."""

    OPEN = "open", _l("未提出"), "badge-info"  # waiting for a submission
    SUBMITTED = "submitted", _l("確認待ち"), "badge-warn"  # a submission waits for review
    ACCEPTED = "accepted", _l("受理"), "badge-ok"
    # the last submission was rejected; a resubmission is expected
    REJECTED = "rejected", _l("差戻し"), "badge-danger"
    # no longer needed (requirement removed, period changed)
    CLOSED = "closed", _l("取下げ"), "badge-muted"


# Requests still waiting for the provider: the schedule may move or close these.
AWAITING_PROVIDER = frozenset({RequestStatus.OPEN, RequestStatus.REJECTED})
# Requests not yet settled (no accepted evidence, not withdrawn).
UNSETTLED = frozenset({RequestStatus.OPEN, RequestStatus.REJECTED, RequestStatus.SUBMITTED})
# The same as SQL, for the partial index the request list walks.
UNSETTLED_SQL = "status IN ('open', 'rejected', 'submitted')"
# Submissions waiting for review and requests submitted, as SQL, for their partial indexes.
PENDING_SQL = "decision = 'pending'"
SUBMITTED_SQL = "status = 'submitted'"


# Why the schedule withdrew a request (stored in ``closed_reason``); a person's reason is free text.
CLOSED_BY_SCHEDULE = "schedule_changed"
CLOSED_WITH_REQUIREMENT = "requirement_archived"
AUTOMATIC_CLOSE_REASONS = frozenset({CLOSED_BY_SCHEDULE, CLOSED_WITH_REQUIREMENT})
CLOSE_REASON_LABELS = {
    CLOSED_BY_SCHEDULE: _l("契約期間または提出頻度の変更により不要になりました。"),
    CLOSED_WITH_REQUIREMENT: _l("証跡項目が廃止（アーカイブ）されたため取り下げました。"),
}


class ReviewDecision(LabelledEnum):
    """The responsible department's decision on one submission."""

    PENDING = "pending", _l("確認待ち"), "badge-warn"
    ACCEPTED = "accepted", _l("受理"), "badge-ok"
    REJECTED = "rejected", _l("差戻し"), "badge-danger"
    # a newer version was submitted before this one was reviewed
    SUPERSEDED = "superseded", _l("差替え済（確認不要）"), "badge-muted"


class EvidenceRequirement(Audited, Model):
    """What must be collected for one arrangement, how often and from whom."""

    __tablename__ = "evidence_requirement"
    # One derived requirement per template and arrangement (manual ones have no template code).
    __table_args__ = (
        UniqueConstraint("arrangement_id", "template_code"),
        # "Has a requirement in use" per arrangement (the home page's chart), from the index alone.
        Index(
            "ix_evidence_requirement_live_arrangement",
            "arrangement_id",
            postgresql_where=text("archived_at IS NULL"),
            sqlite_where=text("archived_at IS NULL"),
        ),
    )
    __audit_label__ = "title"

    id: Mapped[int] = mapped_column(primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"), index=True)
    template_code: Mapped[str | None] = mapped_column(
        String(40)
    )  # set when derived from the catalog
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("requirement.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    cadence: Mapped[Cadence] = mapped_column(str_enum(Cadence))
    due_offset_days: Mapped[int] = mapped_column(default=14)  # after the end of each period
    provider: Mapped[EvidenceProvider] = mapped_column(str_enum(EvidenceProvider))
    validity_days: Mapped[
        int | None
    ]  # how long accepted evidence stays valid; None = until replaced
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    arrangement = relationship("Arrangement", lazy="raise")
    requests: Mapped[list[EvidenceRequest]] = relationship(
        back_populates="evidence_requirement", lazy="raise"
    )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_derived(self) -> bool:
        """Whether it comes from the standard table (kept in step by ``sync_requirements``)."""
        return self.template_code is not None


# Two-character title searches by index on PostgreSQL (see core.bigrams).
bigram_index("bigram_evidence_requirement_title", EvidenceRequirement.__table__.c.title)


class EvidenceRequest(Audited, Model):
    """One due instance of a requirement; ``occurrence`` makes schedule generation idempotent."""

    __tablename__ = "evidence_request"
    __table_args__ = (
        UniqueConstraint("evidence_requirement_id", "occurrence"),
        Index("ix_evidence_request_status_due", "status", "due_on"),
        # The request list's default order over the unsettled requests (its default filter), with
        # the arrangement each is checked against from the index alone (a late page skips 5,000).
        Index(
            "ix_evidence_request_unsettled_due",
            "due_on",
            "id",
            "arrangement_id",
            postgresql_where=text(UNSETTLED_SQL),
            sqlite_where=text(UNSETTLED_SQL),
        ),
        # One department's unsettled requests in the list's order (``department_id`` is the
        # arrangement's, copied: ``evidence.request_department``). Without it a department's
        # first page walked the city's unsettled requests by due date, probing the arrangement of
        # each (about 1,000 for 25 rows at city scale).
        Index(
            "ix_evidence_request_unsettled_department_due",
            "department_id",
            "due_on",
            "id",
            "arrangement_id",
            "status",
            postgresql_where=text(UNSETTLED_SQL),
            sqlite_where=text(UNSETTLED_SQL),
        ),
        # Submitted requests with what the review count joins on, from the index alone (the home
        # page's review section: otherwise ~6,000 heap pages for 18,000 scattered rows).
        Index(
            "ix_evidence_request_submitted",
            "id",
            "arrangement_id",
            "evidence_requirement_id",
            postgresql_where=text(SUBMITTED_SQL),
            sqlite_where=text(SUBMITTED_SQL),
        ),
        # An arrangement's submitted requests (one department's review count probes it for each
        # of its arrangements instead of hashing the city's 18,000 submitted requests).
        Index(
            "ix_evidence_request_submitted_arrangement",
            "arrangement_id",
            "id",
            postgresql_where=text(SUBMITTED_SQL),
            sqlite_where=text(SUBMITTED_SQL),
        ),
        # An arrangement's unsettled requests by status and due date, from the index alone: "has
        # unsettled evidence due by today" (the home page's chart), one department's overdue
        # count (the requirement id is there for the join to the requirement).
        Index(
            "ix_evidence_request_unsettled_arrangement",
            "arrangement_id",
            "status",
            "due_on",
            "evidence_requirement_id",
            postgresql_where=text(UNSETTLED_SQL),
            sqlite_where=text(UNSETTLED_SQL),
        ),
    )
    __audit_label__ = "occurrence_label"  # 「2026年度 上期」, not the key 「FY2026-H1」

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_requirement_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_requirement.id"), index=True
    )
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"), index=True)
    # The arrangement's department, kept equal to it by ``evidence.request_department`` (filled on
    # insert, rewritten when the arrangement moves): what one department's lists walk by.
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    occurrence: Mapped[str] = mapped_column(String(40))  # "start", "end", "2026-04", "adhoc-<n>" …
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    scheduled_due_on: Mapped[date]  # before moving off closed days
    due_on: Mapped[date]
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus), default=RequestStatus.OPEN
    )
    note: Mapped[str] = mapped_column(Text, default="")
    closed_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Optimistic lock (``core.concurrency``): a change made on a stale page is refused.
    version: Mapped[int] = mapped_column(server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    evidence_requirement: Mapped[EvidenceRequirement] = relationship(
        back_populates="requests", lazy="raise"
    )
    arrangement = relationship("Arrangement", lazy="raise")
    submissions: Mapped[list[EvidenceSubmission]] = relationship(
        back_populates="request", lazy="raise", order_by="EvidenceSubmission.version"
    )

    @property
    def occurrence_label(self) -> str:
        """The occurrence in words: 「2026年4月分」, 「2026年度 上期」, 「終了時」 …"""
        from vendorguard.evidence.occurrences import occurrence_label

        return occurrence_label(self.occurrence)

    @property
    def closed_reason_label(self) -> str:
        """Why it was withdrawn, in the reader's language."""
        label = CLOSE_REASON_LABELS.get(self.closed_reason)
        return str(label) if label is not None else self.closed_reason

    @property
    def was_moved(self) -> bool:
        """Whether the due date moved off a closed day."""
        return self.due_on != self.scheduled_due_on

    def is_overdue(self, today: date) -> bool:
        """Past its due date and still waiting for the provider."""
        return self.status in AWAITING_PROVIDER and self.due_on < today


class EvidenceSubmission(Audited, Model):
    """One submission (one or more files and a comment) and its review. Every version is kept."""

    __tablename__ = "evidence_submission"
    __table_args__ = (
        UniqueConstraint("request_id", "version"),
        # Submissions waiting for review, oldest first (the home page's review section): a few
        # thousand of ~100,000, walked in order and joined to their request from the index alone.
        Index(
            "ix_evidence_submission_pending",
            "submitted_at",
            "id",
            "request_id",
            postgresql_where=text(PENDING_SQL),
            sqlite_where=text(PENDING_SQL),
        ),
        # The same by request: the review count merges it with the submitted requests in key order
        # (or probes it per request), and one department's oldest are picked by their keys from
        # it, never reading the submission rows.
        Index(
            "ix_evidence_submission_pending_request",
            "request_id",
            "submitted_at",
            "id",
            postgresql_where=text(PENDING_SQL),
            sqlite_where=text(PENDING_SQL),
        ),
    )
    __audit_label__ = "version"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("evidence_request.id"), index=True)
    version: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_via: Mapped[str] = mapped_column(String(20))  # portal | link | internal
    upload_link_id: Mapped[int | None] = mapped_column(ForeignKey("upload_link.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[ReviewDecision] = mapped_column(
        str_enum(ReviewDecision), default=ReviewDecision.PENDING
    )
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_reason: Mapped[str] = mapped_column(Text, default="")
    valid_until: Mapped[date | None] = mapped_column(index=True)

    request: Mapped[EvidenceRequest] = relationship(back_populates="submissions", lazy="raise")
    submitted_by = relationship("User", lazy="raise", foreign_keys=[submitted_by_id])
    reviewed_by = relationship("User", lazy="raise", foreign_keys=[reviewed_by_id])
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="submission", lazy="raise", order_by="EvidenceFile.id"
    )

    @property
    def via_label(self) -> str:
        """How it arrived, in words."""
        labels = {
            "internal": _l("市（所管課）が登録"),
            "portal": _l("委託事業者ポータル"),
            "link": _l("アップロード用リンク"),
        }
        return str(labels.get(self.submitted_via, self.submitted_via))


class EvidenceFile(Audited, Model):
    """A stored file. The original name is for display only; the key is ours."""

    __tablename__ = "evidence_file"
    __audit_label__ = "original_filename"
    __storage_key_column__ = "storage_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("evidence_submission.id"), index=True)
    original_filename: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))  # detected from the content
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submission: Mapped[EvidenceSubmission] = relationship(back_populates="files", lazy="raise")


class UploadLink(Audited, Model):
    """A signed, expiring, revocable link that lets a contractor answer one request without an account."""

    __tablename__ = "upload_link"
    __audit_label__ = "id"
    __audit_exclude__ = frozenset({"nonce"})

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("evidence_request.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)  # part of the signed token
    recipient_email: Mapped[str] = mapped_column(String(254), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request: Mapped[EvidenceRequest] = relationship(lazy="raise")


class EvidenceStanding(Model):
    """Per arrangement, derived from its evidence and kept with it (``evidence.standing``): the
    earliest due date of its unsettled requests and whether a requirement is in use. No row means
    neither (an arrangement without evidence)."""

    __tablename__ = "evidence_standing"

    arrangement_id: Mapped[int] = mapped_column(
        ForeignKey("arrangement.id", ondelete="CASCADE"), primary_key=True
    )
    # "needs attention" on a day is ``due_from <= day``: the date passing needs no recomputation
    due_from: Mapped[date | None]
    in_use: Mapped[bool] = mapped_column(default=False)
