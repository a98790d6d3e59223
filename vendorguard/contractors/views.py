"""Contractor register pages; certificate pages live in ``contractors.certification_views``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from vendorguard.auth.permissions import require
from vendorguard.contractors import exports, queries, services
from vendorguard.contractors.blueprint import bp
from vendorguard.contractors.forms import ContractorForm
from vendorguard.contractors.models import CertificationKind, Contractor
from vendorguard.contractors.panels import contractor_panels
from vendorguard.core import list_export
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate_kept
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import search_term, show_domain_error, sorting
from vendorguard.extensions import db

FIELDS = (
    "name",
    "name_kana",
    "corporate_number",
    "address",
    "contact_name",
    "contact_email",
    "contact_phone",
    "notes",
)


def contractor_or_404(contractor_id: int) -> Contractor:
    """The contractor with this id, or a 404 page."""
    contractor = db.session.get(Contractor, contractor_id)
    if contractor is None:
        abort(404)
    return contractor


def _data(form: ContractorForm) -> services.ContractorData:
    return services.ContractorData(**{name: form[name].data or "" for name in FIELDS})


def _show_error(form: ContractorForm, error: DomainError) -> None:
    show_domain_error(form, error)
    if isinstance(error, services.DuplicateCorporateNumber):
        # Point the clerk at the existing record instead of leaving them to search for it.
        link = Markup('<a href="{}">{}</a>').format(
            url_for("contractors.detail", contractor_id=error.existing_id), error.existing_name
        )
        form.corporate_number.errors.append(Markup(_("登録済みの委託事業者：%(link)s", link=link)))


def _cert_filter() -> CertificationKind | None:
    try:
        return CertificationKind(request.args.get("cert", ""))
    except ValueError:
        return None


@bp.route("/")
@require("contractor.view")
def index():
    """List contractors: search, filter by a certificate held today, sort by reading."""
    today = today_tokyo()
    term = search_term()
    cert = _cert_filter()
    include_archived = request.args.get("archived") == "1"
    sort = sorting(queries.SORTS, "kana")
    if fmt := list_export.requested_format():
        stmt = sort.apply(queries.contractor_list(today, term, cert, include_archived))
        return list_export.respond(fmt, stmt, exports.CONTRACTORS, "contractors.index")
    page = paginate_kept(
        (today, term, cert, include_archived, sort.key, sort.descending),
        lambda: (sort.apply(queries.contractor_list(today, term, cert, include_archived)), None),
    )
    held = {
        contractor.id: queries.held_certifications(contractor.certifications, today)
        for contractor, _valid_count in page.items
    }
    return render_template(
        "contractors/index.html",
        page=page,
        sort=sort,
        term=term,
        cert=cert,
        include_archived=include_archived,
        held=held,
        kinds=list(CertificationKind),
    )


@bp.route("/<int:contractor_id>")
@require("contractor.view")
def detail(contractor_id: int):
    """One contractor with its certificates and the engagements it works on."""
    contractor = contractor_or_404(contractor_id)
    return render_template(
        "contractors/detail.html",
        contractor=contractor,
        today=today_tokyo(),
        certifications=db.session.scalars(queries.certifications_of(contractor.id)).all(),
        **contractor_panels(db.session, contractor),
    )


@bp.route("/new", methods=["GET", "POST"])
@require("contractor.manage")
def new():
    """Register a contractor."""
    form = ContractorForm()
    if form.validate_on_submit():
        try:
            contractor = services.create_contractor(db.session, _data(form))
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("委託事業者「%(name)s」を登録しました。", name=contractor.name), "success")
            return redirect(url_for("contractors.detail", contractor_id=contractor.id))
    return render_template("contractors/form.html", form=form, contractor=None)


@bp.route("/<int:contractor_id>/edit", methods=["GET", "POST"])
@require("contractor.manage")
def edit(contractor_id: int):
    """Change a contractor's details."""
    contractor = contractor_or_404(contractor_id)
    form = ContractorForm(obj=contractor)
    if form.validate_on_submit():
        try:
            services.update_contractor(db.session, contractor, _data(form))
        except DomainError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("委託事業者「%(name)s」を更新しました。", name=contractor.name), "success")
            return redirect(url_for("contractors.detail", contractor_id=contractor.id))
    return render_template("contractors/form.html", form=form, contractor=contractor)


@bp.route("/<int:contractor_id>/archive", methods=["POST"])
@require("contractor.manage")
def archive(contractor_id: int):
    """Archive a contractor (nothing with history is deleted)."""
    contractor = contractor_or_404(contractor_id)
    try:
        services.archive_contractor(db.session, contractor)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("委託事業者「%(name)s」をアーカイブしました。", name=contractor.name), "success")
    return redirect(url_for("contractors.detail", contractor_id=contractor_id))


@bp.route("/<int:contractor_id>/restore", methods=["POST"])
@require("contractor.manage")
def restore(contractor_id: int):
    """Undo an archive."""
    contractor = contractor_or_404(contractor_id)
    try:
        services.restore_contractor(db.session, contractor)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("委託事業者「%(name)s」を元に戻しました。", name=contractor.name), "success")
    return redirect(url_for("contractors.detail", contractor_id=contractor_id))


# Registers the certificate pages on bp.
