"""What a tier sets, read by other features: evidence cadence, review, self-check, inspections.

The security office edits the values (``TierPolicy`` rows); until it saves them the shipped
defaults (``factors.DEFAULT_POLICIES``) apply. Questionnaire and inspection features read
``self_check_interval_months`` and ``inspections_per_year``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.engagements.models import Engagement, RiskTier
from vendorguard.evidence.models import Cadence
from vendorguard.tiers.factors import DEFAULT_POLICIES, PolicyValues
from vendorguard.tiers.models import TierPolicy


def policies(session: Session) -> dict[RiskTier, PolicyValues]:
    """Every tier's values: the saved ones, the shipped defaults for the rest."""
    result = dict(DEFAULT_POLICIES)
    for row in session.scalars(select(TierPolicy)):
        result[RiskTier(row.tier)] = values_of(row)
    return result


def values_of(row: TierPolicy) -> PolicyValues:
    """A saved policy row as the values other features read."""
    return PolicyValues(
        RiskTier(row.tier),
        Cadence(row.evidence_cadence),
        row.review_interval_months,
        row.self_check_interval_months,
        row.inspections_per_year,
    )


def policy_for(session: Session, tier: RiskTier | str) -> PolicyValues:
    """One tier's values."""
    return policies(session)[RiskTier(tier)]


def self_check_interval_months(session: Session, tier: RiskTier | str) -> int:
    """How often (months) the contractor answers the self-check questionnaire at this tier."""
    return policy_for(session, tier).self_check_interval_months


def inspections_per_year(session: Session, tier: RiskTier | str) -> int:
    """How many inspections (実地検査等) per fiscal year this tier asks for."""
    return policy_for(session, tier).inspections_per_year


def review_interval_months(session: Session, arrangement: Arrangement) -> int | None:
    """Months between reviews (確認) for an arrangement with a tier; None for one without."""
    tier = getattr(arrangement, "tier", None) if isinstance(arrangement, Engagement) else None
    return policy_for(session, tier).review_interval_months if tier else None


def evidence_cadence(session: Session, arrangement: Arrangement) -> Cadence | None:
    """How often risk-scaled evidence is due (``evidence.standard``'s cadence policy)."""
    tier = getattr(arrangement, "tier", None) if isinstance(arrangement, Engagement) else None
    return policy_for(session, tier).evidence_cadence if tier else None
