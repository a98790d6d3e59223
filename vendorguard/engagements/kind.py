"""Registers the engagement (業務委託) kind of arrangement and the engagements panel of contractor pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from vendorguard.arrangements.kinds import ArrangementKindSpec, register_kind
from vendorguard.arrangements.models import ArrangementKind
from vendorguard.catalog.placeholders import engagement_values
from vendorguard.catalog.rule_facts import engagement_facts, set_choices
from vendorguard.contractors.panels import ContractorPanel, register_contractor_panel
from vendorguard.engagements import queries
from vendorguard.engagements.models import Engagement, NetworkSegment, ReportingCycle

KIND = register_kind(
    ArrangementKindSpec(
        value=ArrangementKind.ENGAGEMENT.value,
        label=_l("業務委託"),
        model=Engagement,
        detail_endpoint="engagements.detail",
        detail_arg="engagement_id",
        view_permission="engagement.view",
        manage_permission="engagement.manage",
        rule_facts=engagement_facts,
        placeholder_values=engagement_values,
        catalog_query=queries.engagement_for_catalog,
        order=10,
    )
)


def _contractor_context(session, contractor):
    return {
        "engagements": session.scalars(queries.engagements_of_contractor(contractor.id))
        .unique()
        .all(),
        "subcontracted": session.scalars(
            queries.subcontracted_engagements_of_contractor(contractor.id)
        )
        .unique()
        .all(),
    }


CONTRACTOR_PANEL = register_contractor_panel(
    ContractorPanel("engagements", "engagements/_contractor_panel.html", _contractor_context)
)


set_choices("segments", lambda: {segment.value: segment.label for segment in NetworkSegment})
set_choices("reporting_cycle", lambda: {cycle.value: cycle.label for cycle in ReportingCycle})
