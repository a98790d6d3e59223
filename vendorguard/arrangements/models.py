"""Arrangement: anything the city relies on an outside party for (joined-table inheritance).

Evidence, reviews, reminders and documents attach to ``arrangement.id`` whatever the kind.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.kinds import kind_label
from vendorguard.audit.mixins import Audited
from vendorguard.core.bigrams import bigram_index
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model

NO_OFFICER_SQL = "responsible_officer_id IS NULL AND archived_at IS NULL"


def str_enum(enum_cls, length: int = 20) -> Enum:
    """A portable column type storing a StrEnum by its value (a VARCHAR with a CHECK)."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
        name=enum_cls.__name__.lower(),
    )


class ArrangementKind(StrEnum):
    """The kinds that ship (their packages register them); the ``kind`` column takes any registered kind."""

    ENGAGEMENT = "engagement"
    CLOUD_SERVICE = "cloud_service"
    SOCIAL_ACCOUNT = "social_account"

    @property
    def label(self) -> str:
        return kind_label(self.value)


class ArrangementState(LabelledEnum):
    """Life-cycle state shared by every arrangement; archiving is separate (``archived_at``)."""

    DRAFT = "draft", _l("下書き")
    ACTIVE = "active", _l("有効")
    SUSPENDED = "suspended", _l("停止中")
    ENDED = "ended", _l("終了")


class Arrangement(Audited, Model):
    """Common columns: who owns it, who answers for it, its state and next review."""

    __tablename__ = "arrangement"
    __table_args__ = (
        Index("ix_arrangement_title_id", "title", "id"),  # lists sorted by title
        # id → department from the index alone: visibility rules that admit "the own department"
        # (SNS drafts) probe it for a few hundred rows instead of hashing every arrangement.
        Index("ix_arrangement_id_department", "id", "department_id"),
        # one kind's list (600 cloud services among 20,000 arrangements) walked in title order
        Index("ix_arrangement_kind_title_id", "kind", "title", "id"),
        # The few archived ones: lists hide them as "id NOT IN (this index)", hashed once,
        # instead of reading each listed row's base row for its archived_at.
        Index(
            "ix_arrangement_archived_id",
            "id",
            postgresql_where=text("archived_at IS NOT NULL"),
            sqlite_where=text("archived_at IS NOT NULL"),
        ),
        # The live ones with their kind: a list joined to the arrangement for visibility probes
        # the index alone for each listed row (not the table for archived_at and kind).
        Index(
            "ix_arrangement_live_id_kind",
            "id",
            "kind",
            postgresql_where=text("archived_at IS NULL"),
            sqlite_where=text("archived_at IS NULL"),
        ),
        # One department's live arrangements with what visibility and the chart filter on, from
        # the index alone (the home page of an officer: not 365 heap pages for 500 rows).
        Index(
            "ix_arrangement_live_department",
            "department_id",
            "id",
            "kind",
            "state",
            postgresql_where=text("archived_at IS NULL"),
            sqlite_where=text("archived_at IS NULL"),
        ),
        # The live ones naming no responsible officer (the home page's "no officer" section: 2,600
        # of 20,000), by department, from the index alone.
        Index(
            "ix_arrangement_live_no_officer",
            "department_id",
            "id",
            "state",
            postgresql_where=text(NO_OFFICER_SQL),
            sqlite_where=text(NO_OFFICER_SQL),
        ),
    )
    __audit_label__ = "title"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    responsible_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), index=True
    )
    state: Mapped[ArrangementState] = mapped_column(
        str_enum(ArrangementState), default=ArrangementState.DRAFT
    )
    next_review_on: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department = relationship("Department", lazy="raise")
    responsible_officer = relationship("User", lazy="raise", foreign_keys=[responsible_officer_id])

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_abstract": True}

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    def __str__(self) -> str:
        return self.title


# Two-character title searches (「税務」) by index on PostgreSQL (see core.bigrams).
bigram_index("bigram_arrangement_title", Arrangement.__table__.c.title)
