"""Registers the SNS account kind of arrangement: drafts stay inside their department."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from vendorguard.arrangements.kinds import ArrangementKindSpec, register_kind
from vendorguard.arrangements.models import ArrangementKind
from vendorguard.auth.roles import Role
from vendorguard.social.models import SocialAccount
from vendorguard.social.queries import visible_to

KIND = register_kind(
    ArrangementKindSpec(
        value=ArrangementKind.SOCIAL_ACCOUNT.value,
        label=_l("SNSアカウント"),
        model=SocialAccount,
        detail_endpoint="social.detail",
        detail_arg="account_id",
        view_permission="social.view",
        manage_permission="social.manage",
        visibility=visible_to,
        # An account is run by its SNS owners as much as by the department's officers.
        reminded_roles=frozenset({Role.OFFICER, Role.SNS_OWNER}),
        order=30,
    )
)
