"""Registers the engagement (業務委託) kind of arrangement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from vendorguard.arrangements.kinds import ArrangementKindSpec, register_kind
from vendorguard.arrangements.models import ArrangementKind
from vendorguard.engagements.models import Engagement

KIND = register_kind(
    ArrangementKindSpec(
        value=ArrangementKind.ENGAGEMENT.value,
        label=_l("業務委託"),
        model=Engagement,
        detail_endpoint="engagements.detail",
        detail_arg="engagement_id",
        view_permission="engagement.view",
        manage_permission="engagement.manage",
        order=10,
    )
)
