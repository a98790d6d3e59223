"""Tier rules and policies as data, each engagement's computed tier, and the cloud services it uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorguard.arrangements.models import str_enum
from vendorguard.audit.mixins import Audited
from vendorguard.core.timeutil import utcnow
from vendorguard.core.types import UTCDateTime
from vendorguard.engagements.models import RiskTier
from vendorguard.evidence.models import Cadence
from vendorguard.extensions import Model


class TierRule(Audited, Model):
    """「この条件に該当すれば区分X」: evaluated by ``position``; the first that holds gives the tier.

    ``condition`` is a catalog rule (``catalog.rules``): ``{"all": [...]}`` or ``{"any": [...]}``
    over the tier facts (``tiers.factors``).
    """

    __tablename__ = "tier_rule"
    __audit_label__ = "label"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    tier: Mapped[RiskTier] = mapped_column(str_enum(RiskTier, length=1))
    label: Mapped[str] = mapped_column(String(200), default="")
    condition: Mapped[dict[str, Any]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[int] = mapped_column(server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}


class TierPolicy(Audited, Model):
    """What a tier sets: evidence cadence, review interval, self-check interval, inspections."""

    __tablename__ = "tier_policy"
    __audit_label__ = "tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    tier: Mapped[RiskTier] = mapped_column(str_enum(RiskTier, length=1), unique=True)
    evidence_cadence: Mapped[Cadence] = mapped_column(str_enum(Cadence))
    review_interval_months: Mapped[int] = mapped_column(Integer)
    self_check_interval_months: Mapped[int] = mapped_column(Integer)
    inspections_per_year: Mapped[int] = mapped_column(Integer)


class EngagementTier(Audited, Model):
    """An engagement's computed tier and why, and a manual override with its reason."""

    __tablename__ = "engagement_tier"
    __audit_label__ = "engagement_id"

    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), primary_key=True)
    computed_tier: Mapped[RiskTier] = mapped_column(str_enum(RiskTier, length=1))
    # what held: [{"key": factor key, "text": label kept as data (classification levels)}]
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("tier_rule.id"))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    override_tier: Mapped[RiskTier | None] = mapped_column(str_enum(RiskTier, length=1))
    override_reason: Mapped[str] = mapped_column(Text, default="")
    overridden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    overridden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[int] = mapped_column(server_default=text("1"))
    __mapper_args__ = {"version_id_col": version}

    overridden_by = relationship("User", lazy="raise")

    @property
    def effective_tier(self) -> RiskTier:
        """The override when there is one, else the computed tier."""
        return self.override_tier or self.computed_tier


class EngagementCloudService(Audited, Model):
    """A cloud service the engagement's work runs on (cloud use: a tier input and the concentration view)."""

    __tablename__ = "engagement_cloud_service"
    __table_args__ = (UniqueConstraint("engagement_id", "cloud_service_id"),)
    __audit_label__ = "cloud_service_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagement.id"), index=True)
    cloud_service_id: Mapped[int] = mapped_column(ForeignKey("cloud_service.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cloud_service = relationship("CloudService", lazy="raise")
