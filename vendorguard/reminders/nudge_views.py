"""督促: "remind the contractor now" on an evidence request's page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from vendorguard.arrangements import access
from vendorguard.arrangements.models import Arrangement
from vendorguard.auth.permissions import require
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence.models import EvidenceRequest
from vendorguard.extensions import db
from vendorguard.reminders import delivery, nudge
from vendorguard.reminders.blueprint import bp
from vendorguard.reminders.forms import NudgeForm


@bp.route("/reminders/evidence-requests/<int:request_id>/remind", methods=["POST"])
@require("dashboard.view")
def remind_now(request_id: int):
    """Send the 督促 mail now (once per page view, however often the button is pressed)."""
    evidence_request = db.session.get(EvidenceRequest, request_id)
    if evidence_request is None:
        abort(404)
    arrangement = db.session.get_one(Arrangement, evidence_request.arrangement_id)
    access.ensure_can_manage(arrangement)  # 404 for what the user may not see, 403 to change
    back = url_for("evidence.request_detail", request_id=request_id) + "#remind"
    form = NudgeForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(back)
    try:
        result = nudge.remind_now(
            db.session, evidence_request, current_user, form.note.data or "", form.click_key.data
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    if result.repeated:
        flash(_("この督促はすでに送っています（二重に送られることはありません）。"), "info")
        return redirect(back)
    sent = delivery.deliver(db.session, current_app.config, today_tokyo(), result.keys)
    if sent.sent == len(result.keys):
        flash(
            ngettext(
                "督促のメールを%(num)d件送りました。",
                "督促のメールを%(num)d件送りました。",
                sent.sent,
            ),
            "success",
        )
    else:
        flash(
            _(
                "督促を受け付けましたが、メールの送信に失敗しました。自動で再送します"
                "（管理者は「リマインダー：送信失敗」で確認できます）。"
            ),
            "warning",
        )
    return redirect(back)
