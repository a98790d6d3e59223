"""The city's side of the portal (nested blueprint ``portal.admin``, under /portal/admin/).

Invitations of a contractor's staff (contractor.manage: admin, procurement) and single-request
upload links (whoever may change the request's arrangement). The contractor fence admits only
the blueprints "auth", "portal" and "public"; this one is "portal.admin", so contractors never
reach it whatever the decorators say.
"""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from vendorguard.arrangements import access
from vendorguard.auth.models import User
from vendorguard.auth.permissions import require
from vendorguard.auth.roles import Role
from vendorguard.contractors.models import Contractor
from vendorguard.core import settings
from vendorguard.core.errors import DomainError
from vendorguard.core.web import absolute_url, show_domain_error
from vendorguard.evidence.models import EvidenceRequest, UploadLink
from vendorguard.extensions import db
from vendorguard.mail import MailError
from vendorguard.portal import notices, queries, services, tokens
from vendorguard.portal.blueprint import admin_bp
from vendorguard.portal.forms import InviteForm, UploadLinkForm

log = logging.getLogger(__name__)

NEW_LINK_KEY = "portal_new_link"  # the just-created link's URL, shown once on the links page


def _contractor_or_404(contractor_id: int) -> Contractor:
    contractor = db.session.get(Contractor, contractor_id)
    if contractor is None:
        abort(404)
    return contractor


def _portal_user_or_404(contractor: Contractor, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.CONTRACTOR or user.contractor_id != contractor.id:
        abort(404)
    return user


def _invitation_days() -> int:
    return settings.current().portal_invitation_days


def _mail_invitation(user: User, contractor: Contractor, invitation, nonce: str) -> None:
    url = absolute_url(
        "portal.accept_invitation", token=tokens.invitation_token(invitation.id, nonce)
    )
    try:
        notices.send_invitation(user, contractor, url, invitation.expires_at)
    except MailError:
        log.exception("invitation mail to %s failed", user.email)
        flash(
            _(
                "招待メールを送信できませんでした。メールサーバーの設定を確認し、「招待を再送」を行ってください。"
            ),
            "error",
        )
    else:
        flash(_("%(email)s に招待メールを送信しました。", email=user.email), "success")


@admin_bp.route("/contractors/<int:contractor_id>/users", methods=["GET", "POST"])
@require("contractor.manage")
def contractor_users(contractor_id: int):
    """The contractor's portal users and the form to invite one."""
    contractor = _contractor_or_404(contractor_id)
    form = InviteForm()
    if form.validate_on_submit():
        data = services.InvitationData(
            email=form.email.data, name=form.name.data, name_kana=form.name_kana.data or ""
        )
        try:
            user, invitation, nonce = services.invite_contractor_user(
                db.session, contractor, data, invited_by=current_user, days=_invitation_days()
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            _mail_invitation(user, contractor, invitation, nonce)
            return redirect(url_for("portal.admin.contractor_users", contractor_id=contractor.id))
    rows = [
        (user, invitation, services.invitation_state(user, invitation))
        for user, invitation in db.session.execute(queries.contractor_users(contractor.id)).all()
    ]
    return render_template(
        "portal/admin/users.html",
        contractor=contractor,
        rows=rows,
        form=form,
        days=_invitation_days(),
    )


@admin_bp.route("/contractors/<int:contractor_id>/users/<int:user_id>/reinvite", methods=["POST"])
@require("contractor.manage")
def reinvite(contractor_id: int, user_id: int):
    """Send a fresh set-password link (the old one stops working)."""
    contractor = _contractor_or_404(contractor_id)
    user = _portal_user_or_404(contractor, user_id)
    try:
        invitation, nonce = services.reinvite_contractor_user(
            db.session, user, invited_by=current_user, days=_invitation_days()
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        _mail_invitation(user, contractor, invitation, nonce)
    return redirect(url_for("portal.admin.contractor_users", contractor_id=contractor.id))


@admin_bp.route("/contractors/<int:contractor_id>/users/<int:user_id>/archive", methods=["POST"])
@require("contractor.manage")
def user_archive(contractor_id: int, user_id: int):
    """Stop a contractor user's access (kept for the record, never deleted)."""
    contractor = _contractor_or_404(contractor_id)
    user = _portal_user_or_404(contractor, user_id)
    try:
        services.archive_contractor_user(db.session, user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s さんの利用を停止しました。", name=user.name), "success")
    return redirect(url_for("portal.admin.contractor_users", contractor_id=contractor.id))


@admin_bp.route("/contractors/<int:contractor_id>/users/<int:user_id>/restore", methods=["POST"])
@require("contractor.manage")
def user_restore(contractor_id: int, user_id: int):
    """Allow a stopped contractor user again."""
    contractor = _contractor_or_404(contractor_id)
    user = _portal_user_or_404(contractor, user_id)
    services.restore_contractor_user(db.session, user)
    db.session.commit()
    flash(_("%(name)s さんの利用を再開しました。", name=user.name), "success")
    return redirect(url_for("portal.admin.contractor_users", contractor_id=contractor.id))


# --- upload links ------------------------------------------------------------------------


def _request_or_404(request_id: int) -> EvidenceRequest:
    evidence_request = db.session.scalars(queries.request_for_link(request_id)).first()
    if evidence_request is None:
        abort(404)
    access.ensure_can_view(evidence_request.arrangement)
    return evidence_request


def request_page_url(evidence_request: EvidenceRequest) -> str | None:
    """The evidence pages' own page for the request, when that page exists."""
    try:
        return url_for("evidence.request_detail", request_id=evidence_request.id)
    except BuildError:
        return None


def _render_links(
    evidence_request: EvidenceRequest, form: UploadLinkForm, new_link: dict | None = None
):
    links = db.session.scalars(queries.links_of(evidence_request.id)).all()
    return render_template(
        "portal/admin/links.html",
        req=evidence_request,
        links=links,
        form=form,
        state=services.link_state,
        new_link=new_link,
        may_manage=access.can_manage(current_user, evidence_request.arrangement),
        company=queries.provider_label(db.session, evidence_request.arrangement_id),
        request_url=request_page_url(evidence_request),
    )


@admin_bp.route("/requests/<int:request_id>/links")
@require("dashboard.view")
def links(request_id: int):
    """The request's upload links (a new one's URL is shown here once) and the form to make one."""
    evidence_request = _request_or_404(request_id)
    new_link = session.pop(NEW_LINK_KEY, None)
    if new_link and new_link.get("request_id") != evidence_request.id:
        new_link = None
    return _render_links(evidence_request, UploadLinkForm(), new_link)


@admin_bp.route("/requests/<int:request_id>/links", methods=["POST"])
@require("dashboard.view")
def link_new(request_id: int):
    """Make a link (and mail it when a recipient is given); its URL is shown once."""
    evidence_request = _request_or_404(request_id)
    access.ensure_can_manage(evidence_request.arrangement)
    form = UploadLinkForm()
    if not form.validate_on_submit():
        return _render_links(evidence_request, form), 400
    try:
        link, nonce = services.create_upload_link(
            db.session,
            evidence_request,
            created_by=current_user,
            days=form.days.data,
            recipient_email=form.recipient_email.data or "",
        )
    except DomainError as error:
        show_domain_error(form, error)  # rolls back: the page's objects are loaded afresh
        return _render_links(_request_or_404(request_id), form), 400
    db.session.commit()
    evidence_request = _request_or_404(request_id)  # the commit expired what was loaded
    url = absolute_url(
        "portal.upload_link",
        request_id=evidence_request.id,
        token=tokens.upload_link_token(link.id, nonce),
    )
    session[NEW_LINK_KEY] = {"request_id": evidence_request.id, "link_id": link.id, "url": url}
    flash(_("提出用リンクを発行しました。このURLは今だけ表示されます。"), "success")
    if link.recipient_email:
        try:
            notices.send_upload_link(
                link.recipient_email,
                evidence_request,
                evidence_request.arrangement.department,
                queries.provider_label(db.session, evidence_request.arrangement_id),
                url,
                link.expires_at,
            )
        except MailError:
            log.exception("upload link mail to %s failed", link.recipient_email)
            flash(
                _(
                    "リンクをメールで送信できませんでした。下のURLをコピーして、別の方法でお知らせください。"
                ),
                "error",
            )
        else:
            flash(
                _("%(email)s にリンクをメールで送信しました。", email=link.recipient_email),
                "success",
            )
    return redirect(url_for("portal.admin.links", request_id=evidence_request.id))


@admin_bp.route("/links/<int:link_id>/revoke", methods=["POST"])
@require("dashboard.view")
def link_revoke(link_id: int):
    """Make a link unusable at once."""
    link = db.session.get(UploadLink, link_id)
    if link is None:
        abort(404)
    evidence_request = _request_or_404(link.request_id)
    access.ensure_can_manage(evidence_request.arrangement)
    try:
        services.revoke_upload_link(db.session, link)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("提出用リンクを取り消しました。このリンクはもう使えません。"), "success")
    return redirect(url_for("portal.admin.links", request_id=evidence_request.id))
