"""The concentration view: where tier-A work piles up (single points of failure)."""

from __future__ import annotations

from flask import render_template, request

from vendorguard.auth.permissions import require
from vendorguard.engagements.models import RiskTier
from vendorguard.extensions import db
from vendorguard.org import queries as org_queries
from vendorguard.tiers import chart, queries
from vendorguard.tiers.blueprint import bp


def _int_arg(name: str, low: int, high: int) -> int | None:
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None


@bp.route("/concentration")
@require("engagement.view")
def concentration():
    """Contractors, cloud providers and ISMAP services ranked by the tier-A work they carry."""
    try:
        tier = RiskTier(request.args.get("tier", "A"))
    except ValueError:
        tier = RiskTier.A
    filters = queries.ConcentrationFilters(
        fiscal_year=_int_arg("fy", 1900, 2200),
        department_id=_int_arg("department", 1, 2**31 - 1),
        tier=tier,
    )
    data = queries.concentration(db.session, filters)
    charts = {
        key: chart.bars([(row.label, row.count) for row in data[key]])
        for key in ("contractors", "subcontractors", "providers", "ismap")
    }
    return render_template(
        "tiers/concentration.html",
        data=data,
        charts=charts,
        filters=filters,
        tiers=list(RiskTier),
        departments=db.session.scalars(org_queries.active_departments()).all(),
    )
