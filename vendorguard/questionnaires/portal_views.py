"""The contractor's side: answer in the portal (or through a signed link), attach files, see what
is missing, submit once, download/upload the workbook, answer remediation requests."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence import uploads
from vendorguard.extensions import csrf, db
from vendorguard.portal.queries import provider_label
from vendorguard.portal.views import contractor_required, due_note, file_size
from vendorguard.questionnaires import answering, queries, review, services, workbook
from vendorguard.questionnaires.blueprint import portal_bp
from vendorguard.questionnaires.forms import ResponseForm, WorkbookForm
from vendorguard.questionnaires.models import Answer, AnswerFile, Question, QuestionType
from vendorguard.storage.download import send_stored
from vendorguard.storage.factory import get_storage


def _resolve(request_id: int, token: str | None) -> int:
    """The questionnaire's id if this contractor (or this link) may answer it; else 404."""
    if token is not None:
        found = services.find_by_link(db.session, token, request_id)
        if found is None:
            abort(404)
        return found.id
    if not current_user.is_authenticated or current_user.contractor_id is None:
        abort(404)
    found_id = db.session.scalar(queries.portal_request_id(current_user.contractor_id, request_id))
    if found_id is None:
        abort(404)
    return found_id


def _url(name: str, request_id: int, token: str | None, **values: Any) -> str:
    if token is not None:
        return url_for(
            f"questionnaires.portal.link_{name}", request_id=request_id, token=token, **values
        )
    return url_for(f"questionnaires.portal.{name}", request_id=request_id, **values)


def _user():
    return current_user if current_user.is_authenticated else None


@portal_bp.route("/")
@contractor_required
def index():
    """The company's questionnaires."""
    page = paginate(queries.portal_requests(current_user.contractor_id))
    return render_template(
        "questionnaires/portal_index.html", page=page, today=today_tokyo(), due_note=due_note
    )


def _render(request_id: int, token: str | None, errors=None, entered=None, status: int = 200):
    sheet = services.load_sheet(db.session, request_id)
    return render_template(
        "questionnaires/portal_detail.html",
        sheet=sheet,
        req=sheet.request,
        token=token,
        url=lambda name, **v: _url(name, request_id, token, **v),
        errors=errors or {},
        entered=entered or {},
        company=provider_label(db.session, sheet.request.arrangement_id),
        today=today_tokyo(),
        file_size=file_size,
        due_note=due_note,
        workbook_form=WorkbookForm(),
        response_form=ResponseForm(),
        QuestionType=QuestionType,
        csrf_for_upload=True,
    ), status


def detail(request_id: int, token: str | None = None):
    """The questionnaire: instructions, what is missing, every question asked, attachments."""
    return _render(_resolve(request_id, token), token)


def _raw_answers(sheet: services.Sheet) -> tuple[dict[int, Any], dict[int, str]]:
    raw: dict[int, Any] = {}
    comments: dict[int, str] = {}
    for question in sheet.questions:
        key = f"q{question.id}"
        if question.qtype == QuestionType.MULTIPLE:
            if f"{key}-present" in request.form:
                raw[question.id] = request.form.getlist(key)
        elif key in request.form:
            raw[question.id] = request.form.get(key, "")
        if f"c{question.id}" in request.form:
            comments[question.id] = request.form.get(f"c{question.id}", "")
    return raw, comments


def save(request_id: int, token: str | None = None):
    """Save a draft (or save and submit): any invalid answer stores nothing."""
    request_id = _resolve(request_id, token)
    sheet = services.load_sheet(db.session, request_id)
    raw, comments = _raw_answers(sheet)
    submitting = request.form.get("submit") == "1"
    try:
        services.save_answers(db.session, sheet, raw, comments, request.form.get("version"))
        if submitting:
            db.session.expire_all()
            sheet = services.load_sheet(db.session, request_id)
            services.submit(db.session, sheet, _user(), None)
        db.session.commit()
    except answering.AnswersInvalid as error:
        db.session.rollback()
        flash(error.message, "error")
        return _render(request_id, token, error.errors, raw, 400)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        if submitting:  # the draft itself was fine: keep it, say what is missing
            try:
                sheet = services.load_sheet(db.session, request_id)
                services.save_answers(db.session, sheet, raw, comments, None)
                db.session.commit()
            except DomainError:
                db.session.rollback()
        return redirect(_url("detail", request_id, token))
    if submitting:
        flash(_("点検票を提出しました。市の担当課が内容を確認します。"), "success")
    else:
        flash(_("回答を一時保存しました。"), "success")
    return redirect(_url("detail", request_id, token))


def _question(request_id: int, question_id: int) -> tuple[Any, Question]:
    req = db.session.get_one(services.QuestionnaireRequest, request_id)
    question = db.session.get(Question, question_id)
    if question is None or question.version_id != req.version_id:
        abort(404)
    return req, question


def _receive(request_id: int, token: str | None, question_id: int, remediation: bool):
    request_id = _resolve(request_id, token)
    req, question = _question(request_id, question_id)
    storage = get_storage()
    try:
        received = uploads.receive_files(
            request,
            storage,
            uploads.max_upload_bytes(),
            namespace="questionnaire",
            require_files=not remediation,
            file_field="files",
        )
    except uploads.UploadRefused as error:
        flash(_("%(reason)s ファイルは保存されていません。", reason=error.message), "error")
        return redirect(_url("detail", request_id, token, _anchor=f"q{question_id}"))
    try:
        if remediation:
            answer = db.session.scalars(
                select(Answer).where(Answer.request_id == req.id, Answer.question_id == question.id)
            ).first()
            if answer is None:
                abort(404)
            review.respond(db.session, req, answer, received.fields.get("response", ""))
        services.attach_files(db.session, req, question, received.files, _user(), remediation)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        uploads.discard(storage, received.files)
        flash(error.message, "error")
        return redirect(_url("detail", request_id, token, _anchor=f"q{question_id}"))
    except (SQLAlchemyError, BaseException):
        db.session.rollback()
        uploads.discard(storage, received.files)
        raise
    if remediation:
        flash(_("改善の報告を送信しました。"), "success")
    else:
        flash(_("%(count)d件のファイルを添付しました。", count=len(received.files)), "success")
    return redirect(_url("detail", request_id, token, _anchor=f"q{question_id}"))


@csrf.exempt  # receive_files checks the token while streaming
def upload(request_id: int, question_id: int, token: str | None = None):
    """Attach files to an answer (same content checks as evidence)."""
    return _receive(request_id, token, question_id, remediation=False)


@csrf.exempt  # receive_files checks the token while streaming
def respond(request_id: int, question_id: int, token: str | None = None):
    """Answer a remediation request: what was done, with files."""
    return _receive(request_id, token, question_id, remediation=True)


def _file(request_id: int, file_id: int) -> AnswerFile:
    found = db.session.get(AnswerFile, file_id)
    if found is None:
        abort(404)
    answer = db.session.get_one(Answer, found.answer_id)
    if answer.request_id != request_id:
        abort(404)
    return found


def file_delete(request_id: int, file_id: int, token: str | None = None):
    """Remove an attachment while the questionnaire is still open."""
    request_id = _resolve(request_id, token)
    req = db.session.get_one(services.QuestionnaireRequest, request_id)
    try:
        key = services.remove_file(db.session, req, _file(request_id, file_id))
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(_url("detail", request_id, token))
    uploads.discard(get_storage(), [uploads.StoredFile("", key, "", 0, "")])
    flash(_("ファイルを削除しました。"), "success")
    return redirect(_url("detail", request_id, token))


def download(request_id: int, file_id: int, token: str | None = None):
    """An attachment of this questionnaire."""
    request_id = _resolve(request_id, token)
    found = _file(request_id, file_id)
    return send_stored(
        get_storage(),
        found.storage_key,
        found.original_filename,
        mimetype=found.content_type or "application/octet-stream",
        size=found.size,
        back_url=_url("detail", request_id, token),
    )


def workbook_download(request_id: int, token: str | None = None):
    """The questionnaire as .xlsx, to fill in offline."""
    request_id = _resolve(request_id, token)
    return workbook.response(services.load_sheet(db.session, request_id))


def workbook_upload(request_id: int, token: str | None = None):
    """A filled-in workbook back: every cell is checked; any problem stores nothing."""
    request_id = _resolve(request_id, token)
    form = WorkbookForm()
    if not form.validate_on_submit() or not form.workbook.data:
        flash(_("記入済みの Excel ファイルを選んでください。"), "error")
        return redirect(_url("detail", request_id, token))
    sheet = services.load_sheet(db.session, request_id)
    try:
        raw, comments = workbook.read(sheet, form.workbook.data.stream)
        services.save_answers(db.session, sheet, raw, comments, None)
        db.session.commit()
    except workbook.WorkbookRefused as error:
        db.session.rollback()
        return render_template(
            "questionnaires/workbook_refused.html",
            problems=error.problems,
            req=sheet.request,
            back=_url("detail", request_id, token),
            company=provider_label(db.session, sheet.request.arrangement_id),
        ), 400
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(_url("detail", request_id, token))
    flash(
        _("Excel ファイルの回答を取り込みました。内容を確認してから提出してください。"), "success"
    )
    return redirect(_url("detail", request_id, token))


ROUTES = (
    ("", detail, ("GET",)),
    ("/save", save, ("POST",)),
    ("/questions/<int:question_id>/files", upload, ("POST",)),
    ("/questions/<int:question_id>/response", respond, ("POST",)),
    ("/files/<int:file_id>/delete", file_delete, ("POST",)),
    ("/files/<int:file_id>", download, ("GET",)),
    ("/workbook", workbook_download, ("GET",)),
    ("/workbook/upload", workbook_upload, ("POST",)),
)
NAMES = {
    detail: "detail",
    save: "save",
    upload: "upload",
    respond: "respond",
    file_delete: "file_delete",
    download: "download",
    workbook_download: "workbook",
    workbook_upload: "workbook_upload",
}
for rule, view, methods in ROUTES:
    name = NAMES[view]
    portal_bp.add_url_rule(
        f"/<int:request_id>{rule}", name, contractor_required(view), methods=list(methods)
    )
    portal_bp.add_url_rule(
        f"/link/<int:request_id>/<token>{rule}", f"link_{name}", view, methods=list(methods)
    )
