"""Information classification schemes (重要性分類) kept as data, since guideline editions differ."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.extensions import Model


class Axis(StrEnum):
    """The three properties of information security."""

    CONFIDENTIALITY = "confidentiality"
    INTEGRITY = "integrity"
    AVAILABILITY = "availability"

    @property
    def label(self) -> str:
        return str(
            {
                self.CONFIDENTIALITY: _l("機密性"),
                self.INTEGRITY: _l("完全性"),
                self.AVAILABILITY: _l("可用性"),
            }[self]
        )


class ClassificationScheme(Audited, Model):
    """One edition's scheme. Exactly one is active; "機密性2以上" is judged against it."""

    __tablename__ = "classification_scheme"
    __audit_label__ = "name"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=False)
    # Confidentiality levels whose rank reaches this count as "機密性2以上".
    high_confidentiality_rank: Mapped[int] = mapped_column(default=2)

    levels: Mapped[list[ClassificationLevel]] = relationship(
        back_populates="scheme",
        lazy="selectin",
        order_by="(ClassificationLevel.axis, ClassificationLevel.rank.desc())",
        cascade="all, delete-orphan",
    )

    def levels_for(self, axis: Axis) -> list[ClassificationLevel]:
        """This scheme's levels on one axis, highest first."""
        return [level for level in self.levels if level.axis == axis]


class ClassificationLevel(Audited, Model):
    """A level on one axis, ranked so that comparisons never depend on its label."""

    __tablename__ = "classification_level"
    __table_args__ = (UniqueConstraint("scheme_id", "axis", "code"),)
    __audit_label__ = "label"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("classification_scheme.id"), index=True)
    axis: Mapped[Axis] = mapped_column(str_enum(Axis))
    code: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(50))
    rank: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")

    scheme: Mapped[ClassificationScheme] = relationship(back_populates="levels", lazy="joined")

    @property
    def is_high_confidentiality(self) -> bool:
        """True for a confidentiality level of 2 or above in its scheme (機密性2以上)."""
        return (
            self.axis == Axis.CONFIDENTIALITY and self.rank >= self.scheme.high_confidentiality_rank
        )

    def __str__(self) -> str:
        return self.label
