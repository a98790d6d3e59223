"""Information items of an engagement: what information the work handles and how it is classified."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template
from flask_babel import gettext as _

from vendorguard.auth.permissions import require
from vendorguard.classification.models import Axis
from vendorguard.classification.services import active_scheme
from vendorguard.core.errors import DomainError
from vendorguard.core.forms import blank_choice
from vendorguard.core.web import show_domain_error
from vendorguard.engagements import queries, services
from vendorguard.engagements.forms import InformationItemForm
from vendorguard.engagements.models import Engagement, InformationItem
from vendorguard.engagements.views import (
    MANAGE,
    bp,
    detail_url,
    engagement_for_change,
    refuse_if_archived,
)
from vendorguard.extensions import db


def _item_or_404(engagement: Engagement, item_id: int) -> InformationItem:
    item = db.session.get(InformationItem, item_id)
    if item is None or item.engagement_id != engagement.id:
        abort(404)
    return item


def _fill_choices(form: InformationItemForm, item: InformationItem | None = None):
    """Offer the active scheme's levels (and any level the item already has); return the scheme."""
    scheme = active_scheme(db.session)
    keep = (
        (item.confidentiality_level_id, item.integrity_level_id, item.availability_level_id)
        if item
        else ()
    )
    levels = db.session.scalars(queries.scheme_levels(scheme.id if scheme else None, keep)).all()
    unset = blank_choice(_("（未設定）"))
    for name, axis in services.LEVEL_FIELDS.items():
        form[name].choices = [unset] + [
            (level.id, level.label) for level in levels if level.axis == axis
        ]
    return scheme


def _data(form: InformationItemForm) -> services.InformationData:
    return services.InformationData(
        name=form.name.data or "",
        description=form.description.data or "",
        confidentiality_level_id=form.confidentiality_level_id.data,
        integrity_level_id=form.integrity_level_id.data,
        availability_level_id=form.availability_level_id.data,
    )


def _render(
    form: InformationItemForm, engagement: Engagement, item: InformationItem | None, scheme
):
    return render_template(
        "engagements/information_form.html",
        form=form,
        engagement=engagement,
        item=item,
        scheme=scheme,
        axes=list(Axis),
    )


@bp.route("/<int:engagement_id>/information/new", methods=["GET", "POST"])
@require(MANAGE)
def information_new(engagement_id: int):
    """Record an item of information the work handles."""
    engagement = engagement_for_change(engagement_id)
    refused = refuse_if_archived(engagement)
    if refused:
        return refused
    form = InformationItemForm()
    scheme = _fill_choices(form)
    if form.validate_on_submit():
        try:
            item = services.add_information_item(db.session, engagement, _data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("取り扱う情報「%(name)s」を登録しました。", name=item.name), "success")
            return redirect(detail_url(engagement))
    return _render(form, engagement, None, scheme)


@bp.route("/<int:engagement_id>/information/<int:item_id>/edit", methods=["GET", "POST"])
@require(MANAGE)
def information_edit(engagement_id: int, item_id: int):
    """Change an information item or its classification."""
    engagement = engagement_for_change(engagement_id)
    item = _item_or_404(engagement, item_id)
    refused = refuse_if_archived(engagement)
    if refused:
        return refused
    form = InformationItemForm(obj=item)
    scheme = _fill_choices(form, item)
    if form.validate_on_submit():
        try:
            services.update_information_item(db.session, engagement, item, _data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("取り扱う情報「%(name)s」を更新しました。", name=item.name), "success")
            return redirect(detail_url(engagement))
    return _render(form, engagement, item, scheme)


@bp.route("/<int:engagement_id>/information/<int:item_id>/delete", methods=["POST"])
@require(MANAGE)
def information_delete(engagement_id: int, item_id: int):
    """Remove an information item; the audit trail keeps what it was."""
    engagement = engagement_for_change(engagement_id)
    item = _item_or_404(engagement, item_id)
    name = item.name
    try:
        services.delete_information_item(db.session, engagement, item)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("取り扱う情報「%(name)s」を削除しました。", name=name), "success")
    return redirect(detail_url(engagement))
