"""The set-password page an invitation mail links to (no sign-in needed; the token is the key)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from vendorguard.auth.models import User
from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db
from vendorguard.portal import services, tokens
from vendorguard.portal.blueprint import bp
from vendorguard.portal.forms import SetPasswordForm


def refused_page(error: services.Refused, company: str = ""):
    """A clear Japanese page for a link that cannot be used, with its 404 or 410 status."""
    db.session.rollback()
    return render_template(
        "portal/refused.html", message=error.message, reason=error.reason, company=company
    ), error.status


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Choose a password from the invitation link; then signed in and on the portal's home."""
    try:
        invitation = services.find_invitation(db.session, tokens.read_invitation_token(token))
    except services.Refused as error:
        return refused_page(error)
    user = db.session.get_one(User, invitation.user_id)  # find_invitation checked it exists
    contractor = db.session.get(Contractor, user.contractor_id) if user.contractor_id else None
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                db.session, invitation, form.password.data, request.remote_addr or ""
            )
        except services.Refused as error:
            return refused_page(error, contractor.name if contractor else "")
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            logout_user()  # whoever was signed in on this browser is not the invited person
            session.clear()
            login_user(user)
            session.permanent = True
            session["locale"] = user.locale
            flash(_("パスワードを設定しました。委託事業者ポータルへようこそ。"), "success")
            return redirect(url_for("portal.index"))
    return render_template(
        "portal/set_password.html",
        form=form,
        user=user,
        company=contractor.name if contractor else "",
        expires_at=invitation.expires_at,
    )
