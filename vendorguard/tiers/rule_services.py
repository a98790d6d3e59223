"""Editing the tier rules and the tier policy; every edit recomputes what it affects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.core import concurrency
from vendorguard.core.errors import DomainError
from vendorguard.engagements.models import Engagement, RiskTier
from vendorguard.evidence.models import Cadence
from vendorguard.tiers import factors
from vendorguard.tiers.factors import PolicyValues
from vendorguard.tiers.models import TierPolicy, TierRule
from vendorguard.tiers.policy import policies
from vendorguard.tiers.services import recompute_all, reschedule, run_hooks

MAX_FACTORS = 40


@dataclass
class RuleData:
    """What the rule form sends."""

    tier: str
    match: str
    factors: list[str] = field(default_factory=list)
    label: str = ""
    position: int | None = None
    active: bool = True


def adopt_defaults(session: Session) -> list[TierRule]:
    """Save the shipped rules as rows (once) so they can be edited; nothing changes in effect."""
    rows = session.scalars(select(TierRule).order_by(TierRule.position, TierRule.id)).all()
    if rows:
        return list(rows)
    rows = [
        TierRule(
            position=(index + 1) * 10,
            tier=default.tier,
            label=default.label,
            condition=factors.condition(default.keys, default.match),
        )
        for index, default in enumerate(factors.DEFAULT_RULES)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def _known_levels(session: Session, keys: list[str]) -> set[str]:
    wanted = [
        key[len(factors.LEVEL_PREFIX) :] for key in keys if key.startswith(factors.LEVEL_PREFIX)
    ]
    if not wanted:
        return set()
    rows = session.execute(
        select(ClassificationScheme.code, ClassificationLevel.code)
        .join(ClassificationLevel, ClassificationLevel.scheme_id == ClassificationScheme.id)
        .where(ClassificationLevel.axis == Axis.CONFIDENTIALITY)
    ).tuples()
    return {factors.level_key(scheme, code) for scheme, code in rows}


def _validate(session: Session, data: RuleData) -> list[str]:
    try:
        RiskTier(data.tier)
    except ValueError:
        raise DomainError(_("区分を選んでください。"), field="tier") from None
    if data.match not in ("all", "any"):
        raise DomainError(_("条件の組合せを選んでください。"), field="match")
    keys = list(dict.fromkeys(data.factors))
    if not keys:
        raise DomainError(_("条件を1つ以上選んでください。"), field="factors")
    if len(keys) > MAX_FACTORS:
        raise DomainError(_("条件が多すぎます。"), field="factors")
    levels = _known_levels(session, keys)
    unknown = [k for k in keys if k not in factors.FACTORS and k not in levels]
    if unknown:
        raise DomainError(
            _("使えない条件があります：%(keys)s", keys="、".join(unknown)), field="factors"
        )
    return keys


def save_rule(
    session: Session, rule: TierRule | None, data: RuleData, today: date, version: int | None = None
) -> TierRule:
    """Add a rule (``rule`` None) or change one, then recompute every engagement."""
    keys = _validate(session, data)
    adopt_defaults(session)
    if rule is None:
        last = session.execute(select(func.max(TierRule.position))).scalar_one()
        rule = TierRule(position=(last or 0) + 10)
        session.add(rule)
    else:
        concurrency.check_version(rule, version)
    rule.tier = RiskTier(data.tier)
    rule.label = " ".join((data.label or "").split())
    rule.condition = factors.condition(keys, data.match)
    if data.position is not None:
        rule.position = data.position
    rule.active = bool(data.active)
    concurrency.flush(session)
    recompute_all(session, today)
    return rule


def save_policies(session: Session, values: list[PolicyValues], today: date) -> None:
    """Save what each tier sets; engagements whose evidence cadence or self-check interval
    changed are rescheduled."""
    before = policies(session)
    rows = {RiskTier(row.tier): row for row in session.scalars(select(TierPolicy))}
    rescaled: list[RiskTier] = []
    self_checks: list[RiskTier] = []
    for value in values:
        tier = RiskTier(value.tier)
        row = rows.get(tier) or TierPolicy(tier=tier)
        session.add(row)
        row.evidence_cadence = Cadence(value.evidence_cadence)
        row.review_interval_months = value.review_interval_months
        row.self_check_interval_months = value.self_check_interval_months
        row.inspections_per_year = value.inspections_per_year
        if before[tier].evidence_cadence != row.evidence_cadence:
            rescaled.append(tier)
        if before[tier].self_check_interval_months != row.self_check_interval_months:
            self_checks.append(tier)
    session.flush()
    if rescaled or self_checks:
        for engagement in session.scalars(
            select(Engagement).where(
                Engagement.tier.in_(rescaled + self_checks), Engagement.archived_at.is_(None)
            )
        ).all():
            if engagement.tier in rescaled:
                reschedule(session, engagement, today)
            if engagement.tier in self_checks:
                run_hooks(session, engagement, today)
