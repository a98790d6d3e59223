"""Signing in with an OpenID provider: off to the provider, and back (public pages)."""

from __future__ import annotations

from flask import flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user
from werkzeug.local import LocalProxy

from vendorguard.auth import signin as auth_signin
from vendorguard.core import settings
from vendorguard.core.web import absolute_url, safe_next
from vendorguard.extensions import db
from vendorguard.sso import oidc, signin
from vendorguard.sso.blueprint import bp
from vendorguard.sso.services import client_for

PENDING = "_vg_sso"  # the request on its way to the provider: provider, state, nonce, PKCE verifier


@bp.app_context_processor
def _login_buttons() -> dict[str, object]:
    # Read only when a template prints the buttons (the sign-in page): no query elsewhere.
    return {"sso_providers": LocalProxy(lambda: signin.providers_for_login(db.session))}


def _callback_url() -> str:
    # The redirect URI registered at the provider: under BASE_URL, never the request's Host.
    return absolute_url("sso.callback")


def _refuse(provider_id: int | None, refusal: signin.SsoRefused) -> ResponseReturnValue:
    db.session.rollback()  # nothing of a refused sign-in is kept but its audit entry
    signin.record_refusal(db.session, provider_id, refusal, request.remote_addr or "")
    db.session.commit()
    flash(refusal.message, "error")
    return redirect(url_for("auth.login"))


@bp.route("/sso/<int:provider_id>/login")
def login(provider_id: int) -> ResponseReturnValue:
    """Send the browser to the provider with state, nonce and a PKCE challenge."""
    if (
        current_user.is_authenticated
    ):  # already signed in (whoever): the sign-in page sends them home
        return redirect(url_for("auth.login"))
    try:
        provider = signin.enabled_provider(db.session, provider_id)
        client = client_for(provider, settings.current().sso_http_timeout)
        url, pending = oidc.authorization_request(client, _callback_url())
    except signin.SsoRefused as refusal:
        return _refuse(provider_id, refusal)
    except oidc.OidcError as error:
        return _refuse(provider_id, signin.failed(error.reason))
    pending.update(provider_id=provider.id, next=request.args.get("next", ""))
    session[PENDING] = pending
    return redirect(url)


@bp.route("/sso/callback")
def callback() -> ResponseReturnValue:
    """Come back from the provider: check state, trade the code, check the id_token, sign in."""
    pending = session.pop(PENDING, None)
    provider_id = pending.get("provider_id") if isinstance(pending, dict) else None
    if not isinstance(provider_id, int):
        provider_id = None
    try:
        pending = oidc.check_state(pending, request.args.get("state", ""))
        if "error" in request.args:  # the person cancelled, or the provider refused
            raise oidc.OidcError(f"provider error {request.args.get('error', '')[:100]}")
        provider = signin.enabled_provider(db.session, int(pending["provider_id"]))
        client = client_for(provider, settings.current().sso_http_timeout)
        claims = oidc.exchange(client, pending, request.args.get("code", ""), _callback_url())
        user = signin.sign_in(db.session, provider, claims, request.remote_addr or "")
    except signin.SsoRefused as refusal:
        return _refuse(provider_id, refusal)
    except oidc.OidcError as error:
        return _refuse(provider_id, signin.failed(error.reason))
    db.session.commit()
    # The same session as a password sign-in: a fresh one (no fixation), stamped by
    # auth.sessions on login_user, carrying the user's session generation.
    session.clear()
    login_user(user)
    session.permanent = True
    session["locale"] = user.locale
    auth_signin.mark_authenticated()  # re-authentication is measured from here too
    session[auth_signin.VIA_PROVIDER] = provider.id  # the provider's MFA stands for ours
    flash(_("シングルサインオン（%(name)s）でログインしました。", name=provider.name), "success")
    return redirect(safe_next(pending.get("next")))
