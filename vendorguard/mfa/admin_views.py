"""An administrator's reset of a user's second factor (a lost or replaced phone)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.auth.models import User
from vendorguard.auth.permissions import require
from vendorguard.auth.signin import require_recent_auth
from vendorguard.core.errors import DomainError
from vendorguard.extensions import db
from vendorguard.mfa import services
from vendorguard.mfa.blueprint import bp
from vendorguard.mfa.forms import ConfirmedActionForm


@bp.route("/users/<int:user_id>/reset", methods=["POST"])
@require("user.manage")
@require_recent_auth
def admin_reset(user_id: int) -> ResponseReturnValue:
    """Remove a user's authenticator and recovery codes and end their sessions (audited)."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = ConfirmedActionForm()
    if form.validate_on_submit():
        try:
            services.reset(db.session, user, current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                _("利用者「%(name)s」の二要素認証をリセットしました。", name=user.name), "success"
            )
    return redirect(url_for("org.user_detail", user_id=user.id))
