"""The SSO settings pages (administrators): providers and their claim → role rows."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorguard.auth.permissions import require
from vendorguard.auth.roles import Role
from vendorguard.auth.services import sso_only_roles
from vendorguard.core.errors import DomainError
from vendorguard.core.web import absolute_url, show_domain_error
from vendorguard.extensions import db
from vendorguard.org.queries import active_departments
from vendorguard.sso import services
from vendorguard.sso.blueprint import bp
from vendorguard.sso.forms import MappingForm, ProviderForm
from vendorguard.sso.models import SsoProvider, SsoRoleMapping


def _provider(provider_id: int) -> SsoProvider:
    provider = db.session.scalars(
        select(SsoProvider)
        .where(SsoProvider.id == provider_id)
        .options(selectinload(SsoProvider.mappings))
    ).first()
    if provider is None:
        abort(404)
    return provider


def _provider_data(form: ProviderForm) -> services.ProviderData:
    return services.ProviderData(
        name=form.name.data or "",
        discovery_url=form.discovery_url.data or "",
        client_id=form.client_id.data or "",
        client_secret=form.client_secret.data or "",
        scopes=form.scopes.data or "",
        match_claim=form.match_claim.data or "",
        provisioning=bool(form.provisioning.data),
        enabled=bool(form.enabled.data),
    )


@bp.route("/settings/sso")
@require("user.manage")
def providers() -> ResponseReturnValue:
    """The registered OpenID providers."""
    rows = db.session.scalars(
        select(SsoProvider)
        .order_by(SsoProvider.name)
        .options(selectinload(SsoProvider.mappings))
    ).all()
    return render_template(
        "sso/providers.html",
        providers=rows,
        callback_url=absolute_url("sso.callback"),
        sso_only_roles=sorted(sso_only_roles(), key=list(Role).index),
    )


@bp.route("/settings/sso/new", methods=["GET", "POST"])
@require("user.manage")
def provider_new() -> ResponseReturnValue:
    """Register an OpenID provider."""
    form = ProviderForm()
    if form.validate_on_submit():
        try:
            provider = services.save_provider(db.session, None, _provider_data(form))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("IDプロバイダー「%(name)s」を登録しました。", name=provider.name), "success")
            return redirect(url_for("sso.provider_edit", provider_id=provider.id))
    return render_template("sso/provider_form.html", form=form, provider=None)


@bp.route("/settings/sso/<int:provider_id>", methods=["GET", "POST"])
@require("user.manage")
def provider_edit(provider_id: int) -> ResponseReturnValue:
    """Change a provider; its mapping rows are listed below the form."""
    provider = _provider(provider_id)
    form = ProviderForm(obj=provider)
    mapping_form = MappingForm(db.session.scalars(active_departments()).all())
    if form.validate_on_submit():
        try:
            services.save_provider(db.session, provider, _provider_data(form))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("IDプロバイダー「%(name)s」を保存しました。", name=provider.name), "success")
            return redirect(url_for("sso.provider_edit", provider_id=provider.id))
    return render_template(
        "sso/provider_form.html", form=form, provider=provider, mapping_form=mapping_form
    )


@bp.route("/settings/sso/<int:provider_id>/mappings", methods=["POST"])
@require("user.manage")
def mapping_new(provider_id: int) -> ResponseReturnValue:
    """Add a claim → role and department row."""
    provider = _provider(provider_id)
    form = ProviderForm(obj=provider, formdata=None)
    mapping_form = MappingForm(db.session.scalars(active_departments()).all())
    if mapping_form.validate_on_submit():
        data = services.MappingData(
            claim=mapping_form.claim.data or "",
            value=mapping_form.value.data or "",
            role=mapping_form.role.data or "",
            department_id=mapping_form.department_id.data,
            position=mapping_form.position.data or 0,
        )
        try:
            services.add_mapping(db.session, provider, data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(mapping_form, error)
        else:
            db.session.commit()
            flash(_("役割の対応を追加しました。"), "success")
            return redirect(url_for("sso.provider_edit", provider_id=provider.id))
    return render_template(
        "sso/provider_form.html", form=form, provider=provider, mapping_form=mapping_form
    ), 400


@bp.route("/settings/sso/mappings/<int:mapping_id>/delete", methods=["POST"])
@require("user.manage")
def mapping_delete(mapping_id: int) -> ResponseReturnValue:
    """Remove a mapping row."""
    mapping = db.session.get(SsoRoleMapping, mapping_id)
    if mapping is None:
        abort(404)
    provider_id = mapping.provider_id
    services.delete_mapping(db.session, mapping)
    db.session.commit()
    flash(_("役割の対応を削除しました。"), "success")
    return redirect(url_for("sso.provider_edit", provider_id=provider_id))
