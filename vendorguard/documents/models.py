"""ContractDocument: one generated, stored, never-rewritten version of a document."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, ForeignKey, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import ArrangementKind, str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model


class DocumentKind(LabelledEnum):
    """What a generated document is; each arrangement kind has one."""

    APPENDIX = "appendix", _l("情報セキュリティに関する特記事項")
    # what the provider signs
    CLOUD_REQUIREMENTS = "cloud_requirements", _l("クラウドサービス利用に係るセキュリティ要件")
    # the city's own record: manager, scope, approval
    CLOUD_USE_RECORD = "cloud_use_record", _l("外部サービス利用承認記録")
    SNS_PROCEDURE = "sns_procedure", _l("SNS運用手順")

    @property
    def printed_title(self) -> str:
        """The document's printed title (always Japanese: it is the contract's language)."""
        return {
            self.APPENDIX: "情報セキュリティに関する特記事項",
            self.CLOUD_REQUIREMENTS: "クラウドサービス利用に係るセキュリティ要件",
            self.CLOUD_USE_RECORD: "外部サービス利用承認記録",
            self.SNS_PROCEDURE: "SNS運用手順",
        }[self]

    @property
    def internal_clauses(self) -> bool | None:
        """Which clauses it prints: the city's own (True), the counterparty's (False), or all."""
        return {self.CLOUD_REQUIREMENTS: False, self.CLOUD_USE_RECORD: True}.get(self)

    @property
    def template(self) -> str:
        """The Word template in contract_templates/."""
        return f"{self.value}.docx"

    @classmethod
    def all_for_arrangement(cls, arrangement_kind: str) -> tuple[DocumentKind, ...]:
        """Every document an arrangement of this kind may get (a cloud service: two)."""
        main = cls.for_arrangement(arrangement_kind)
        return (main, cls.CLOUD_USE_RECORD) if main == cls.CLOUD_REQUIREMENTS else (main,)

    @classmethod
    def for_arrangement(cls, arrangement_kind: str) -> DocumentKind:
        """The document an arrangement of this kind gets."""
        return {
            ArrangementKind.ENGAGEMENT.value: cls.APPENDIX,
            ArrangementKind.CLOUD_SERVICE.value: cls.CLOUD_REQUIREMENTS,
            ArrangementKind.SOCIAL_ACCOUNT.value: cls.SNS_PROCEDURE,
        }[str(arrangement_kind)]


class DateStyle(LabelledEnum):
    """How dates are printed: 令和8年4月1日 or 2026年4月1日."""

    WAREKI = "wareki", _l("和暦（令和8年4月1日）")
    WESTERN = "western", _l("西暦（2026年4月1日）")


class ContractDocument(Audited, Model):
    """A generated document. Immutable: generating again makes the next version."""

    __tablename__ = "contract_document"
    __audit_label__ = "filename"
    __storage_key_column__ = "storage_key"  # takes part in ``vg storage-check``
    __table_args__ = (UniqueConstraint("arrangement_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, length=30))
    version: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(255))
    # Snapshots, so a later clause edit can neither change nor hide what this version said:
    # [{number, heading, paragraphs, clause_version_id, requirement_codes}, …]
    articles: Mapped[list] = mapped_column(JSON, default=list)
    clause_version_ids: Mapped[list] = mapped_column(JSON, default=list)
    waivers: Mapped[list] = mapped_column(JSON, default=list)
    date_style: Mapped[DateStyle] = mapped_column(str_enum(DateStyle))
    template: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    arrangement = relationship("Arrangement", lazy="raise")
    created_by = relationship("User", lazy="raise")

    @property
    def kind_label(self) -> str:
        return DocumentKind(self.kind).label

    def __str__(self) -> str:
        return self.filename


class ImmutableDocument(Exception):
    """A generated document was about to be changed or deleted (a programming error)."""


@event.listens_for(ContractDocument, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    state = inspect(target)
    if not any(state.attrs[attr.key].history.has_changes() for attr in mapper.column_attrs):
        return  # flagged dirty without a real change
    raise ImmutableDocument(f"contract_document {target.id} is immutable; generate a new version")


@event.listens_for(ContractDocument, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise ImmutableDocument(f"contract_document {target.id} is kept for good")


class BulkStatus(LabelledEnum):
    """Where a bulk generation stands."""

    QUEUED = "queued", _l("待機中")
    RUNNING = "running", _l("作成中")
    DONE = "done", _l("完了")
    FAILED = "failed", _l("中断（エラー）")

    @property
    def finished(self) -> bool:
        return self in (BulkStatus.DONE, BulkStatus.FAILED)


class BulkJob(Model):
    """Appendices for many engagements generated in one go, collected into one zip.

    Not ``Audited``: progress is written every few documents and would flood the audit log; the
    job's creation is recorded explicitly and every document it makes has its own event.
    """

    __tablename__ = "bulk_job"
    __storage_key_column__ = "storage_key"  # the finished zip takes part in ``vg storage-check``

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The department the job is limited to (None: all departments): decides who may see it.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    # What was asked for: {"starting_fy", "department_id", "engagement_ids", "date_style"}.
    filter: Mapped[dict] = mapped_column(JSON, default=dict)
    # The engagements resolved when the job was made, in the order they are processed.
    arrangement_ids: Mapped[list] = mapped_column(JSON, default=list)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)  # documents generated
    failed: Mapped[int] = mapped_column(default=0)  # engagements that got no document
    status: Mapped[BulkStatus] = mapped_column(
        str_enum(BulkStatus), default=BulkStatus.QUEUED, index=True
    )
    filename: Mapped[str] = mapped_column(String(255))  # of the zip, for the download
    storage_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(BigInteger)
    # [{arrangement_id, contract_number, title, message, codes}, …]; a job-level error has no id.
    errors: Mapped[list] = mapped_column(JSON, default=list)
    # [{arrangement_id, document_id, version, filename}, …]
    results: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow
    )  # heartbeat while running
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User", lazy="raise")
    department = relationship("Department", lazy="raise")

    @property
    def processed(self) -> int:
        return self.done + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)

    def is_stalled(self, now: datetime, after_seconds: int) -> bool:
        """Still queued or running, but silent for too long (the server restarted mid-way)."""
        if BulkStatus(self.status).finished or self.updated_at is None:
            return False
        return (now - self.updated_at).total_seconds() > after_seconds

    def __str__(self) -> str:
        return self.filename
