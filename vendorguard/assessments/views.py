"""Assessment pages: an arrangement's history with the record form, one assessment, archive.

Actions (措置) are in ``assessments.action_views``. The blueprint's gate, dashboard.view, only
admits internal users; who may read or change is decided by the arrangement's register
(vendorguard.arrangements.access), plus: an action's person in charge may work on it.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from vendorguard.arrangements import access
from vendorguard.arrangements.access import arrangement_url
from vendorguard.arrangements.models import Arrangement
from vendorguard.assessments import queries, services
from vendorguard.assessments.blueprint import bp
from vendorguard.assessments.forms import AssessmentForm
from vendorguard.assessments.models import Action, Assessment, AssessmentMethod, AssessmentResult
from vendorguard.auth.permissions import require
from vendorguard.core.concurrency import parse_version
from vendorguard.core.errors import DomainError
from vendorguard.core.forms import blank_choice
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import show_domain_error
from vendorguard.extensions import db


def arrangement_or_404(arrangement_id: int) -> Arrangement:
    """The arrangement with its department, readable by the current user (else 403/404)."""
    arrangement = db.session.scalars(
        select(Arrangement)
        .options(joinedload(Arrangement.department))
        .where(Arrangement.id == arrangement_id)
    ).first()
    if arrangement is None:
        abort(404)
    access.ensure_can_view(arrangement)
    return arrangement


def assessment_or_404(assessment_id: int) -> tuple[Assessment, Arrangement]:
    """An assessment with its actions and people, and its (readable) arrangement."""
    assessment = db.session.scalars(queries.assessment_detail(assessment_id)).unique().first()
    if assessment is None:
        abort(404)
    return assessment, arrangement_or_404(assessment.arrangement_id)


def may_work_on(action: Action, arrangement: Arrangement) -> bool:
    """Whether the current user may change, close or reopen this action: anyone who may change
    the arrangement, and the action's person in charge (even from another department)."""
    if access.can_manage(current_user, arrangement):
        return True
    manage = access.manage_permission(arrangement)
    return (
        current_user.is_authenticated
        and action.owner_id == current_user.id
        and current_user.can(manage)
    )


def owner_choices(field, kind: str, keep_id: int | None = None) -> None:
    """Fill a person-in-charge select: users able to act on this kind of arrangement."""
    users = db.session.scalars(queries.owner_candidates(kind, keep_id)).all()
    field.choices = [blank_choice()] + [
        (
            user.id,
            _("%(name)s（%(department)s）", name=user.name, department=user.department.name)
            if user.department
            else user.name,
        )
        for user in users
    ]


def _work_check(arrangement: Arrangement):
    """``action -> bool`` for the templates, or None when the user can work on no action of this
    kind (then the pages leave out the column of buttons)."""
    if not current_user.can(access.manage_permission(arrangement)):
        return None
    return lambda action: may_work_on(action, arrangement)


def _render_history(arrangement: Arrangement, form: AssessmentForm | None):
    arrangement = arrangement_or_404(arrangement.id)  # reloaded: a refused submission rolled back
    include_archived = request.args.get("archived") == "1"
    assessments = (
        db.session.scalars(queries.history(arrangement.id, include_archived)).unique().all()
    )
    may_record = access.can_manage(current_user, arrangement) and not arrangement.is_archived
    if may_record and form is None:
        form = AssessmentForm(data={"assessed_on": today_tokyo(), "owner_id": current_user.id})
        owner_choices(form.owner_id, arrangement.kind)
    return render_template(
        "assessments/history.html",
        arrangement=arrangement,
        assessments=assessments,
        form=form if may_record else None,
        include_archived=include_archived,
        flagged=queries.is_flagged(db.session, arrangement.id),
        today=today_tokyo(),
        arrangement_url=arrangement_url(arrangement),
        may_work_on=_work_check(arrangement),
        may_manage=access.can_manage(current_user, arrangement),
    )


@bp.route("/arrangement/<int:arrangement_id>")
@require("dashboard.view")
def history(arrangement_id: int):
    """Every assessment of an arrangement with its actions; the form to record a new one."""
    return _render_history(arrangement_or_404(arrangement_id), None)


def _assessment_data(form: AssessmentForm) -> services.AssessmentData:
    """What a validated form says (``assessed_on`` is required)."""
    assert form.assessed_on.data is not None
    return services.AssessmentData(
        assessed_on=form.assessed_on.data,
        result=AssessmentResult(form.result.data),
        method=AssessmentMethod(form.method.data),
        summary=form.summary.data or "",
        findings=form.findings.data or "",
        valid_until=form.valid_until.data,
        owner_id=form.owner_id.data,
        due_on=form.due_on.data,
    )


@bp.route("/arrangement/<int:arrangement_id>/new", methods=["POST"])
@require("dashboard.view")
def record(arrangement_id: int):
    """Record an assessment; its findings become actions."""
    arrangement = arrangement_or_404(arrangement_id)
    access.ensure_can_manage(arrangement)
    form = AssessmentForm()
    owner_choices(form.owner_id, arrangement.kind)
    if form.validate_on_submit():
        try:
            assessment = services.record_assessment(
                db.session, arrangement, _assessment_data(form), current_user
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            count = len(services.split_findings(assessment.findings))
            db.session.commit()
            if count:
                flash(_("確認を記録し、措置を%(count)d件登録しました。", count=count), "success")
            else:
                flash(_("確認を記録しました。"), "success")
            return redirect(url_for("assessments.detail", assessment_id=assessment.id))
    return _render_history(arrangement, form)


@bp.route("/<int:assessment_id>")
@require("dashboard.view")
def detail(assessment_id: int):
    """One assessment with its actions."""
    assessment, arrangement = assessment_or_404(assessment_id)
    return render_template(
        "assessments/detail.html",
        assessment=assessment,
        arrangement=arrangement,
        arrangement_url=arrangement_url(arrangement),
        today=today_tokyo(),
        may_manage=access.can_manage(current_user, arrangement),
        may_work_on=_work_check(arrangement),
    )


def _archive_or_restore(assessment_id: int, change, done: str):
    assessment, arrangement = assessment_or_404(assessment_id)
    access.ensure_can_manage(arrangement)
    try:
        change(
            db.session, assessment, arrangement, version=parse_version(request.form.get("version"))
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("assessments.detail", assessment_id=assessment_id))


@bp.route("/<int:assessment_id>/archive", methods=["POST"])
@require("dashboard.view")
def archive(assessment_id: int):
    """Archive an assessment recorded in error; the next review date goes back to the previous one."""
    return _archive_or_restore(
        assessment_id,
        services.archive_assessment,
        _("確認をアーカイブしました。次回確認日を直前の確認に合わせました。"),
    )


@bp.route("/<int:assessment_id>/restore", methods=["POST"])
@require("dashboard.view")
def restore(assessment_id: int):
    """Undo an archive."""
    return _archive_or_restore(
        assessment_id, services.restore_assessment, _("確認を元に戻しました。")
    )
