"""The SSO settings pages (administrators): providers and their claim → role rows."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from vendorguard.auth.permissions import require
from vendorguard.auth.roles import Role
from vendorguard.auth.services import sso_only_roles
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.web import absolute_url, show_domain_error
from vendorguard.extensions import db
from vendorguard.org.queries import active_departments
from vendorguard.sso import queries, services
from vendorguard.sso.blueprint import admin_bp
from vendorguard.sso.forms import MappingForm, ProviderForm
from vendorguard.sso.models import SsoProvider, SsoRoleMapping


def _provider(provider_id: int) -> SsoProvider:
    provider = db.session.get(SsoProvider, provider_id)
    if provider is None:
        abort(404)
    return provider


def _edit_page(
    provider: SsoProvider, form: ProviderForm, mapping_form: MappingForm, status: int = 200
) -> ResponseReturnValue:
    rows = paginate(queries.mapping_list(provider.id))
    return render_template(
        "sso/provider_form.html",
        form=form,
        provider=provider,
        mapping_form=mapping_form,
        rows=rows,
    ), status


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


@admin_bp.route("/")
@require("user.manage")
def providers() -> ResponseReturnValue:
    """The registered OpenID providers."""
    return render_template(
        "sso/providers.html",
        page=paginate(queries.provider_list()),
        callback_url=absolute_url("sso.callback"),
        sso_only_roles=sorted(sso_only_roles(), key=list(Role).index),
    )


@admin_bp.route("/new", methods=["GET", "POST"])
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
            return redirect(url_for("sso.admin.provider_edit", provider_id=provider.id))
    return render_template("sso/provider_form.html", form=form, provider=None)


@admin_bp.route("/<int:provider_id>", methods=["GET", "POST"])
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
            return redirect(url_for("sso.admin.provider_edit", provider_id=provider.id))
    return _edit_page(provider, form, mapping_form)


@admin_bp.route("/<int:provider_id>/mappings", methods=["POST"])
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
            return redirect(url_for("sso.admin.provider_edit", provider_id=provider.id))
    return _edit_page(provider, form, mapping_form, 400)


@admin_bp.route("/mappings/<int:mapping_id>/delete", methods=["POST"])
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
    return redirect(url_for("sso.admin.provider_edit", provider_id=provider_id))
