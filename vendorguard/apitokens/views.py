"""A person's own API tokens: list, create (the secret is shown once) and revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from vendorguard.apitokens import queries, services
from vendorguard.apitokens.blueprint import bp
from vendorguard.apitokens.forms import TokenForm
from vendorguard.auth.signin import require_recent_auth
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import utcnow
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    return (
        render_template(
            "apitokens/index.html",
            form=form,
            page=paginate(queries.tokens_of(current_user.id)),
            now=utcnow(),
            secret=secret,
        ),
        status,
    )


@bp.route("/")
@login_required
def index():
    """The user's tokens and the form for a new one."""
    return _page(TokenForm())


@bp.route("/", methods=["POST"])
@login_required
@require_recent_auth
def create():
    """Create a token and show its secret on this response only (never again, never stored)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        new = services.create_token(
            db.session, current_user, form.name.data, form.scope.data, form.days.data
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _page(form, status=400)
    db.session.commit()
    # Not a redirect: the secret exists only in this response (sent with Cache-Control: no-store).
    return _page(TokenForm(formdata=None), secret=new.secret)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
@require_recent_auth
def revoke(token_id: int):
    """Revoke one of the user's own tokens at once."""
    try:
        token = services.revoke_token(db.session, current_user, token_id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("apitokens.index"))
    db.session.commit()
    flash(_("トークン「%(name)s」を無効にしました。", name=token.name), "success")
    return redirect(url_for("apitokens.index"))
