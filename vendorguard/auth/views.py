"""Sign-in, sign-out, language and password pages."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from vendorguard.auth import services, signin
from vendorguard.auth.blueprint import bp
from vendorguard.auth.forms import LanguageForm, LoginForm, PasswordChangeForm
from vendorguard.auth.models import User
from vendorguard.auth.roles import Role
from vendorguard.core.errors import DomainError
from vendorguard.core.web import safe_next
from vendorguard.extensions import db


def _policy() -> services.ThrottlePolicy:
    config = current_app.config
    return services.ThrottlePolicy(
        config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        config["LOGIN_LOCKOUT_MINUTES"],
        int(config.get("LOGIN_FAILURE_RETENTION_DAYS", 30)),
    )


def _home_for(user: User) -> str:
    if user.role == Role.CONTRACTOR:
        return url_for("portal.index")
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                db.session,
                form.email.data,
                form.password.data,
                request.remote_addr or "",
                _policy(),
            )
        except DomainError as error:
            db.session.commit()  # the failure record must survive, or throttling never starts
            flash(error.message, "error")
        else:
            db.session.commit()
            # A fresh session (no fixation), after the second step when one is registered (mfa).
            return signin.after_password(user, form.next.data)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    """Sign out (POST only, so a link elsewhere cannot sign people out)."""
    services.record_logout(db.session, current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("ログアウトしました。"), "success")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language() -> ResponseReturnValue:
    """Switch the interface language, remembered on the account when signed in."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            services.set_locale(db.session, current_user, form.locale.data)
            db.session.commit()
    return redirect(safe_next(form.next.data, "auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    """Change one's own password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(db.session, current_user, form.current.data, form.new.data)
        except DomainError as error:
            getattr(form, error.field or "current").errors.append(error.message)
        else:
            db.session.commit()
            # The change ended every session of the user, this one too: carry this one on.
            login_user(current_user._get_current_object())
            flash(_("パスワードを変更しました。"), "success")
            return redirect(_home_for(current_user))
    return render_template("auth/password.html", form=form)
