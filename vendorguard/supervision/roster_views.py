"""The city's roster pages: one engagement's staff (and its .xlsx), pledges, and everyone who
left but still holds access."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from vendorguard.auth.permissions import require
from vendorguard.core.export import xlsx_response
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import today_tokyo
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db
from vendorguard.storage.download import ascii_part, send_stored
from vendorguard.storage.factory import get_storage
from vendorguard.supervision import queries
from vendorguard.supervision.blueprint import bp
from vendorguard.supervision.models import StaffMember

VIEW = "engagement.view"


def _engagement_or_404(engagement_id: int) -> Engagement:
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None:
        abort(404)
    return engagement


@bp.route("/engagements/<int:engagement_id>/roster")
@require(VIEW)
def roster(engagement_id: int):
    """The engagement's staff roster (従事者名簿), leavers still holding access flagged."""
    engagement = _engagement_or_404(engagement_id)
    page = paginate(queries.roster(engagement.id))
    return render_template(
        "supervision/roster.html", engagement=engagement, page=page, today=today_tokyo()
    )


def roster_rows(staff: list[StaffMember], today) -> list[list]:
    """One spreadsheet row per person (training joined into one cell)."""
    return [
        [
            s.subcontractor.name if s.subcontractor else _("受託者"),
            s.name,
            s.role,
            s.affiliation,
            s.access_rights,
            s.starts_on,
            s.ends_on,
            s.access_revoked_on,
            _("あり") if s.pledge_storage_key else _("なし"),
            "\n".join(f"{t.held_on.isoformat()} {t.content}" for t in s.trainings),
            _("要確認（離任後もアクセス権あり）") if s.still_holds_access(today) else "",
        ]
        for s in staff
    ]


ROSTER_HEADER = (
    _l("所属する段階"),
    _l("氏名"),
    _l("役割"),
    _l("所属"),
    _l("アクセス権限"),
    _l("従事開始日"),
    _l("従事終了日"),
    _l("アクセス削除日"),
    _l("誓約書"),
    _l("研修"),
    _l("確認事項"),
)


@bp.route("/engagements/<int:engagement_id>/roster.xlsx")
@require(VIEW)
def roster_export(engagement_id: int):
    """The whole roster as .xlsx (formulas neutralised by the shared writer)."""
    engagement = _engagement_or_404(engagement_id)
    staff = list(db.session.scalars(queries.roster(engagement.id)).unique())
    header = [str(name) for name in ROSTER_HEADER]
    return xlsx_response(
        header,
        roster_rows(staff, today_tokyo()),
        f"{_('従事者名簿')}_{engagement.contract_number or engagement.id}.xlsx",
        sheet_title=_("従事者名簿"),
    )


@bp.route("/roster/pledges/<int:staff_id>")
@require(VIEW)
def pledge_download(staff_id: int):
    """A person's pledge exactly as stored, always as an attachment."""
    staff = db.session.get(StaffMember, staff_id)
    if staff is None or not staff.pledge_storage_key:
        abort(404)
    return send_stored(
        get_storage(),
        staff.pledge_storage_key,
        staff.pledge_filename,
        mimetype="application/octet-stream",
        ascii_filename=ascii_part(staff.pledge_filename) or "pledge",
        size=staff.pledge_size,
        back_url=url_for("supervision.roster", engagement_id=staff.engagement_id),
    )


@bp.route("/roster/leavers")
@require(VIEW)
def leavers():
    """Everyone whose end date has passed while no access removal is recorded (city-wide)."""
    today = today_tokyo()
    page = paginate(queries.still_holding_access(today))
    return render_template("supervision/leavers.html", page=page, today=today)
