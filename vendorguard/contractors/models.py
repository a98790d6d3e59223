"""Contractors (委託事業者) and their certifications."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.bigrams import bigram_index
from vendorguard.core.enums import LabelledEnum
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.extensions import Model


class CertificationKind(LabelledEnum):
    """Kinds of third-party assurance a contractor can hold."""

    ISMS = "isms", _l("ISMS（ISO/IEC 27001）")
    PRIVACY_MARK = "privacy_mark", _l("プライバシーマーク")
    ISMAP = "ismap", _l("ISMAP")
    SOC2 = "soc2", _l("SOC 2")
    OTHER = "other", _l("その他")


# How far ahead a certificate's end counts as "expiring soon" (renewal takes about three months).
EXPIRY_WARNING_DAYS = 90


class CertificationState(LabelledEnum):
    """Where a certificate stands on a given day."""

    VALID = "valid", _l("有効"), "badge-ok"
    EXPIRING = "expiring", _l("90日以内に期限"), "badge-warn"
    EXPIRED = "expired", _l("期限切れ"), "badge-danger"
    NOT_YET_VALID = "not_yet_valid", _l("有効期間前"), "badge-info"
    ARCHIVED = "archived", _l("アーカイブ済"), "badge-muted"


class Contractor(Audited, Model):
    """A company the city entrusts work or data to. Identified by its 法人番号."""

    __tablename__ = "contractor"
    __table_args__ = (
        Index("ix_contractor_kana_id", "name_kana", "id"),
    )  # the list's default order
    __audit_label__ = "name"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_kana: Mapped[str] = mapped_column(
        String(300), index=True
    )  # reading, katakana; the sort key
    corporate_number: Mapped[str | None] = mapped_column(String(13), unique=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    certifications: Mapped[list[Certification]] = relationship(
        back_populates="contractor",
        lazy="raise",
        order_by="Certification.valid_until",
        cascade="all, delete-orphan",
    )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def __str__(self) -> str:
        return self.name


# Two-character name searches by index on PostgreSQL (see core.bigrams).
bigram_index("bigram_contractor_name", Contractor.__table__.c.name)
bigram_index("bigram_contractor_name_kana", Contractor.__table__.c.name_kana)
# (searched with the name in the contractor list: one unindexed branch of an OR would make the
# planner read every contractor and compute their bigrams)
bigram_index("bigram_contractor_contact_name", Contractor.__table__.c.contact_name)


class Certification(Audited, Model):
    """A certificate a contractor holds (ISMS, Privacy Mark …) with its validity."""

    __tablename__ = "certification"
    __audit_label__ = "number"

    id: Mapped[int] = mapped_column(primary_key=True)
    contractor_id: Mapped[int] = mapped_column(ForeignKey("contractor.id"), index=True)
    kind: Mapped[CertificationKind] = mapped_column(str_enum(CertificationKind))
    kind_other: Mapped[str] = mapped_column(String(100), default="")  # name when kind is OTHER
    number: Mapped[str] = mapped_column(String(100), default="")
    issuer: Mapped[str] = mapped_column(String(200), default="")
    scope: Mapped[str] = mapped_column(String(300), default="")
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contractor: Mapped[Contractor] = relationship(back_populates="certifications", lazy="raise")

    @property
    def kind_label(self) -> str:
        return (
            self.kind_other
            if self.kind == CertificationKind.OTHER and self.kind_other
            else self.kind.label
        )

    def is_valid_on(self, day: date) -> bool:
        """Whether the certificate covers ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def state_on(self, day: date) -> CertificationState:
        """The certificate's state on ``day`` (archived wins over dates)."""
        if self.archived_at is not None:
            return CertificationState.ARCHIVED
        if self.valid_from is not None and day < self.valid_from:
            return CertificationState.NOT_YET_VALID
        if self.valid_until is None:
            return CertificationState.VALID
        if self.valid_until < day:
            return CertificationState.EXPIRED
        if self.valid_until <= day + timedelta(days=EXPIRY_WARNING_DAYS):
            return CertificationState.EXPIRING
        return CertificationState.VALID
