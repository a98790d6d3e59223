"""The city profile page (administrators) and the ``city`` every template can read."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.local import LocalProxy

from vendorguard.auth import sessions
from vendorguard.auth.permissions import require
from vendorguard.city import services
from vendorguard.city.blueprint import bp
from vendorguard.city.forms import CityProfileForm
from vendorguard.city.models import PROFILE_ID, CityProfile
from vendorguard.core.errors import DomainError
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db

# Every signed-in page prints the profile (footer): it is read by the statement loading the user.
sessions.load_alongside(
    CityProfile, lambda: CityProfile.id == PROFILE_ID, services.keep_for_request
)


@bp.app_context_processor
def _city_profile():
    # Read only when a template prints it (most pages never do: no query for them).
    return {"city_profile": LocalProxy(services.current)}


@bp.route("/settings/city", methods=["GET", "POST"])
@require("department.manage")
def profile():
    """Show and edit the city profile."""
    current = services.current()
    form = CityProfileForm(
        data={name: getattr(current, name) for name in services.EDITABLE}
        if current.configured
        else None
    )
    if form.validate_on_submit():
        data = services.CityData(**{name: form[name].data or "" for name in services.EDITABLE})
        try:
            services.save(db.session, data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("市の基本情報を保存しました。"), "success")
            return redirect(url_for("city.profile"))
    return render_template("city/profile.html", form=form, profile=current)
