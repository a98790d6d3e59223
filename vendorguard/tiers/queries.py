"""Reads the tier pages share: the detail panel, the rule list, the concentration tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_login import AnonymousUserMixin
from sqlalchemy import Select, func, literal, or_, select, true
from sqlalchemy.orm import Session

from vendorguard.auth.permissions import can_change
from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.cloud.models import CloudService
from vendorguard.contractors.models import Contractor
from vendorguard.engagements.models import Engagement, RiskTier, Subcontractor
from vendorguard.ismap.models import IsmapRegistration
from vendorguard.tiers import factors
from vendorguard.tiers.factors import DEFAULT_POLICIES
from vendorguard.tiers.models import EngagementCloudService, EngagementTier, TierPolicy
from vendorguard.tiers.policy import values_of
from vendorguard.tiers.services import reason_label, summary


def level_choices(session: Session) -> list[tuple[str, str]]:
    """Confidentiality levels of every scheme as factor keys, the active scheme first."""
    rows = (
        session.execute(
            select(
                ClassificationScheme.code,
                ClassificationScheme.name,
                ClassificationScheme.active,
                ClassificationLevel.code,
                ClassificationLevel.label,
            )
            .join(ClassificationLevel, ClassificationLevel.scheme_id == ClassificationScheme.id)
            .where(ClassificationLevel.axis == Axis.CONFIDENTIALITY)
            .order_by(
                ClassificationScheme.active.desc(),
                ClassificationScheme.id,
                ClassificationLevel.rank.desc(),
            )
        )
        .tuples()
        .all()
    )
    return [
        (factors.level_key(scheme, code), f"{label}（{name}）")
        for scheme, name, _a, code, label in rows
    ]


def panel_context(session: Session, arrangement: Any, user: Any, today: date) -> dict[str, Any]:
    """The tier panel of an engagement page (other kinds show nothing)."""
    if not isinstance(arrangement, Engagement):
        return {"tier_panel": None}
    # The panel in one statement: the tier row and the saved policy of the engagement's tier (None
    # for what is missing: no tier computed yet, the shipped defaults in force), repeated on each
    # row of the cloud services it names (one row without any).
    engagement = Engagement.__table__
    linked = linked_cloud_services(arrangement.id).subquery()
    rows = session.execute(
        select(EngagementTier, TierPolicy, linked.c.id, linked.c.title, linked.c.ismap)
        .select_from(engagement)
        .outerjoin(EngagementTier, EngagementTier.engagement_id == engagement.c.id)
        .outerjoin(TierPolicy, TierPolicy.tier == engagement.c.tier)
        .outerjoin(linked, true())
        .where(engagement.c.id == arrangement.id)
        .order_by(linked.c.title, linked.c.id)
    ).all()
    row, saved = rows[0][0], rows[0][1]
    services = [(id_, title, ismap) for _r, _s, id_, title, ismap in rows if id_ is not None]
    policy = None
    if arrangement.tier:
        policy = (
            values_of(saved) if saved is not None else DEFAULT_POLICIES[RiskTier(arrangement.tier)]
        )
    may_manage = not isinstance(user, AnonymousUserMixin) and can_change(
        user, "engagement.manage", arrangement.department_id
    )
    may_manage = may_manage and arrangement.archived_at is None
    return {
        "tier_panel": {
            "engagement": arrangement,
            "row": row,
            "summary": summary(row.effective_tier, row.reasons) if row else "",
            "reasons": [reason_label(r) for r in row.reasons] if row else [],
            "policy": policy,
            "cloud_services": services,
            "may_manage": may_manage,
            "may_override": not isinstance(user, AnonymousUserMixin) and user.can("catalog.manage"),
            "tiers": list(RiskTier),
        }
    }


def linked_cloud_services(engagement_id: int) -> Select:
    """(id, title, ISMAP number) of the cloud services an engagement names, by title."""
    return (
        select(
            CloudService.id,
            CloudService.title,
            CloudService.ismap_registration_number.label("ismap"),
        )
        .join(EngagementCloudService, EngagementCloudService.cloud_service_id == CloudService.id)
        .where(EngagementCloudService.engagement_id == engagement_id)
        .order_by(CloudService.title, CloudService.id)
    )


def cloud_choices(session: Session, engagement: Engagement) -> list[tuple[int, str]]:
    """Cloud services an engagement may name: those in use and the linked ones (even archived)."""
    linked = select(EngagementCloudService.cloud_service_id).where(
        EngagementCloudService.engagement_id == engagement.id
    )
    rows = (
        session.execute(
            select(CloudService.id, CloudService.title)
            .where(or_(CloudService.archived_at.is_(None), CloudService.id.in_(linked)))
            .order_by(CloudService.title, CloudService.id)
        )
        .tuples()
        .all()
    )
    return list(rows)


# -- concentration of tier-A work -------------------------------------------------------------------


@dataclass(frozen=True)
class ConcentrationFilters:
    """Narrow the view to engagements running in a fiscal year and/or of one department."""

    fiscal_year: int | None = None
    department_id: int | None = None
    tier: RiskTier = RiskTier.A


def _tier_a(filters: ConcentrationFilters) -> Select:
    """Ids of the engagements counted: the tier, not archived, in the period and department."""
    stmt = select(Engagement.id).where(
        Engagement.tier == filters.tier, Engagement.archived_at.is_(None)
    )
    if filters.fiscal_year is not None:
        first, last = date(filters.fiscal_year, 4, 1), date(filters.fiscal_year + 1, 3, 31)
        stmt = stmt.where(Engagement.starts_on <= last, Engagement.ends_on >= first)
    if filters.department_id is not None:
        stmt = stmt.where(Engagement.department_id == filters.department_id)
    return stmt


@dataclass(frozen=True)
class Row:
    """One line of a concentration table."""

    label: str
    count: int
    detail: str = ""
    link_id: int | None = None


LIMIT = 20


def concentration(session: Session, filters: ConcentrationFilters) -> dict[str, Any]:
    """Which contractors, cloud providers and ISMAP services carry the most work of the tier.

    Five grouped queries whatever the number of engagements."""
    counted = _tier_a(filters).subquery()
    total = session.execute(select(func.count()).select_from(counted)).scalar_one()
    prime = (
        session.execute(
            select(Contractor.id, Contractor.name, func.count(Engagement.id).label("n"))
            .join(Engagement, Engagement.contractor_id == Contractor.id)
            .where(Engagement.id.in_(select(counted.c.id)))
            .group_by(Contractor.id, Contractor.name)
            .order_by(func.count(Engagement.id).desc(), Contractor.name)
            .limit(LIMIT)
        )
        .tuples()
        .all()
    )
    sub_name = func.coalesce(Contractor.name, Subcontractor.name)
    subs = (
        session.execute(
            select(
                Subcontractor.contractor_id,
                sub_name.label("name"),
                func.count(func.distinct(Subcontractor.engagement_id)).label("n"),
            )
            .outerjoin(Contractor, Contractor.id == Subcontractor.contractor_id)
            .where(
                Subcontractor.engagement_id.in_(select(counted.c.id)),
                Subcontractor.archived_at.is_(None),
            )
            .group_by(Subcontractor.contractor_id, sub_name)
            .order_by(func.count(func.distinct(Subcontractor.engagement_id)).desc(), sub_name)
            .limit(LIMIT)
        )
        .tuples()
        .all()
    )
    provider = func.coalesce(
        Contractor.name, func.nullif(CloudService.provider_name, ""), literal("?")
    )
    providers = (
        session.execute(
            select(
                provider.label("provider"),
                func.count(func.distinct(EngagementCloudService.engagement_id)),
            )
            .select_from(EngagementCloudService)
            .join(CloudService, CloudService.id == EngagementCloudService.cloud_service_id)
            .outerjoin(Contractor, Contractor.id == CloudService.provider_contractor_id)
            .where(EngagementCloudService.engagement_id.in_(select(counted.c.id)))
            .group_by(provider)
            .order_by(
                func.count(func.distinct(EngagementCloudService.engagement_id)).desc(), provider
            )
            .limit(LIMIT)
        )
        .tuples()
        .all()
    )
    ismap = (
        session.execute(
            select(
                CloudService.ismap_registration_number,
                func.min(IsmapRegistration.service_name),
                func.min(CloudService.title),
                func.count(func.distinct(EngagementCloudService.engagement_id)),
            )
            .select_from(EngagementCloudService)
            .join(CloudService, CloudService.id == EngagementCloudService.cloud_service_id)
            .outerjoin(
                IsmapRegistration,
                IsmapRegistration.registration_number == CloudService.ismap_registration_number,
            )
            .where(
                EngagementCloudService.engagement_id.in_(select(counted.c.id)),
                CloudService.ismap_registration_number.is_not(None),
                CloudService.ismap_registration_number != "",
            )
            .group_by(CloudService.ismap_registration_number)
            .order_by(
                func.count(func.distinct(EngagementCloudService.engagement_id)).desc(),
                CloudService.ismap_registration_number,
            )
            .limit(LIMIT)
        )
        .tuples()
        .all()
    )
    return {
        "total": total,
        "contractors": [Row(name, n, link_id=cid) for cid, name, n in prime],
        "subcontractors": [Row(name, n, link_id=cid) for cid, name, n in subs],
        "providers": [Row(name, n) for name, n in providers],
        "ismap": [
            Row(registered or title, n, detail=number or "")
            for number, registered, title, n in ismap
        ],
    }
