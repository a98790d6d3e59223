"""Finishing a sign-in, a second step a feature may put after the password, and re-authentication.

``after_password`` is what the login page calls once the password is right: a feature that adds
a second step (``mfa``) registers it with ``register_second_step``; without one the user is signed
in at once (``complete``). Every completed sign-in and re-authentication stamps the session with
the time (``mark_authenticated``); ``require_recent_auth`` sends a user whose last authentication
is older than ``REAUTH_MINUTES`` to the re-authentication page before a sensitive action.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_user

from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.core import settings
from vendorguard.core.web import safe_next

AUTH_AT = "_vg_auth_at"  # when the user last proved who they are (sign-in or re-authentication)
# Set by a single sign-on: the identity provider authenticated the user, with its own second
# factor (the city's IdP policy), so the app's TOTP enrolment is not asked for on top.
VIA_PROVIDER = "_vg_via_idp"
SECOND_STEP = "vendorguard.second_step"
# The page that re-authenticates (mfa asks for the code there too); named, not imported, so that
# packages below mfa (approvals, org, API tokens) can guard their actions.
REAUTH_ENDPOINT = "mfa.reauth"

# (user, where to go afterwards) → a response that starts the second step, or None: no second step.
SecondStep = Callable[[User, str], ResponseReturnValue | None]
_View = TypeVar("_View", bound=Callable[..., Any])


def register_second_step(app: Flask, step: SecondStep) -> None:
    """Put ``step`` between a correct password and the signed-in session of ``app``."""
    app.extensions[SECOND_STEP] = step


def after_password(user: User, next_url: str) -> ResponseReturnValue:
    """The password was right: start the registered second step, or sign the user in now."""
    step: SecondStep | None = current_app.extensions.get(SECOND_STEP)
    if step is not None:
        response = step(user, next_url)
        if response is not None:
            return response
    return complete(user, next_url)


def complete(user: User, next_url: str) -> ResponseReturnValue:
    """Sign the user in on a fresh session (no fixation) and go on to ``next_url``."""
    session.clear()
    login_user(user)
    session.permanent = True
    session["locale"] = user.locale
    mark_authenticated()
    refresh()  # the locale was chosen before sign-in; the flash speaks the user's language
    flash(_("ログインしました。"), "success")
    if user.role == Role.CONTRACTOR:
        return redirect(url_for("portal.index"))
    return redirect(safe_next(next_url))


def mark_authenticated() -> None:
    """Record that the user has just proved who they are (password, and code when enrolled)."""
    session[AUTH_AT] = int(time.time())


def auth_is_recent() -> bool:
    """Whether the session's last authentication is within ``REAUTH_MINUTES``."""
    at = session.get(AUTH_AT)
    limit = settings.current().reauth_minutes * 60
    return isinstance(at, int) and 0 <= time.time() - at <= limit


def _return_to() -> str:
    # A GET comes back to itself; a POST cannot be replayed, so back to the page it was sent from.
    if request.method == "GET":
        return request.full_path.rstrip("?")
    return safe_next(request.referrer and _path_of(request.referrer))


def _path_of(url: str) -> str:
    root = request.host_url
    return "/" + url[len(root) :] if url.startswith(root) else ""


def reauth_redirect() -> ResponseReturnValue:
    """Send the user to re-authenticate, then back to where they were."""
    if request.method != "GET":
        flash(_("本人確認のあと、もう一度操作してください。"), "info")
    return redirect(url_for(REAUTH_ENDPOINT, next=_return_to()))


def require_recent_auth(view: _View) -> _View:
    """Run the view only if the signed-in user authenticated within ``REAUTH_MINUTES``; otherwise
    ask for the password (and code) again first. Put it below ``@require``/``@login_required``."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated and not auth_is_recent():
            return reauth_redirect()
        return view(*args, **kwargs)

    vars(wrapped)["requires_recent_auth"] = True
    return cast(_View, wrapped)
