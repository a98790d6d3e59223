"""The second sign-in step, enrolment and recovery codes of one's own second factor."""

from __future__ import annotations

import time
from typing import cast

from flask import Flask, flash, redirect, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from vendorguard.auth import signin
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.core import settings
from vendorguard.core.errors import DomainError
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db
from vendorguard.mfa import crypto, gate, queries, services
from vendorguard.mfa.blueprint import bp
from vendorguard.mfa.forms import ConfirmedActionForm, ConfirmForm, VerifyForm
from vendorguard.mfa.gate import PENDING, VERIFIED, must_enrol, policy, secret_key

PENDING_SECONDS = 300  # the second step must follow the password within five minutes


def _second_step(user: User, next_url: str) -> ResponseReturnValue | None:
    """After a correct password: an enrolled user still has to give a code."""
    if not queries.is_enrolled(db.session, user.id):
        return None  # the gate sends users who must enrol to enrolment once signed in
    session.clear()  # nothing of the anonymous session carries over
    session[PENDING] = {
        "user": user.id,
        "generation": user.session_generation or 0,
        "at": int(time.time()),
        "next": next_url or "",
    }
    return redirect(url_for("mfa.verify"))


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    # A typo in MFA_REQUIRED_ROLES stops the start rather than silently enforcing nothing.
    app = cast(Flask, state.app)  # a Flask app here; the setup state types it as sansio's App
    services.required_roles(settings.for_app(app).mfa_required_roles)
    signin.register_second_step(app, _second_step)


bp.before_app_request(gate.enforce)


def _pending_user() -> tuple[User, str] | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    if not 0 <= time.time() - int(pending.get("at", 0)) <= PENDING_SECONDS:
        return None
    user = db.session.get(User, int(pending.get("user", 0)))
    if user is None or not user.is_active:
        return None
    if (user.session_generation or 0) != pending.get("generation"):
        return None  # signed out everywhere, password changed … since the password step
    return user, str(pending.get("next", ""))


@bp.route("/verify", methods=["GET", "POST"])
def verify() -> ResponseReturnValue:
    """The second sign-in step: a code from the authenticator app or a recovery code."""
    if current_user.is_authenticated:
        home = "portal.index" if current_user.role == Role.CONTRACTOR else "dashboard.index"
        return redirect(url_for(home))
    found = _pending_user()
    if found is None:
        session.pop(PENDING, None)
        flash(_("確認の期限が切れました。もう一度ログインしてください。"), "error")
        return redirect(url_for("auth.login"))
    user, next_url = found
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            services.verify_second_step(
                db.session, user, form.code.data, request.remote_addr or "", policy(), secret_key()
            )
        except DomainError as error:
            db.session.commit()  # the failure must survive, or throttling never starts
            show_domain_error(form, error)
        else:
            db.session.commit()
            response = signin.complete(user, next_url)
            session[VERIFIED] = True
            return response
    return render_template("mfa/verify.html", form=form)


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """One's own second factor: status, recovery codes, disabling."""
    return render_template(
        "mfa/index.html",
        status=queries.status(db.session, current_user.id),
        required=must_enrol(current_user),
        form=ConfirmedActionForm(),
    )


@bp.route("/enrol/start", methods=["POST"])
@login_required
@signin.require_recent_auth
def enrol_start() -> ResponseReturnValue:
    """Make a new secret for the user to add to their authenticator app."""
    form = ConfirmedActionForm()
    if form.validate_on_submit():
        try:
            services.start_enrolment(db.session, current_user, secret_key())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("mfa.index"))
        db.session.commit()
    return redirect(url_for("mfa.enrol"))


@bp.route("/enrol", methods=["GET", "POST"])
@login_required
def enrol() -> ResponseReturnValue:
    """Show the QR code and the secret, and confirm with a first code; then the recovery codes."""
    found = queries.credential(db.session, current_user.id)
    if found is not None and found.confirmed_at is not None:
        flash(_("二要素認証はすでに登録されています。"), "info")
        return redirect(url_for("mfa.index"))
    form = ConfirmForm()
    if found is not None and form.validate_on_submit():
        try:
            codes = services.confirm_enrolment(
                db.session, current_user, form.code.data, secret_key()
            )
        except DomainError as error:
            db.session.commit()  # the failed attempt stays in the audit trail
            show_domain_error(form, error)
        else:
            db.session.commit()
            session[VERIFIED] = True
            flash(_("二要素認証を登録しました。"), "success")
            return render_template("mfa/recovery_codes.html", codes=codes)
    secret = uri = None
    if found is not None:
        try:
            secret = crypto.decrypt(found.secret_encrypted, secret_key())
        except crypto.SecretUnreadable:  # SECRET_KEY changed since: start again
            secret = None
        else:
            uri = crypto.provisioning_uri(secret, current_user.email, settings.current().mfa_issuer)
    return render_template(
        "mfa/enrol.html",
        form=form,
        start_form=ConfirmedActionForm(),
        secret=secret,
        qr=crypto.qr_svg(uri) if uri else None,
        required=must_enrol(current_user),
    )


@bp.route("/recovery-codes", methods=["POST"])
@login_required
@signin.require_recent_auth
def recovery_codes() -> ResponseReturnValue:
    """Replace the recovery codes with new ones, shown once."""
    form = ConfirmedActionForm()
    if form.validate_on_submit():
        try:
            codes = services.regenerate_recovery_codes(db.session, current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("回復コードを再発行しました。以前の回復コードは使えません。"), "success")
            return render_template("mfa/recovery_codes.html", codes=codes)
    return redirect(url_for("mfa.index"))


@bp.route("/disable", methods=["POST"])
@login_required
@signin.require_recent_auth
def disable() -> ResponseReturnValue:
    """Turn one's own second factor off (the gate asks to enrol again when the role needs it)."""
    form = ConfirmedActionForm()
    if form.validate_on_submit():
        try:
            services.disable(db.session, current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            session.pop(VERIFIED, None)
            flash(_("二要素認証を無効にしました。"), "success")
    return redirect(url_for("mfa.index"))
