"""The exit checklist pages (契約終了時の措置) of an engagement."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.auth.permissions import can_change, ensure_can_change, require
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import show_domain_error
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db
from vendorguard.supervision import exits, queries
from vendorguard.supervision.blueprint import bp
from vendorguard.supervision.forms import CloseExitForm, ExitItemForm, OpenExitForm, WaiverForm
from vendorguard.supervision.models import ExitChecklist, ExitItem

MANAGE = "engagement.manage"
SNS_WORDS = ("sns", "ソーシャル", "ｓｎｓ")


def _engagement(engagement_id: int) -> Engagement:
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None:
        abort(404)
    return engagement


def _checklist(engagement: Engagement) -> ExitChecklist | None:
    return db.session.scalars(queries.checklist(engagement.id)).unique().one_or_none()


def _for_change(engagement_id: int) -> tuple[Engagement, ExitChecklist]:
    engagement = _engagement(engagement_id)
    ensure_can_change(MANAGE, engagement.department_id)
    checklist = _checklist(engagement)
    if checklist is None:
        abort(404)
    return engagement, checklist


def _item(checklist: ExitChecklist, exit_item_id: int) -> ExitItem:
    item = next((i for i in checklist.items if i.id == exit_item_id), None)
    if item is None:
        abort(404)
    return item


def _back(engagement: Engagement):
    return redirect(url_for("supervision.exit_checklist", engagement_id=engagement.id))


@bp.route("/engagements/<int:engagement_id>/exit")
@require("engagement.view")
def exit_checklist(engagement_id: int):
    """The checklist, or (before it is opened) what opening it will ask for."""
    engagement = _engagement(engagement_id)
    checklist = _checklist(engagement)
    today = today_tokyo()
    text = f"{engagement.title} {engagement.description}".lower()
    open_form = OpenExitForm(sns_work=any(word in text for word in SNS_WORDS))
    return render_template(
        "supervision/exit.html",
        engagement=engagement,
        checklist=checklist,
        can_open=exits.can_open(engagement, today),
        editable=can_change(current_user, MANAGE, engagement.department_id),
        open_form=open_form,
        close_form=CloseExitForm(version=checklist.version if checklist else None),
        label=exits.item_label,
        opens_days=exits.OPENS_DAYS_BEFORE_END,
    )


@bp.route("/engagements/<int:engagement_id>/exit/open", methods=["POST"])
@require(MANAGE)
def exit_open(engagement_id: int):
    """Open the checklist and ask the contractor (and the chain) for erasure certificates."""
    engagement = _engagement(engagement_id)
    ensure_can_change(MANAGE, engagement.department_id)
    form = OpenExitForm()
    if form.validate_on_submit():
        try:
            exits.open_exit(
                db.session, engagement, current_user, today_tokyo(), bool(form.sns_work.data)
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("終了時の措置を開始しました。"), "success")
    return _back(engagement)


@bp.route("/engagements/<int:engagement_id>/exit/items/<int:exit_item_id>", methods=["GET", "POST"])
@require(MANAGE)
def exit_item(engagement_id: int, exit_item_id: int):
    """Record one item as done: when, how (erasure method) and who witnessed it."""
    engagement, checklist = _for_change(engagement_id)
    item = _item(checklist, exit_item_id)
    form = ExitItemForm(obj=item)
    if not form.is_submitted():
        form.done_on.data = item.done_on or today_tokyo()
        form.method.data = item.method.value if item.method else ""
    if form.validate_on_submit():
        try:
            exits.record_done(
                db.session,
                checklist,
                item,
                current_user,
                form.done_on.data,
                form.method.data,
                form.witness.data or "",
                form.notes.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _("「%(item)s」を完了として記録しました。", item=exits.item_label(item)), "success"
            )
            return _back(engagement)
    return render_template(
        "supervision/exit_item.html",
        engagement=engagement,
        item=item,
        form=form,
        label=exits.item_label,
    )


@bp.route(
    "/engagements/<int:engagement_id>/exit/items/<int:exit_item_id>/waive",
    methods=["GET", "POST"],
)
@require(MANAGE)
def exit_item_waive(engagement_id: int, exit_item_id: int):
    """Leave an item undone on purpose, with the reason (audited)."""
    engagement, checklist = _for_change(engagement_id)
    item = _item(checklist, exit_item_id)
    form = WaiverForm()
    if form.validate_on_submit():
        try:
            exits.waive(db.session, checklist, item, current_user, form.reason.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _("「%(item)s」を対応不要として記録しました。", item=exits.item_label(item)),
                "success",
            )
            return _back(engagement)
    return render_template(
        "supervision/exit_waive.html",
        engagement=engagement,
        item=item,
        form=form,
        label=exits.item_label,
    )


@bp.route("/engagements/<int:engagement_id>/exit/close", methods=["POST"])
@require(MANAGE)
def exit_close(engagement_id: int):
    """Close the exit and end the engagement (refused while items are open)."""
    engagement, checklist = _for_change(engagement_id)
    form = CloseExitForm()
    if form.validate_on_submit():
        try:
            exits.close(db.session, engagement, checklist, current_user, form.expected_version)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("終了時の措置を完了し、業務委託を終了しました。"), "success")
    return _back(engagement)
