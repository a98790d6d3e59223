"""The city's pages: the list, sending (one arrangement or in bulk), a questionnaire, its link
and files (reviewing its answers, findings and closing are in ``review_views``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from vendorguard.arrangements import access
from vendorguard.arrangements.models import Arrangement
from vendorguard.auth.models import User
from vendorguard.auth.permissions import require
from vendorguard.auth.roles import PERMISSIONS
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import fiscal_year, today_tokyo
from vendorguard.core.web import absolute_url, show_domain_error
from vendorguard.engagements.models import RiskTier
from vendorguard.extensions import db
from vendorguard.org.models import Department
from vendorguard.questionnaires import queries, schedule, sending, services
from vendorguard.questionnaires.blueprint import bp
from vendorguard.questionnaires.forms import (
    BulkSendForm,
    CloseActionForm,
    FindingForm,
    LinkForm,
    ReturnForm,
    SendForm,
)
from vendorguard.questionnaires.models import (
    Answer,
    AnswerFile,
    QuestionnaireRequest,
    RequestStatus,
    Severity,
)
from vendorguard.storage.download import send_stored
from vendorguard.storage.factory import get_storage


def request_or_404(request_id: int, manage: bool = False) -> QuestionnaireRequest:
    """The questionnaire, if the user may read its arrangement (or manage it, with ``manage``)."""
    req = db.session.get(QuestionnaireRequest, request_id)
    if req is None:
        abort(404)
    arrangement = db.session.get_one(Arrangement, req.arrangement_id)
    if manage:
        access.ensure_can_manage(arrangement)
    else:
        access.ensure_can_view(arrangement)
    return req


@bp.route("/")
@require("dashboard.view")
def index():
    """Questionnaires of the arrangements the user may read."""
    status = request.args.get("status", "")
    if status and status != "open" and status not in RequestStatus._value2member_map_:
        status = ""
    year = request.args.get("fiscal_year", type=int)
    department_id = request.args.get("department_id", type=int)
    page = paginate(queries.request_list(current_user, status, year, department_id))
    departments = db.session.scalars(
        select(Department).where(Department.archived_at.is_(None)).order_by(Department.name)
    ).all()
    return render_template(
        "questionnaires/index.html",
        page=page,
        status=status,
        year=year,
        department_id=department_id,
        departments=departments,
        statuses=list(RequestStatus),
        today=today_tokyo(),
    )


def _fill_send(form: SendForm, kind: str | None) -> None:
    form.template_id.choices = [
        (t.id, f"{t.code} {t.title}")
        for t in db.session.scalars(queries.usable_templates(kind)).unique()
    ]
    if form.fiscal_year.data is None:
        form.fiscal_year.data = fiscal_year(today_tokyo())


@bp.route("/send/<int:arrangement_id>", methods=["GET", "POST"])
@require("dashboard.view")
def send(arrangement_id: int):
    """Send a questionnaire for one arrangement."""
    arrangement = access.arrangement_or_404(arrangement_id)
    access.ensure_can_manage(arrangement)
    form = SendForm()
    _fill_send(form, arrangement.kind)
    if form.validate_on_submit():
        try:
            req = sending.send(
                db.session,
                arrangement,
                sending.SendData(
                    form.template_id.data,
                    form.fiscal_year.data,
                    form.due_on.data,
                    form.message.data,
                ),
                current_user,
            )
            db.session.commit()
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(
                _(
                    "自己点検の点検票を送付しました（%(period)s、回答期限 %(due)s）。",
                    period=req.period_label,
                    due=req.due_on.isoformat(),
                ),
                "success",
            )
            return redirect(url_for("questionnaires.detail", request_id=req.id))
    return render_template(
        "questionnaires/send.html",
        form=form,
        arrangement=arrangement,
        contractor_id=sending.contractor_of(arrangement),
        interval=schedule.interval_months(db.session, arrangement),
    )


@bp.route("/bulk", methods=["GET", "POST"])
@require("engagement.manage")
def bulk():
    """Send one questionnaire to every arrangement of a department (those already sent are skipped)."""
    form = BulkSendForm()
    _fill_send(form, None)
    departments = db.session.scalars(
        select(Department).where(Department.archived_at.is_(None)).order_by(Department.name)
    ).all()
    form.department_id.choices = [(None, _("（変更できるすべての所管課）"))] + [
        (d.id, d.name) for d in departments
    ]
    form.tier.choices = [("", _("（すべての区分）"))] + [(t.value, t.label) for t in RiskTier]
    if form.validate_on_submit():
        try:
            sent, skipped = sending.send_bulk(
                db.session,
                sending.SendData(
                    form.template_id.data,
                    form.fiscal_year.data,
                    form.due_on.data,
                    form.message.data,
                ),
                form.department_id.data,
                current_user,
                tier=form.tier.data or None,
            )
            db.session.commit()
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(
                _(
                    "%(sent)d件送付しました（委託事業者のない案件 %(skipped)d件は対象外）。",
                    sent=sent,
                    skipped=skipped,
                ),
                "success",
            )
            return redirect(url_for("questionnaires.index", fiscal_year=form.fiscal_year.data))
    return render_template("questionnaires/bulk.html", form=form)


def owner_choices(arrangement: Arrangement) -> list[tuple[int, str]]:
    """The people who may own a finding's action: those who may manage the arrangement."""
    roles = PERMISSIONS[access.manage_permission(arrangement)]
    users = db.session.scalars(
        select(User)
        .where(User.role.in_(roles), User.archived_at.is_(None), User.active.is_(True))
        .order_by(User.name)
        .limit(500)
    ).all()
    return [(u.id, u.name) for u in users]


def _previous(req: QuestionnaireRequest) -> dict[str, tuple[Answer, str]]:
    from vendorguard.questionnaires.answering import display

    previous = db.session.scalars(queries.previous_request(req)).unique().first()
    if previous is None:
        return {}
    return {a.question.code: (a, display(a.question, a.value)) for a in previous.answers}


@bp.route("/<int:request_id>")
@require("dashboard.view")
def detail(request_id: int):
    """Answers side by side with last year's, scores, and the review."""
    req = request_or_404(request_id)
    sheet = services.load_sheet(db.session, req.id)
    arrangement = sheet.request.arrangement
    may_manage = access.can_manage(current_user, arrangement)
    finding_form = FindingForm()
    finding_form.owner_id.choices = owner_choices(arrangement) if may_manage else []
    finding_form.owner_id.data = arrangement.responsible_officer_id or current_user.id
    actions = {a.action_id: a.action for a in sheet.answers.values() if a.action_id is not None}
    return render_template(
        "questionnaires/detail.html",
        sheet=sheet,
        req=sheet.request,
        arrangement=arrangement,
        arrangement_url=access.arrangement_url(arrangement),
        previous=_previous(sheet.request),
        may_manage=may_manage,
        finding_form=finding_form,
        return_form=ReturnForm(),
        close_action_form=CloseActionForm(),
        link_form=LinkForm(),
        actions=actions,
        severities=list(Severity),
        today=today_tokyo(),
    )


@bp.route("/<int:request_id>/link", methods=["POST"])
@require("dashboard.view")
def link(request_id: int):
    """A signed link for answering without an account (shown once)."""
    req = request_or_404(request_id, manage=True)
    form = LinkForm()
    if not form.validate_on_submit():
        flash(_("有効日数は1〜90日で指定してください。"), "error")
        return redirect(url_for("questionnaires.detail", request_id=request_id))
    try:
        token = services.issue_link(db.session, req, form.days.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("questionnaires.detail", request_id=request_id))
    url = absolute_url("questionnaires.portal.link_detail", request_id=req.id, token=token)
    return render_template("questionnaires/link_issued.html", req=req, url=url)


@bp.route("/<int:request_id>/files/<int:file_id>")
@require("dashboard.view")
def download(request_id: int, file_id: int):
    """An attachment of a questionnaire."""
    req = request_or_404(request_id)
    found = db.session.get(AnswerFile, file_id)
    if found is None or db.session.get_one(Answer, found.answer_id).request_id != req.id:
        abort(404)
    return send_stored(
        get_storage(),
        found.storage_key,
        found.original_filename,
        mimetype=found.content_type or "application/octet-stream",
        size=found.size,
        back_url=url_for("questionnaires.detail", request_id=req.id),
    )
