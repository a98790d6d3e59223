"""Periodic attestations of an account (registered on the ``social`` blueprint)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from vendorguard.auth.permissions import can_change, ensure_can_change, require
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import show_domain_error, sorting
from vendorguard.extensions import db
from vendorguard.social import attestation_services, queries
from vendorguard.social.blueprint import bp
from vendorguard.social.forms import MFA_ON, AttestationForm
from vendorguard.social.models import SocialAttestation
from vendorguard.social.views import _account_or_404, attestation_months
from vendorguard.web.i18n import format_day

SORTS = {"attested_on": (SocialAttestation.attested_on, SocialAttestation.id)}


@bp.route("/<int:account_id>/attestations")
@require("social.view")
def attestations(account_id: int):
    """Every attestation of an account, newest first."""
    account = _account_or_404(account_id)
    sort = sorting(SORTS, "attested_on", default_descending=True)
    page = paginate(sort.apply(queries.attestations_for(account.id)))
    return render_template(
        "social/attestations.html",
        account=account,
        page=page,
        sort=sort,
        months=attestation_months(),
        today=today_tokyo(),
        can_edit=can_change(current_user, "social.manage", account.department_id),
    )


@bp.route("/<int:account_id>/attestations/new", methods=["GET", "POST"])
@require("social.manage")
def attestation_new(account_id: int):
    """Record this period's attestation; prefilled with what the register says now."""
    account = _account_or_404(account_id)
    ensure_can_change("social.manage", account.department_id)
    if account.is_archived:
        flash(_("アーカイブ済みのアカウントは確認を記録できません。"), "error")
        return redirect(url_for("social.detail", account_id=account.id))
    form = AttestationForm()
    if request.method == "GET":
        form.attested_on.data = today_tokyo()
        form.operators.data = account.operators
        form.credential_custodian.data = account.credential_custodian
        if account.mfa_enabled:
            form.mfa.data = MFA_ON
    months = attestation_months()
    if form.validate_on_submit():
        assert form.attested_on.data is not None  # InputRequired
        data = attestation_services.AttestationData(
            attested_on=form.attested_on.data,
            operators=form.operators.data or "",
            mfa_enabled=form.mfa.data == MFA_ON,
            credential_custodian=form.credential_custodian.data or "",
            password_changed_on=form.password_changed_on.data,
            recovery_contact_checked=bool(form.recovery_contact_checked.data),
            notes=form.notes.data or "",
        )
        try:
            attestation = attestation_services.attest(
                db.session, account, current_user, data, months
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "定期確認を記録しました。次回の確認期限は %(day)s です。",
                    day=format_day(attestation.next_review_on),
                ),
                "success",
            )
            if not (attestation.mfa_enabled and attestation.credentials_ok):
                flash(
                    _(
                        "多要素認証または認証情報の管理に要対応の項目があります。早めに対応してください。"
                    ),
                    "warning",
                )
            return redirect(url_for("social.detail", account_id=account.id))
    return render_template(
        "social/attestation_form.html", account=account, form=form, months=months
    )
