"""Classification scheme administration: which edition is in force, and the wording of its levels."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from vendorguard.auth.permissions import require
from vendorguard.classification import level_services, services
from vendorguard.classification.blueprint import bp
from vendorguard.classification.forms import LevelForm
from vendorguard.classification.models import Axis, ClassificationLevel, ClassificationScheme
from vendorguard.core.errors import DomainError
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db


@bp.route("/")
@require("classification.manage")
def index():
    """Every scheme with its levels per axis; the active one first."""
    schemes = db.session.scalars(
        select(ClassificationScheme).order_by(
            ClassificationScheme.active.desc(), ClassificationScheme.code
        )
    ).all()
    return render_template("classification/index.html", schemes=schemes, axes=list(Axis))


@bp.route("/seed", methods=["POST"])
@require("classification.manage")
def seed():
    """Create the shipped schemes (both guideline editions) when none exist yet."""
    active = services.ensure_default_schemes(db.session)
    db.session.commit()
    flash(_("標準の分類体系を登録しました。適用中：%(name)s", name=active.name), "success")
    return redirect(url_for("classification.index"))


@bp.route("/<int:scheme_id>/activate", methods=["POST"])
@require("classification.manage")
def activate(scheme_id: int):
    """Put a scheme in force (every other scheme stops being active)."""
    scheme = db.session.get(ClassificationScheme, scheme_id)
    if scheme is None:
        abort(404)
    if scheme.active:
        flash(_("「%(name)s」は既に適用中です。", name=scheme.name), "info")
        return redirect(url_for("classification.index"))
    try:
        services.activate(db.session, scheme.id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("分類体系を「%(name)s」に切り替えました。", name=scheme.name), "success")
    return redirect(url_for("classification.index"))


@bp.route("/levels/<int:level_id>/edit", methods=["GET", "POST"])
@require("classification.manage")
def level_edit(level_id: int):
    """Change a level's name and description."""
    level = db.session.get(ClassificationLevel, level_id)
    if level is None:
        abort(404)
    form = LevelForm(obj=level)
    if form.validate_on_submit():
        try:
            level_services.update_level(
                db.session, level, form.label.data, form.description.data or ""
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("区分「%(label)s」を更新しました。", label=level.label), "success")
            return redirect(url_for("classification.index", _anchor=f"scheme-{level.scheme_id}"))
    return render_template("classification/level_form.html", form=form, level=level)
