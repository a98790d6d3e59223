"""The single-request upload link page: no account, usable only for the request it was made for."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence import intake
from vendorguard.evidence.models import EvidenceRequest, UploadLink
from vendorguard.extensions import csrf, db
from vendorguard.portal import queries, services, submitting, tokens
from vendorguard.portal.blueprint import bp
from vendorguard.portal.forms import UploadForm


def _request(request_id: int) -> EvidenceRequest | None:
    return db.session.scalars(queries.request_for_link(request_id)).first()


def _linked_request(request_id: int) -> EvidenceRequest:
    """The request of a link ``find_upload_link`` accepted: it exists (and so do its joined rows)."""
    return db.session.scalars(queries.request_for_link(request_id)).one()


def _refused(error: services.Refused):
    """The refusal page; a genuine but expired or revoked link still says whom to ask."""
    db.session.rollback()
    if request.method == "POST":
        submitting.drain_request_body()
    evidence_request = _request(error.request_id) if error.request_id is not None else None
    return render_template(
        "portal/refused.html",
        message=error.message,
        reason=error.reason,
        req=evidence_request,
        company=queries.provider_label(db.session, evidence_request.arrangement_id)
        if evidence_request
        else "",
        department=evidence_request.arrangement.department if evidence_request else None,
    ), error.status


def _render(request_id: int, token: str, link: UploadLink, form: UploadForm, status: int = 200):
    evidence_request = _linked_request(request_id)
    submissions = db.session.scalars(queries.submissions_of(evidence_request.id)).unique().all()
    return render_template(
        "portal/link.html",
        req=evidence_request,
        submissions=submissions,
        form=form,
        link=link,
        department=evidence_request.arrangement.department,
        today=today_tokyo(),
        company=queries.provider_label(db.session, evidence_request.arrangement_id),
        may_submit=submitting.may_submit(evidence_request),
        action=url_for("portal.upload_link_submit", request_id=request_id, token=token),
        file_url=None,
    ), status


@bp.route("/link/<int:request_id>/<token>")
def upload_link(request_id: int, token: str):
    """What is asked and by when, earlier submissions and the upload form; only with a valid link."""
    try:
        link = services.find_upload_link(
            db.session, tokens.read_upload_link_token(token), request_id
        )
    except services.Refused as error:
        return _refused(error)
    return _render(request_id, token, link, UploadForm())


@bp.route("/link/<int:request_id>/<token>", methods=["POST"])
@csrf.exempt  # receive_files checks the token while streaming (request.form would spool the body)
def upload_link_submit(request_id: int, token: str):
    """Upload through the link; refused links store nothing (the body is not even read)."""
    try:
        link = services.find_upload_link(
            db.session, tokens.read_upload_link_token(token), request_id
        )
    except services.Refused as error:
        return _refused(error)
    evidence_request = _linked_request(request_id)
    title = evidence_request.evidence_requirement.title  # the commit expires the loaded objects
    outcome = intake.receive_and_submit(
        evidence_request,
        UploadForm,
        user=None,
        via="link",
        link=link,
        also=lambda session: services.record_link_use(session, link),
    )
    if not outcome.ok:
        return _render(
            request_id, token, db.session.get_one(UploadLink, link.id), outcome.form, outcome.status
        )
    flash(
        ngettext(
            "「%(title)s」を提出しました（%(count)d件のファイル）。市の担当課が内容を確認します。",
            "「%(title)s」を提出しました（%(count)d件のファイル）。市の担当課が内容を確認します。",
            outcome.file_count,
            title=title,
            count=outcome.file_count,
        ),
        "success",
    )
    return redirect(url_for("portal.upload_link", request_id=request_id, token=token))
