"""Questionnaire templates (versions, sections, questions) and the questionnaires sent from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.kinds import kind_label
from vendorguard.arrangements.models import str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.catalog.models import ClauseStatus
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model
from vendorguard.questionnaires.periods import Period


class QuestionType(LabelledEnum):
    """How a question is answered."""

    YES_NO = "yes_no", _l("はい／いいえ／該当なし")
    SINGLE = "single", _l("選択（1つ）")
    MULTIPLE = "multiple", _l("選択（複数）")
    DATE = "date", _l("日付")
    NUMBER = "number", _l("数値")
    TEXT = "text", _l("記述")
    FILE = "file", _l("ファイルの添付")


class Attachment(LabelledEnum):
    """Whether files go with the answer."""

    NONE = "none", _l("添付なし")
    OPTIONAL = "optional", _l("添付は任意")
    REQUIRED = "required", _l("添付は必須")


class RequestStatus(LabelledEnum):
    """Where a sent questionnaire stands."""

    SENT = "sent", _l("回答待ち"), "badge-warn"
    RETURNED = "returned", _l("修正依頼中"), "badge-warn"
    SUBMITTED = "submitted", _l("確認待ち"), "badge-info"
    CLOSED = "closed", _l("完了"), "badge-ok"
    CANCELLED = "cancelled", _l("取消"), "badge-muted"


WAITING = (RequestStatus.SENT, RequestStatus.RETURNED)  # the contractor has to act


class Review(LabelledEnum):
    """The reviewer's decision on one answer."""

    PENDING = "pending", _l("未確認"), "badge-muted"
    ACCEPTED = "accepted", _l("適合"), "badge-ok"
    FINDING = "finding", _l("指摘"), "badge-danger"


class Severity(LabelledEnum):
    """How serious a finding is."""

    LOW = "low", _l("軽微"), "badge-info"
    MEDIUM = "medium", _l("中"), "badge-warn"
    HIGH = "high", _l("重大"), "badge-danger"


YES, NO, NOT_APPLICABLE = "yes", "no", "na"
YES_NO_LABELS = {YES: _l("はい"), NO: _l("いいえ"), NOT_APPLICABLE: _l("該当なし")}


class QuestionnaireTemplate(Audited, Model):
    """A questionnaire of the city's library; its contents live in versions, one of them approved."""

    __tablename__ = "questionnaire_template"
    __audit_label__ = "code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    applies_to: Mapped[str] = mapped_column(String(20), index=True)  # an arrangement kind's value
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    versions: Mapped[list[TemplateVersion]] = relationship(
        back_populates="template", lazy="raise", order_by="TemplateVersion.number.desc()"
    )

    @property
    def applies_to_label(self) -> str:
        return kind_label(self.applies_to)

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class TemplateVersion(Audited, Model):
    """One content of a template. Edited only while a draft; approval retires the older one."""

    __tablename__ = "questionnaire_version"
    __audit_label__ = "label"
    __table_args__ = (
        UniqueConstraint("template_id", "number"),
        Index(
            "uq_questionnaire_version_one_approved",
            "template_id",
            unique=True,
            sqlite_where=text("status = 'approved'"),
            postgresql_where=text("status = 'approved'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_template.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")  # why it changed
    status: Mapped[ClauseStatus] = mapped_column(str_enum(ClauseStatus), default=ClauseStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    template: Mapped[QuestionnaireTemplate] = relationship(back_populates="versions", lazy="raise")
    sections: Mapped[list[Section]] = relationship(
        back_populates="version", lazy="raise", order_by="Section.position"
    )

    @property
    def label(self) -> str:
        return f"{self.title}（第{self.number}版）"

    @property
    def is_draft(self) -> bool:
        return self.status == ClauseStatus.DRAFT

    def __str__(self) -> str:
        return self.label


class Section(Audited, Model):
    """A group of questions."""

    __tablename__ = "questionnaire_section"
    __audit_label__ = "title"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))

    version: Mapped[TemplateVersion] = relationship(back_populates="sections", lazy="raise")
    questions: Mapped[list[Question]] = relationship(
        back_populates="section", lazy="raise", order_by="Question.position"
    )

    def __str__(self) -> str:
        return self.title


class Question(Audited, Model):
    """One question: type, help, condition, weight, and which answers are findings."""

    __tablename__ = "questionnaire_question"
    __audit_label__ = "code"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_section.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(30))  # stable across versions: last year's answer
    text: Mapped[str] = mapped_column(Text)
    help: Mapped[str] = mapped_column(Text, default="")
    qtype: Mapped[QuestionType] = mapped_column(str_enum(QuestionType))
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=True)
    attachment: Mapped[Attachment] = mapped_column(str_enum(Attachment), default=Attachment.NONE)
    # Asked only when the catalog requirement applies to the arrangement (what it contracted) …
    requirement_code: Mapped[str] = mapped_column(String(20), default="")
    # … and when this rule (catalog/rules.py, over the arrangement's facts and earlier answers
    # as "answer:<code>") holds. Built from form fields, never typed as JSON.
    condition: Mapped[dict[str, Any]] = mapped_column(JSON, default=lambda: {"always": True})
    weight: Mapped[int] = mapped_column(default=1)
    finding_answers: Mapped[list[str]] = mapped_column(JSON, default=list)

    section: Mapped[Section] = relationship(back_populates="questions", lazy="raise")

    @property
    def qtype_label(self) -> str:
        return QuestionType(self.qtype).label

    def options(self) -> list[tuple[str, str]]:
        """(value, label) of the answers one may choose."""
        if self.qtype == QuestionType.YES_NO:
            return [(key, str(label)) for key, label in YES_NO_LABELS.items()]
        return [(choice, choice) for choice in self.choices]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


def _year_start(context) -> date:
    # A request made without a period (older code paths) is for its whole fiscal year.
    return date(context.get_current_parameters()["fiscal_year"], 4, 1)


class QuestionnaireRequest(Audited, Model):
    """One version sent for one arrangement and self-check period to its contractor."""

    __tablename__ = "questionnaire_request"
    __audit_label__ = "label"
    __table_args__ = (
        # One live questionnaire per arrangement, template and period (sends are idempotent).
        Index(
            "uq_questionnaire_request_live",
            "arrangement_id",
            "template_id",
            "period_start",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
        Index("ix_questionnaire_request_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_template.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"), index=True)
    contractor_id: Mapped[int | None] = mapped_column(ForeignKey("contractor.id"), index=True)
    fiscal_year: Mapped[int]  # the fiscal year the period starts in
    # The self-check period (``periods``): its first day and length, from the tier's interval.
    period_start: Mapped[date] = mapped_column(default=_year_start)
    period_months: Mapped[int] = mapped_column(default=12, server_default=text("12"))
    due_on: Mapped[date]
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus), default=RequestStatus.SENT
    )
    message: Mapped[str] = mapped_column(Text, default="")  # the city's note to the contractor
    return_reason: Mapped[str] = mapped_column(Text, default="")
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Set when a tier change withdrew it (its period no longer exists); a later change back
    # revives it with its answers instead of sending a second one.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the 確認 its findings' actions hang on (assessments), made at the first finding or the close
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"))
    # A single-request signed link (portal.tokens): only the nonce's hash is kept.
    link_nonce_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[int] = mapped_column(server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    template: Mapped[QuestionnaireTemplate] = relationship(lazy="raise")
    template_version: Mapped[TemplateVersion] = relationship(lazy="raise")
    arrangement = relationship("Arrangement", lazy="raise")
    contractor = relationship("Contractor", lazy="raise")
    answers: Mapped[list[Answer]] = relationship(back_populates="request", lazy="raise")

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_months or 12)

    @property
    def period_label(self) -> str:
        """The period in words: 「2026年度 上期」."""
        return self.period.label()

    @property
    def label(self) -> str:
        return f"{self.period_label} 自己点検 #{self.arrangement_id}"

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING

    def is_overdue(self, today: date) -> bool:
        """Still waiting for the contractor after its due date."""
        return self.is_waiting and self.due_on < today


class Answer(Audited, Model):
    """The contractor's answer to one question, and the reviewer's decision on it."""

    __tablename__ = "questionnaire_answer"
    __audit_label__ = "id"
    __table_args__ = (UniqueConstraint("request_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_request.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_question.id"), index=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)  # str, list of str, number or ISO date
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    review: Mapped[Review] = mapped_column(str_enum(Review), default=Review.PENDING)
    severity: Mapped[Severity | None] = mapped_column(str_enum(Severity))
    remediation: Mapped[str] = mapped_column(Text, default="")  # what the city asks to be done
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)

    request: Mapped[QuestionnaireRequest] = relationship(back_populates="answers", lazy="raise")
    question: Mapped[Question] = relationship(lazy="raise")
    action = relationship("Action", lazy="raise")
    files: Mapped[list[AnswerFile]] = relationship(
        back_populates="answer", lazy="raise", order_by="AnswerFile.id"
    )


class AnswerFile(Audited, Model):
    """A file attached to an answer, or to the contractor's reply to a finding (remediation)."""

    __tablename__ = "questionnaire_file"
    __audit_label__ = "original_filename"
    __storage_key_column__ = "storage_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_answer.id"), index=True)
    remediation: Mapped[bool] = mapped_column(default=False)
    original_filename: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    answer: Mapped[Answer] = relationship(back_populates="files", lazy="raise")
