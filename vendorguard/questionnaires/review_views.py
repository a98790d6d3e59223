"""The city's review of a returned questionnaire: accept or record a finding per answer, close its
action, send back for correction, close the review, withdraw."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.arrangements.models import Arrangement
from vendorguard.assessments import services as assessments
from vendorguard.assessments.models import Action, Assessment
from vendorguard.auth.permissions import require
from vendorguard.core.errors import DomainError
from vendorguard.extensions import db
from vendorguard.questionnaires import review, services
from vendorguard.questionnaires.blueprint import bp
from vendorguard.questionnaires.forms import (
    CloseActionForm,
    FindingForm,
    ReturnForm,
    VersionOnlyForm,
)
from vendorguard.questionnaires.models import Answer, Question, QuestionnaireRequest, Severity
from vendorguard.questionnaires.views import owner_choices, request_or_404


def _answer(req: QuestionnaireRequest, answer_id: int) -> Answer:
    answer = db.session.get(Answer, answer_id)
    if answer is None or answer.request_id != req.id:
        abort(404)
    return answer


@bp.route("/<int:request_id>/answers/<int:answer_id>/accept", methods=["POST"])
@require("dashboard.view")
def accept(request_id: int, answer_id: int):
    """The answer conforms."""
    req = request_or_404(request_id, manage=True)
    form = VersionOnlyForm()
    if form.validate_on_submit():
        try:
            review.accept(db.session, req, _answer(req, answer_id))
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(
        url_for("questionnaires.detail", request_id=request_id, _anchor=f"a{answer_id}")
    )


@bp.route("/<int:request_id>/answers/<int:answer_id>/finding", methods=["POST"])
@require("dashboard.view")
def finding(request_id: int, answer_id: int):
    """Record a finding on an answer: an action (措置) with owner and due date."""
    req = request_or_404(request_id, manage=True)
    answer = _answer(req, answer_id)
    arrangement = db.session.get_one(Arrangement, req.arrangement_id)
    form = FindingForm()
    form.owner_id.choices = owner_choices(arrangement)
    if not form.validate_on_submit():
        for field in form:
            for message in field.errors:
                flash(f"{field.label.text}: {message}", "error")
        return redirect(
            url_for("questionnaires.detail", request_id=request_id, _anchor=f"a{answer_id}")
        )
    question = db.session.get_one(Question, answer.question_id)
    try:
        review.record_finding(
            db.session,
            req,
            answer,
            question,
            review.FindingData(
                Severity(form.severity.data),
                form.remediation.data,
                form.owner_id.data,
                form.due_on.data,
            ),
            current_user,
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("指摘を記録し、措置を作成しました。委託事業者に改善を依頼します。"), "success")
    return redirect(
        url_for("questionnaires.detail", request_id=request_id, _anchor=f"a{answer_id}")
    )


@bp.route("/<int:request_id>/answers/<int:answer_id>/close-action", methods=["POST"])
@require("dashboard.view")
def close_action(request_id: int, answer_id: int):
    """Close the finding's action once the contractor's remediation is confirmed."""
    req = request_or_404(request_id, manage=True)
    answer = _answer(req, answer_id)
    form = CloseActionForm()
    if answer.action_id is None:
        flash(_("この回答には措置がありません。"), "error")
    elif form.validate_on_submit():
        action = db.session.get_one(Action, answer.action_id)
        try:
            assessments.close_action(
                db.session,
                action,
                db.session.get_one(Assessment, action.assessment_id),
                form.resolution.data,
                None,
                current_user,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("措置を完了にしました。"), "success")
    else:
        flash(_("確認した改善の内容を入力してください。"), "error")
    return redirect(
        url_for("questionnaires.detail", request_id=request_id, _anchor=f"a{answer_id}")
    )


def _one_click(request_id: int, operation, message: str):
    req = request_or_404(request_id, manage=True)
    form = VersionOnlyForm()
    if form.validate_on_submit():
        try:
            operation(req, form)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(message, "success")
    return redirect(url_for("questionnaires.detail", request_id=request_id))


@bp.route("/<int:request_id>/return", methods=["POST"])
@require("dashboard.view")
def return_(request_id: int):
    """Send back for correction."""
    req = request_or_404(request_id, manage=True)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            review.return_for_correction(db.session, req, form.reason.data, form.expected_version)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(_("修正を依頼しました。"), "success")
    else:
        flash(_("修正を依頼する内容を入力してください。"), "error")
    return redirect(url_for("questionnaires.detail", request_id=request_id))


@bp.route("/<int:request_id>/close", methods=["POST"])
@require("dashboard.view")
def close(request_id: int):
    """Close the review (undecided answers are accepted)."""

    def operation(req, form):
        review.close(
            db.session, services.load_sheet(db.session, req.id), current_user, form.expected_version
        )

    return _one_click(request_id, operation, _("点検票の確認を完了しました。"))


@bp.route("/<int:request_id>/cancel", methods=["POST"])
@require("dashboard.view")
def cancel(request_id: int):
    """Withdraw a questionnaire sent in error."""
    return _one_click(
        request_id,
        lambda req, form: review.cancel(db.session, req, form.expected_version),
        _("点検票を取り消しました。"),
    )
