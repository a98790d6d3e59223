"""Enforcement by role, and what the views hand the services from the settings.

``enforce`` runs before every request (views.py registers it): a signed-in user whose role must
use a second factor (``MFA_REQUIRED_ROLES``) and who has none reaches nothing but enrolment,
sign-out and the language switch.
"""

from __future__ import annotations

from flask import flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.auth.services import ThrottlePolicy
from vendorguard.auth.signin import VIA_PROVIDER
from vendorguard.core import settings
from vendorguard.extensions import db
from vendorguard.mfa import queries, services

PENDING = "_vg_mfa_pending"  # between a correct password and the second step
VERIFIED = "_vg_mfa_ok"  # this session's user has a confirmed second factor
# What a user who must enrol may still reach (re-authentication belongs to enrolling).
OPEN = frozenset(
    {
        "static",
        "mfa.enrol",
        "mfa.enrol_start",
        "mfa.reauth",
        "mfa.verify",
        "auth.login",
        "auth.logout",
        "auth.language",
    }
)


def policy() -> ThrottlePolicy:
    """The sign-in throttle, applied to the second step and re-authentication too."""
    current = settings.current()
    return ThrottlePolicy(
        current.login_max_failures_per_account,
        current.login_max_failures_per_address,
        current.login_lockout_minutes,
        current.login_failure_retention_days,
    )


def secret_key() -> str:
    """What the key of the stored TOTP secrets is derived from."""
    return settings.current().secret_key


def must_enrol(user: User) -> bool:
    """Whether ``user``'s role has to use a second factor (``MFA_REQUIRED_ROLES``)."""
    return Role(user.role) in services.required_roles(settings.current().mfa_required_roles)


def enforce() -> ResponseReturnValue | None:
    """Before every request: send a user who must enrol and has not to the enrolment page."""
    if request.endpoint in OPEN or not current_user.is_authenticated:
        return None
    if session.get(VERIFIED) or session.get(VIA_PROVIDER) or not must_enrol(current_user):
        return None
    if queries.is_enrolled(db.session, current_user.id):  # e.g. signed in another way
        session[VERIFIED] = True
        return None
    flash(_("この役割では二要素認証が必須です。先に登録を済ませてください。"), "info")
    return redirect(url_for("mfa.enrol"))
