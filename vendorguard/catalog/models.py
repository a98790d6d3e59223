"""Requirements (要件), clauses (条項) with their versions, and waivers (適用除外) per arrangement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.kinds import kind_label
from vendorguard.arrangements.models import str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model, db


class RequirementKind(LabelledEnum):
    """Where a requirement comes from (FACTS §1–3)."""

    OUTSOURCING = "outsourcing", _l("業務委託")
    PERSONAL_INFO = "personal_info", _l("個人情報")
    MY_NUMBER = "my_number", _l("マイナンバー（特定個人情報）")
    CLOUD = "cloud", _l("外部サービス")
    SNS = "sns", _l("ソーシャルメディア")


class ClauseStatus(LabelledEnum):
    """A clause version's life: drafted, approved for use, retired by a later approval."""

    DRAFT = "draft", _l("下書き"), "badge-warn"
    APPROVED = "approved", _l("承認済（使用中）"), "badge-ok"
    RETIRED = "retired", _l("廃止"), "badge-muted"


class Requirement(Audited, Model):
    """One item the security terms must cover, with the rule saying where it applies."""

    __tablename__ = "requirement"
    __audit_label__ = "code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[RequirementKind] = mapped_column(str_enum(RequirementKind), index=True)
    # a registered arrangement kind's value: a plain string, the set of kinds is open
    applies_to: Mapped[str] = mapped_column(String(20), index=True)
    rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=lambda: {"always": True})
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def title(self) -> str:
        """The title in the reader's language (Japanese unless English is chosen and present)."""
        from flask_babel import get_locale

        locale = get_locale()
        if self.title_en and locale is not None and locale.language == "en":
            return self.title_en
        return self.title_ja

    @property
    def applies_to_label(self) -> str:
        return kind_label(self.applies_to)

    def __str__(self) -> str:
        return f"{self.code} {self.title_ja}"


clause_version_requirement = Table(
    "clause_version_requirement",
    db.metadata,
    Column("clause_version_id", ForeignKey("clause_version.id"), primary_key=True),
    Column("requirement_id", ForeignKey("requirement.id"), primary_key=True, index=True),
)


class Clause(Audited, Model):
    """A clause of the city's library; its text lives in versions, one of them approved."""

    __tablename__ = "clause"
    __audit_label__ = "code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # a registered arrangement kind's value: a plain string, the set of kinds is open
    applies_to: Mapped[str] = mapped_column(String(20), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    # The city's own duties (a cloud service's manager, approval, use): printed in the city's
    # internal record, never in the document the counterparty signs.
    internal: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    versions: Mapped[list[ClauseVersion]] = relationship(
        back_populates="clause", lazy="raise", order_by="ClauseVersion.number.desc()"
    )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def applies_to_label(self) -> str:
        return kind_label(self.applies_to)

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ClauseVersion(Audited, Model):
    """One text of a clause. Never edited: a change is a new version; approval retires the old one."""

    __tablename__ = "clause_version"
    __audit_label__ = "title"
    __table_args__ = (
        UniqueConstraint("clause_id", "number"),
        # At most one approved version per clause, even when two admins approve at once.
        Index(
            "uq_clause_version_one_approved",
            "clause_id",
            unique=True,
            sqlite_where=text("status = 'approved'"),
            postgresql_where=text("status = 'approved'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clause_id: Mapped[int] = mapped_column(ForeignKey("clause.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")  # why the text changed
    status: Mapped[ClauseStatus] = mapped_column(str_enum(ClauseStatus), default=ClauseStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    clause: Mapped[Clause] = relationship(back_populates="versions", lazy="raise")
    requirements: Mapped[list[Requirement]] = relationship(
        secondary=clause_version_requirement,
        lazy="raise",
        order_by=(Requirement.sort_order, Requirement.code),
    )
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="raise")
    approved_by = relationship("User", foreign_keys=[approved_by_id], lazy="raise")

    @property
    def requirement_codes(self) -> list[str]:
        """Codes of the requirements this version covers (needs ``requirements`` loaded)."""
        return [requirement.code for requirement in self.requirements]

    def __str__(self) -> str:
        return f"{self.title}（第{self.number}版）"


class Waiver(Audited, Model):
    """The security office's reasoned decision that an arrangement need not cover a requirement."""

    __tablename__ = "requirement_waiver"
    __audit_label__ = "reason"
    __table_args__ = (
        Index(
            "uq_requirement_waiver_active",
            "arrangement_id",
            "requirement_id",
            unique=True,
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    arrangement_id: Mapped[int] = mapped_column(ForeignKey("arrangement.id"), index=True)
    requirement_id: Mapped[int] = mapped_column(ForeignKey("requirement.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Optimistic lock (``core.concurrency``): a change made on a stale page is refused.
    version: Mapped[int] = mapped_column(server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    arrangement = relationship("Arrangement", lazy="raise")
    requirement: Mapped[Requirement] = relationship(lazy="raise")
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="raise")

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class CatalogMarker(Model):
    """One row whose value changes with every change to requirements, clauses or their versions
    (a fresh random value each time, so no two states of any database share one): app processes
    keep a copy of the catalog and compare this marker before using it (``catalog.snapshot``)."""

    __tablename__ = "catalog_marker"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(String(32))
