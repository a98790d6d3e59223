"""Computing tiers, what a tier change moves, overrides, and the cloud services an engagement uses.

``recompute`` is called from the session hook (``tiers.events``) whenever a commit changed an
engagement's inputs, after rule or policy edits, and by ``vg tiers-recompute``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from vendorguard.auth.models import User
from vendorguard.catalog import rules as catalog_rules
from vendorguard.cloud.models import CloudService
from vendorguard.core import concurrency
from vendorguard.core.dates import add_months
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.engagements.models import Engagement, RiskTier
from vendorguard.evidence import services as evidence_services
from vendorguard.evidence.models import EvidenceRequirement
from vendorguard.tiers import factors
from vendorguard.tiers.models import EngagementCloudService, EngagementTier, TierRule
from vendorguard.tiers.policy import policies

BATCH = 500
MAX_REASON = 2000

TierChangeHook = Callable[[Session, Engagement, date], None]
# Features above this layer that schedule by tier (questionnaires: self-checks) register here.
_HOOKS: list[TierChangeHook] = []


def on_tier_change(hook: TierChangeHook) -> TierChangeHook:
    """Register ``hook(session, engagement, today)``, called after a tier change (or a change
    of what a tier sets) has rescheduled evidence; hooks must be idempotent."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def run_hooks(session: Session, engagement: Engagement, today: date) -> None:
    """Let the registered features reschedule what the engagement's tier sets."""
    if engagement.archived_at is not None:
        return
    for hook in _HOOKS:
        hook(session, engagement, today)


@dataclass(frozen=True)
class Rule:
    """A rule as evaluated: a saved row, or a shipped default (``id`` None)."""

    id: int | None
    tier: RiskTier
    label: str
    condition: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What the rules decided for one engagement."""

    tier: RiskTier
    rule_id: int | None
    reasons: list[dict[str, str]]


def active_rules(session: Session) -> list[Rule]:
    """The rules in evaluation order: the saved ones, or the shipped defaults while none is saved."""
    rows = session.scalars(select(TierRule).order_by(TierRule.position, TierRule.id)).all()
    if rows:
        return [
            Rule(row.id, RiskTier(row.tier), row.label, row.condition) for row in rows if row.active
        ]
    return [
        Rule(None, d.tier, d.label, factors.condition(d.keys, d.match))
        for d in factors.DEFAULT_RULES
    ]


def decide(rules: Sequence[Rule], facts: dict[str, Any], level_labels: dict[str, str]) -> Outcome:
    """The first rule that holds gives the tier; the reasons are every factor that held in the
    rules that hold, those of the deciding tier first. No rule: the lowest tier, no reasons."""
    holding = [rule for rule in rules if catalog_rules.evaluate(rule.condition, facts)]
    if not holding:
        return Outcome(factors.LOWEST, None, [])
    first = holding[0]
    ordered = [r for r in holding if r.tier == first.tier] + [
        r for r in holding if r.tier != first.tier
    ]
    reasons: list[dict[str, str]] = []
    seen: set[str] = set()
    for rule in ordered:
        _match, tests = next(iter(rule.condition.items()))
        for test in tests:
            key = factors.key_for(test)
            if key is None or key in seen or not catalog_rules.evaluate(test, facts):
                continue
            seen.add(key)
            text = level_labels.get(key[len(factors.LEVEL_PREFIX) :], "")
            reasons.append({"key": key, "text": text if key.startswith("level:") else ""})
    return Outcome(first.tier, first.id, reasons)


def reason_label(reason: dict[str, str]) -> str:
    """A stored reason in the reader's language (a classification level keeps its own name)."""
    factor = factors.FACTORS.get(reason.get("key", ""))
    if factor is not None:
        return str(factor.label)
    return reason.get("text") or reason.get("key", "")


def summary(tier: RiskTier | str, reasons: list[dict[str, str]]) -> str:
    """「区分A：自治体機密性3A、マイナンバー利用事務系、再委託あり」"""
    label = RiskTier(tier).label
    if not reasons:
        return _("%(tier)s：該当する条件なし", tier=label)
    return _(
        "%(tier)s：%(reasons)s",
        tier=label,
        reasons=_("、").join(reason_label(r) for r in reasons),
    )


# -- recomputing ----------------------------------------------------------------------------------


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def recompute(session: Session, engagement_ids: Iterable[int], today: date) -> list[int]:
    """Compute the tier of these engagements; returns the ids whose effective tier changed."""
    ids = sorted(set(engagement_ids))
    rules = active_rules(session)
    changed: list[int] = []
    for chunk in _chunks(ids):
        engagements = session.scalars(
            select(Engagement)
            .where(Engagement.id.in_(chunk))
            .options(
                selectinload(Engagement.information_items),
                selectinload(Engagement.subcontractors),
            )
            # collections loaded earlier in the transaction may miss rows added by id since
            .execution_options(populate_existing=True)
        ).all()
        cloud = set(
            session.scalars(
                select(EngagementCloudService.engagement_id).where(
                    EngagementCloudService.engagement_id.in_(chunk)
                )
            )
        )
        rows = {
            row.engagement_id: row
            for row in session.scalars(
                select(EngagementTier).where(EngagementTier.engagement_id.in_(chunk))
            )
        }
        for engagement in engagements:
            labels = {
                f"{item.confidentiality_level.scheme.code}:{item.confidentiality_level.code}": (
                    item.confidentiality_level.label
                )
                for item in engagement.information_items
                if item.confidentiality_level is not None
            }
            outcome = decide(rules, factors.facts_of(engagement, engagement.id in cloud), labels)
            row = rows.get(engagement.id)
            if row is None:
                row = EngagementTier(engagement_id=engagement.id, computed_tier=outcome.tier)
                session.add(row)
            if (row.computed_tier, row.reasons, row.rule_id) != (
                outcome.tier,
                outcome.reasons,
                outcome.rule_id,
            ):
                row.computed_tier, row.reasons, row.rule_id = (
                    outcome.tier,
                    outcome.reasons,
                    outcome.rule_id,
                )
                row.computed_at = utcnow()
            if _set_effective(session, engagement, row.override_tier or outcome.tier, today):
                changed.append(engagement.id)
    session.flush()
    return changed


def _set_effective(session: Session, engagement: Engagement, tier: RiskTier, today: date) -> bool:
    """Make ``tier`` the engagement's tier and move what follows it; False when unchanged."""
    old = RiskTier(engagement.tier) if engagement.tier else None
    if old == tier:
        return False
    engagement.tier = tier
    session.flush()
    if old is not None:  # a first computation moves nothing: the schedule run aligns evidence
        _move_review(session, engagement, old, tier, today)
        reschedule(session, engagement, today)
        run_hooks(session, engagement, today)
    return True


def _move_review(
    session: Session, engagement: Engagement, old: RiskTier, new: RiskTier, today: date
) -> None:
    # The last review the old interval implies, plus the new interval; a review never falls
    # before today because the tier rose.
    if engagement.next_review_on is None:
        return
    values = policies(session)
    shift = values[new].review_interval_months - values[old].review_interval_months
    if shift:
        engagement.next_review_on = max(add_months(engagement.next_review_on, shift), today)


def reschedule(session: Session, engagement: Engagement, today: date) -> None:
    # Only engagements whose evidence is already set up: a tier does not start collecting.
    if engagement.archived_at is not None:
        return
    has_evidence = session.scalars(
        select(EvidenceRequirement.id)
        .where(
            EvidenceRequirement.arrangement_id == engagement.id,
            EvidenceRequirement.archived_at.is_(None),
        )
        .limit(1)
    ).first()
    if has_evidence is None:
        return
    evidence_services.rescale(session, engagement)
    try:
        evidence_services.generate_requests(session, engagement, today)
    except DomainError:
        # A period the schedule refuses (typing errors) is reported by ``vg evidence-schedule``.
        return


def recompute_all(session: Session, today: date) -> list[int]:
    """Recompute every engagement not archived (after the rules or policies changed)."""
    ids = list(session.scalars(select(Engagement.id).where(Engagement.archived_at.is_(None))))
    return recompute(session, ids, today)


def tier_row(session: Session, engagement: Engagement, today: date) -> EngagementTier:
    """The engagement's tier row, computed now when it has none yet."""
    row = session.get(EngagementTier, engagement.id)
    if row is None:
        recompute(session, [engagement.id], today)
        row = session.get_one(EngagementTier, engagement.id)
    return row


# -- override -------------------------------------------------------------------------------------


def set_override(
    session: Session,
    engagement: Engagement,
    tier: RiskTier | str | None,
    reason: str,
    user: User | None,
    today: date,
    version: int | str | None = None,
) -> EngagementTier:
    """Set (or with ``tier`` None, clear) a manual tier; a reason is required either way."""
    row = tier_row(session, engagement, today)
    concurrency.check_version(row, version)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("理由を入力してください。"), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(_("%(max)d文字以内で入力してください。", max=MAX_REASON), field="reason")
    if tier is None:
        if row.override_tier is None:
            raise DomainError(_("手動で設定された区分はありません。"))
        row.override_tier = None
    else:
        row.override_tier = RiskTier(tier)
    row.override_reason = reason
    row.overridden_by_id = user.id if user else None
    row.overridden_at = utcnow()
    concurrency.flush(session)
    _set_effective(session, engagement, row.effective_tier, today)
    session.flush()
    return row


# -- cloud services the work uses -----------------------------------------------------------------


def set_cloud_services(
    session: Session, engagement: Engagement, service_ids: Iterable[int], today: date
) -> None:
    """Record which registered cloud services the work runs on (cloud use)."""
    if engagement.archived_at is not None:
        raise DomainError(
            _("アーカイブ済みの業務委託は変更できません。変更する場合は先に元に戻してください。")
        )
    wanted = set(service_ids)
    known = set(session.scalars(select(CloudService.id).where(CloudService.id.in_(wanted or {0}))))
    if wanted - known:
        raise DomainError(_("クラウドサービスが見つかりません。"), field="cloud_service_ids")
    current = {
        link.cloud_service_id: link
        for link in session.scalars(
            select(EngagementCloudService).where(
                EngagementCloudService.engagement_id == engagement.id
            )
        )
    }
    for service_id in wanted - current.keys():
        session.add(
            EngagementCloudService(engagement_id=engagement.id, cloud_service_id=service_id)
        )
    for service_id in current.keys() - wanted:
        session.delete(current[service_id])
    session.flush()
    recompute(session, [engagement.id], today)
