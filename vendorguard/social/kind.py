"""Registers the SNS account kind of arrangement: drafts stay inside their department."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from vendorguard.arrangements.kinds import ArrangementKindSpec, register_kind
from vendorguard.arrangements.models import ArrangementKind
from vendorguard.auth.roles import Role
from vendorguard.catalog.placeholders import social_values
from vendorguard.catalog.rule_facts import set_choices, social_facts
from vendorguard.social.models import Platform, SocialAccount
from vendorguard.social.queries import account_for_catalog, visible_to

KIND = register_kind(
    ArrangementKindSpec(
        value=ArrangementKind.SOCIAL_ACCOUNT.value,
        label=_l("SNSアカウント"),
        model=SocialAccount,
        detail_endpoint="social.detail",
        detail_arg="account_id",
        view_permission="social.view",
        manage_permission="social.manage",
        rule_facts=social_facts,
        placeholder_values=social_values,
        catalog_query=account_for_catalog,
        visibility=visible_to,
        # An account is run by its SNS owners as much as by the department's officers.
        reminded_roles=frozenset({Role.OFFICER, Role.SNS_OWNER}),
        order=30,
    )
)


set_choices("platform", lambda: {platform.value: platform.label for platform in Platform})
