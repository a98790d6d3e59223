"""Registers the cloud service (外部サービス) kind of arrangement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from vendorguard.arrangements.kinds import ArrangementKindSpec, register_kind
from vendorguard.arrangements.models import ArrangementKind
from vendorguard.catalog.placeholders import cloud_values
from vendorguard.catalog.rule_facts import cloud_facts, set_choices
from vendorguard.cloud.models import CloudService, TermsType
from vendorguard.cloud.queries import service_for_catalog

KIND = register_kind(
    ArrangementKindSpec(
        value=ArrangementKind.CLOUD_SERVICE.value,
        label=_l("外部サービス"),
        model=CloudService,
        detail_endpoint="cloud.detail",
        detail_arg="service_id",
        view_permission="cloud.view",
        manage_permission="cloud.manage",
        rule_facts=cloud_facts,
        placeholder_values=cloud_values,
        catalog_query=service_for_catalog,
        order=20,
    )
)


set_choices("terms_type", lambda: {terms.value: terms.label for terms in TermsType})
