"""Re-authentication before a sensitive action (``auth.signin.require_recent_auth`` sends users here)."""

from __future__ import annotations

from flask import redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from vendorguard.auth import signin
from vendorguard.core.errors import DomainError
from vendorguard.core.web import safe_next, show_domain_error
from vendorguard.extensions import db
from vendorguard.mfa import queries, services
from vendorguard.mfa.blueprint import bp
from vendorguard.mfa.forms import ReauthForm
from vendorguard.mfa.gate import policy, secret_key


@bp.route("/reauth", methods=["GET", "POST"])
@login_required
def reauth() -> ResponseReturnValue:
    """Ask for the password (and a code when enrolled) again, then go back to the action."""
    form = ReauthForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    has_password = bool(current_user.password_hash)
    enrolled = queries.is_enrolled(db.session, current_user.id)
    if not has_password:
        del form.password
    if not enrolled:
        del form.code
    if (has_password or enrolled) and form.validate_on_submit():
        try:
            services.reauthenticate(
                db.session,
                current_user,
                form.password.data if has_password else "",
                form.code.data if enrolled else "",
                request.remote_addr or "",
                policy(),
                secret_key(),
            )
        except DomainError as error:
            db.session.commit()  # the failure must survive, or throttling never starts
            show_domain_error(form, error)
        else:
            db.session.commit()
            signin.mark_authenticated()
            return redirect(safe_next(form.next.data))
    return render_template(
        "mfa/reauth.html",
        form=form,
        has_password=has_password,
        enrolled=enrolled,
        nothing_to_ask=not (has_password or enrolled),
        message=_("この操作の前に、本人確認のためもう一度入力してください。"),
    )
