"""Evidence pages of one arrangement: requirements, schedule, ad-hoc requests, assurance state.

The request list, request detail, upload, review and downloads live in ``evidence.request_views``.
The blueprint's gate, dashboard.view, only admits internal users; who may see or change an
arrangement's evidence is decided by its register (vendorguard.arrangements.access).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from vendorguard.arrangements import access
from vendorguard.arrangements.access import arrangement_url
from vendorguard.arrangements.models import Arrangement
from vendorguard.auth.permissions import require
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import show_domain_error, sorting
from vendorguard.evidence import queries, services
from vendorguard.evidence.assurance import assurance_for
from vendorguard.evidence.blueprint import bp
from vendorguard.evidence.forms import AdhocRequestForm, RequirementForm
from vendorguard.evidence.models import EvidenceRequest, EvidenceRequirement, RequestStatus
from vendorguard.extensions import db

REQUEST_SORTS = {
    "due": (EvidenceRequest.due_on, EvidenceRequest.id),
    "status": (EvidenceRequest.status, EvidenceRequest.due_on, EvidenceRequest.id),
    "item": (EvidenceRequirement.title, EvidenceRequest.due_on, EvidenceRequest.id),
}


def status_filter() -> str:
    """The ``status`` argument: active (default), all, or one request status."""
    value = request.args.get("status", queries.ACTIVE)
    if value in (queries.ACTIVE, queries.ALL) or value in RequestStatus._value2member_map_:
        return value
    return queries.ACTIVE


def _requirement_or_404(requirement_id: int) -> tuple[EvidenceRequirement, Arrangement]:
    requirement = db.session.get(EvidenceRequirement, requirement_id)
    if requirement is None:
        abort(404)
    arrangement = access.arrangement_or_404(requirement.arrangement_id)
    access.ensure_can_manage(arrangement)
    return requirement, arrangement


def _back(arrangement: Arrangement):
    return redirect(url_for("evidence.arrangement", arrangement_id=arrangement.id))


@bp.route("/arrangement/<int:arrangement_id>", endpoint="arrangement")
@require("dashboard.view")
def arrangement_page(arrangement_id: int):
    """An arrangement's assurance state, evidence requirements and requests."""
    arrangement = access.arrangement_or_404(arrangement_id)
    access.ensure_can_view(arrangement)
    today = today_tokyo()
    status = status_filter()
    sort = sorting(REQUEST_SORTS, "due")
    page = paginate(sort.apply(queries.arrangement_requests(arrangement.id, status)))
    requirements = db.session.scalars(queries.arrangement_requirements(arrangement.id)).all()
    return render_template(
        "evidence/arrangement.html",
        arrangement=arrangement,
        requirements=requirements,
        page=page,
        sort=sort,
        status=status,
        statuses=list(RequestStatus),
        today=today,
        state=assurance_for(db.session, arrangement, today),
        may_manage=access.can_manage(current_user, arrangement),
        arrangement_url=arrangement_url(arrangement),
    )


@bp.route("/arrangement/<int:arrangement_id>/generate", methods=["POST"])
@require("dashboard.view")
def generate(arrangement_id: int):
    """Bring the standard requirements up to date and (re)generate the schedule."""
    arrangement = access.arrangement_or_404(arrangement_id)
    access.ensure_can_manage(arrangement)
    try:
        synced, scheduled = services.refresh(db.session, arrangement, today_tokyo())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _back(arrangement)
    except IntegrityError:
        # The nightly run (or a colleague) created the same requests a moment earlier.
        db.session.rollback()
        flash(_("同時に別の処理がスケジュールを作成しました。もう一度お試しください。"), "error")
        return _back(arrangement)
    if not synced.changed and not scheduled.changed:
        flash(_("証跡項目とスケジュールは最新です。変更はありませんでした。"), "info")
    else:
        flash(
            _(
                "証跡項目を%(added)d件追加・%(archived)d件アーカイブし、提出依頼を%(created)d件作成、"
                "%(moved)d件の期限を変更、%(closed)d件を取下げ、%(reopened)d件を再開しました。",
                added=len(synced.added) + len(synced.restored),
                archived=len(synced.archived),
                created=len(scheduled.created),
                moved=len(scheduled.moved),
                closed=len(scheduled.closed),
                reopened=len(scheduled.reopened),
            ),
            "success",
        )
    return _back(arrangement)


def _requirement_data(form: RequirementForm) -> services.RequirementData:
    return services.RequirementData(
        title=form.title.data or "",
        description=form.description.data or "",
        cadence=form.cadence.data or "",
        provider=form.provider.data or "",
        due_offset_days=form.due_offset_days.data,
        validity_days=form.validity_days.data,
    )


@bp.route("/arrangement/<int:arrangement_id>/requirements/new", methods=["GET", "POST"])
@require("dashboard.view")
def requirement_new(arrangement_id: int):
    """Add an evidence requirement by hand."""
    arrangement = access.arrangement_or_404(arrangement_id)
    access.ensure_can_manage(arrangement)
    form = RequirementForm()
    if form.validate_on_submit():
        try:
            requirement = services.create_requirement(
                db.session, arrangement, _requirement_data(form)
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "証跡項目「%(title)s」を追加しました。スケジュールを作成すると提出依頼ができます。",
                    title=requirement.title,
                ),
                "success",
            )
            return _back(arrangement)
    return render_template(
        "evidence/requirement_form.html", form=form, arrangement=arrangement, requirement=None
    )


@bp.route("/requirements/<int:evidence_requirement_id>/edit", methods=["GET", "POST"])
@require("dashboard.view")
def requirement_edit(evidence_requirement_id: int):
    """Change an evidence requirement (the schedule follows on the next generation)."""
    requirement, arrangement = _requirement_or_404(evidence_requirement_id)
    form = RequirementForm(obj=requirement)
    if request.method == "GET":
        form.cadence.data = requirement.cadence.value
        form.provider.data = requirement.provider.value
    if form.validate_on_submit():
        try:
            services.update_requirement(db.session, requirement, _requirement_data(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "証跡項目「%(title)s」を更新しました。期限や頻度の変更は「スケジュールを更新」で提出依頼に反映されます。",
                    title=requirement.title,
                ),
                "success",
            )
            return _back(arrangement)
    return render_template(
        "evidence/requirement_form.html",
        form=form,
        arrangement=arrangement,
        requirement=requirement,
    )


@bp.route("/requirements/<int:evidence_requirement_id>/archive", methods=["POST"])
@require("dashboard.view")
def requirement_archive(evidence_requirement_id: int):
    """Archive a hand-added requirement; its requests waiting for the provider are withdrawn."""
    requirement, arrangement = _requirement_or_404(evidence_requirement_id)
    try:
        closed = services.archive_requirement(db.session, requirement)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "証跡項目「%(title)s」をアーカイブし、未提出の提出依頼%(count)d件を取り下げました。",
                title=requirement.title,
                count=len(closed),
            ),
            "success",
        )
    return _back(arrangement)


@bp.route("/requirements/<int:evidence_requirement_id>/restore", methods=["POST"])
@require("dashboard.view")
def requirement_restore(evidence_requirement_id: int):
    """Bring an archived requirement back; its withdrawn requests reopen."""
    requirement, arrangement = _requirement_or_404(evidence_requirement_id)
    try:
        services.restore_requirement(db.session, requirement, today_tokyo())
        db.session.commit()
    except (DomainError, IntegrityError) as error:
        db.session.rollback()
        flash(
            getattr(error, "message", None)
            or _("同時に別の処理が行われました。もう一度お試しください。"),
            "error",
        )
    else:
        flash(_("証跡項目「%(title)s」を元に戻しました。", title=requirement.title), "success")
    return _back(arrangement)


def _adhoc_choices(arrangement: Arrangement) -> list[SelectChoice]:
    requirements = db.session.scalars(
        queries.arrangement_requirements(arrangement.id).where(
            EvidenceRequirement.archived_at.is_(None)
        )
    ).all()
    return [SelectChoice(0, _("（新しい項目を作る）"))] + [
        SelectChoice(r.id, _("%(title)s（%(provider)s）", title=r.title, provider=r.provider.label))
        for r in requirements
    ]


@bp.route("/arrangement/<int:arrangement_id>/requests/new", methods=["GET", "POST"])
@require("dashboard.view")
def request_new(arrangement_id: int):
    """The officer asks for evidence now, outside the schedule."""
    arrangement = access.arrangement_or_404(arrangement_id)
    access.ensure_can_manage(arrangement)
    form = AdhocRequestForm()
    form.requirement_id.choices = _adhoc_choices(arrangement)
    asked_requirement = request.args.get("requirement", type=int)
    if request.method == "GET" and asked_requirement:
        form.requirement_id.data = asked_requirement
    if form.validate_on_submit():
        data = services.AdhocData(
            due_on=form.due_on.data,
            requirement_id=form.requirement_id.data or None,
            title=form.title.data or "",
            provider=form.provider.data or "",
            description=form.description.data or "",
            note=form.note.data or "",
        )
        try:
            created = services.create_adhoc_request(db.session, arrangement, data, today_tokyo())
            db.session.commit()
        except DomainError as error:
            show_domain_error(form, error)
        except IntegrityError:
            db.session.rollback()
            flash(
                _("同時に同じ項目の提出依頼が作成されました。もう一度送信してください。"), "error"
            )
        else:
            if created.was_moved:
                flash(
                    _(
                        "提出依頼を作成しました。指定の期限は閉庁日のため、提出期限を%(day)sとしました。",
                        day=_format_day(created.due_on),
                    ),
                    "success",
                )
            else:
                flash(_("提出依頼を作成しました。"), "success")
            return redirect(url_for("evidence.request_detail", request_id=created.id))
    return render_template("evidence/request_form.html", form=form, arrangement=arrangement)


def _format_day(day) -> str:
    from vendorguard.web.i18n import format_day

    return format_day(day)
