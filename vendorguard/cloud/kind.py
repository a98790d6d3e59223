"""Registers the cloud service (外部サービス) kind of arrangement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from vendorguard.arrangements.kinds import ArrangementKindSpec, register_kind
from vendorguard.arrangements.models import ArrangementKind
from vendorguard.cloud.models import CloudService

KIND = register_kind(
    ArrangementKindSpec(
        value=ArrangementKind.CLOUD_SERVICE.value,
        label=_l("外部サービス"),
        model=CloudService,
        detail_endpoint="cloud.detail",
        detail_arg="service_id",
        view_permission="cloud.view",
        manage_permission="cloud.manage",
        order=20,
    )
)
