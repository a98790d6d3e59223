"""Subcontracting chain pages of an engagement: add, edit, approve or refuse, archive, restore, graph."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.arrangements.access import can_view
from vendorguard.auth.permissions import require
from vendorguard.contractors.models import Contractor
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import show_domain_error
from vendorguard.engagements import chain, queries, subcontracting
from vendorguard.engagements.forms import ApprovalForm, RejectionForm, SubcontractorForm
from vendorguard.engagements.models import Engagement, Subcontractor
from vendorguard.engagements.views import (
    MANAGE,
    bp,
    detail_url,
    engagement_for_change,
    engagement_or_404,
    refuse_if_archived,
)
from vendorguard.extensions import db


def _sub_or_404(engagement: Engagement, sub_id: int) -> Subcontractor:
    sub = db.session.get(Subcontractor, sub_id)
    if sub is None or sub.engagement_id != engagement.id:
        abort(404)  # another engagement's subcontractor is not reachable through this one
    return sub


def parent_choices(
    engagement: Engagement, stages: list[Subcontractor], prime: str
) -> list[tuple[int | str, str]]:
    """The stages a new stage may hang under, the contractor first (labelled ``prime``)."""
    return [("", prime)] + [(s.id, _("%(n)d次：%(name)s", n=s.tier, name=s.name)) for s in stages]


def _fill_choices(
    form: SubcontractorForm, engagement: Engagement, sub: Subcontractor | None = None
) -> None:
    stages = [
        s
        for s in db.session.scalars(queries.chain(engagement.id)).all()
        if s.archived_at is None and (sub is None or s.id != sub.id)
    ]
    contractor = db.session.get(Contractor, engagement.contractor_id)
    prime = _("受託者（%(name)s）", name=contractor.name if contractor else "")
    form.parent_id.choices = parent_choices(engagement, stages, prime)
    contractors = db.session.scalars(
        queries.active_contractors(sub.contractor_id if sub else None)
    ).all()
    form.contractor_id.choices = [("", _("（登録されていない事業者）"))] + [
        (c.id, c.name) for c in contractors
    ]


def _data(form: SubcontractorForm) -> subcontracting.SubcontractorData:
    return subcontracting.SubcontractorData(
        name=form.name.data or "",
        contractor_id=form.contractor_id.data,
        corporate_number=form.corporate_number.data or "",
        work_scope=form.work_scope.data or "",
        parent_id=form.parent_id.data,
        information_handled=form.information_handled.data or "",
        flow_down=list(form.flow_down.data or []),
        approved_by=form.approved_by.data or "",
        approved_on=form.approved_on.data,
        approval_conditions=form.approval_conditions.data or "",
    )


@bp.route("/<int:engagement_id>/subcontractors/new", methods=["GET", "POST"])
@require(MANAGE)
def subcontractor_new(engagement_id: int):
    """Register a subcontractor, with the city's approval when it has already been given."""
    engagement = engagement_for_change(engagement_id)
    refused = refuse_if_archived(engagement)
    if refused:
        return refused
    form = SubcontractorForm()
    _fill_choices(form, engagement)
    if form.validate_on_submit():
        try:
            sub = subcontracting.add_subcontractor(
                db.session, engagement, _data(form), current_user.id
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("再委託先「%(name)s」を登録しました。", name=sub.name), "success")
            return redirect(detail_url(engagement))
    return render_template(
        "engagements/subcontractor_form.html", form=form, engagement=engagement, sub=None
    )


@bp.route("/<int:engagement_id>/subcontractors/<int:sub_id>/edit", methods=["GET", "POST"])
@require(MANAGE)
def subcontractor_edit(engagement_id: int, sub_id: int):
    """Change a subcontractor's details or approval."""
    engagement = engagement_for_change(engagement_id)
    sub = _sub_or_404(engagement, sub_id)
    refused = refuse_if_archived(engagement)
    if refused:
        return refused
    form = SubcontractorForm(obj=sub)
    _fill_choices(form, engagement, sub)
    if form.validate_on_submit():
        try:
            subcontracting.update_subcontractor(
                db.session, engagement, sub, _data(form), current_user.id
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("再委託先「%(name)s」を更新しました。", name=sub.name), "success")
            return redirect(detail_url(engagement))
    return render_template(
        "engagements/subcontractor_form.html", form=form, engagement=engagement, sub=sub
    )


@bp.route("/<int:engagement_id>/subcontractors/<int:sub_id>/approve", methods=["GET", "POST"])
@require(MANAGE)
def subcontractor_approve(engagement_id: int, sub_id: int):
    """Record who in the city permitted the subcontracting, and when."""
    engagement = engagement_for_change(engagement_id)
    sub = _sub_or_404(engagement, sub_id)
    refused = refuse_if_archived(engagement)
    if refused:
        return refused
    form = ApprovalForm(obj=sub)
    if not form.is_submitted() and form.approved_on.data is None:
        form.approved_on.data = today_tokyo()
    if form.validate_on_submit():
        try:
            subcontracting.approve_subcontractor(
                db.session,
                engagement,
                sub,
                form.approved_by.data,
                form.approved_on.data,
                current_user.id,
                form.approval_conditions.data or "",
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("再委託先「%(name)s」の許諾を記録しました。", name=sub.name), "success")
            return redirect(detail_url(engagement))
    return render_template("engagements/approve.html", form=form, engagement=engagement, sub=sub)


@bp.route("/<int:engagement_id>/subcontractors/<int:sub_id>/archive", methods=["POST"])
@require(MANAGE)
def subcontractor_archive(engagement_id: int, sub_id: int):
    """Stop using a subcontractor (its record and approval stay)."""
    engagement = engagement_for_change(engagement_id)
    sub = _sub_or_404(engagement, sub_id)
    try:
        subcontracting.archive_subcontractor(db.session, engagement, sub)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("再委託先「%(name)s」をアーカイブしました。", name=sub.name), "success")
    return redirect(detail_url(engagement))


@bp.route("/<int:engagement_id>/subcontractors/<int:sub_id>/restore", methods=["POST"])
@require(MANAGE)
def subcontractor_restore(engagement_id: int, sub_id: int):
    """Use an archived subcontractor again."""
    engagement = engagement_for_change(engagement_id)
    sub = _sub_or_404(engagement, sub_id)
    try:
        subcontracting.restore_subcontractor(db.session, engagement, sub)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("再委託先「%(name)s」を元に戻しました。", name=sub.name), "success")
    return redirect(detail_url(engagement))


@bp.route("/<int:engagement_id>/subcontractors/<int:sub_id>/reject", methods=["GET", "POST"])
@require(MANAGE)
def subcontractor_reject(engagement_id: int, sub_id: int):
    """Refuse a stage a contractor proposed, with the reason."""
    engagement = engagement_for_change(engagement_id)
    sub = _sub_or_404(engagement, sub_id)
    refused = refuse_if_archived(engagement)
    if refused:
        return refused
    form = RejectionForm()
    if form.validate_on_submit():
        try:
            subcontracting.reject_subcontractor(
                db.session, engagement, sub, form.reason.data, current_user.id
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("再委託先「%(name)s」を不許諾としました。", name=sub.name), "success")
            return redirect(detail_url(engagement))
    return render_template("engagements/reject.html", form=form, engagement=engagement, sub=sub)


@bp.route("/<int:engagement_id>/chain.svg")
@require("engagement.view")
def chain_svg(engagement_id: int):
    """The subcontracting chain as an SVG image drawn on the server."""
    engagement = engagement_or_404(engagement_id)
    if not can_view(current_user, engagement):
        abort(404)
    subs = [s for s in db.session.scalars(queries.chain(engagement.id)) if s.archived_at is None]
    contractor = db.session.get(Contractor, engagement.contractor_id)
    svg = chain.render_svg(contractor.name if contractor else "", subs)
    return Response(svg, mimetype="image/svg+xml")
