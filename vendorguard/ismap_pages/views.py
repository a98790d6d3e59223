"""ISMAP list pages: registrations, importing a list, import history, and matching a cloud service."""

from __future__ import annotations

import io
import os

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from vendorguard.auth.permissions import ensure_can_change, require
from vendorguard.cloud import queries as cloud_queries
from vendorguard.cloud import services as cloud_services
from vendorguard.core import list_export
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.timeutil import today_tokyo
from vendorguard.core.web import search_term, sorting
from vendorguard.extensions import db
from vendorguard.ismap import matching, queries, services
from vendorguard.ismap.forms import FetchForm, LinkForm, UploadForm, ValidityMappingForm
from vendorguard.ismap.matching import REGISTRATION_STATUSES, IsmapStatus
from vendorguard.ismap.models import IsmapImport, IsmapKind, IsmapRegistration
from vendorguard.ismap.parsing import header_texts as parsing_header
from vendorguard.ismap_pages import exports
from vendorguard.ismap_pages.blueprint import bp
from vendorguard.storage import get_storage
from vendorguard.storage.base import StorageError, new_key

SORTS = {
    "number": (IsmapRegistration.registration_number,),
    "service": (IsmapRegistration.service_name, IsmapRegistration.id),
    "provider": (
        IsmapRegistration.provider_name,
        IsmapRegistration.service_name,
        IsmapRegistration.id,
    ),
    "registered": (IsmapRegistration.registered_on, IsmapRegistration.id),
    "valid": (IsmapRegistration.valid_until, IsmapRegistration.id),
}


def _enum_arg(name: str, enum_cls):
    try:
        return enum_cls(request.args.get(name, ""))
    except ValueError:
        return None


def _or_404(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _flash_result(record: IsmapImport) -> None:
    if not record.ok:
        return  # the import's page, shown next, explains the failure in full
    flash(
        _(
            "%(kind)sの一覧を取り込みました（%(rows)d件を読み込み、新規 %(created)d件・更新 %(updated)d件・"
            "リストから削除 %(left)d件・再掲載 %(returned)d件）。",
            kind=IsmapKind(record.list_kind).label,
            rows=record.rows_read,
            created=record.created,
            updated=record.updated,
            left=record.left_list,
            returned=record.returned,
        ),
        "success",
    )
    if record.warning_lines:
        flash(
            _(
                "読み飛ばした行などが%(count)d件あります。取り込み結果の警告を確認してください。",
                count=len(record.warning_lines),
            ),
            "warning",
        )


@bp.route("/")
@require("cloud.view")
def index():
    """Registrations on the ISMAP lists: search, list kind and status filters, sorting."""
    today = today_tokyo()
    filters = queries.RegistrationFilters(
        term=search_term(),
        kind=_enum_arg("kind", IsmapKind),
        status=_enum_arg("status", IsmapStatus),
    )
    sort = sorting(SORTS, "number")
    stmt = sort.apply(queries.registration_list(filters, today))
    if fmt := list_export.requested_format():
        return list_export.respond(fmt, stmt, exports.registrations(today), "ismap.index")
    page = paginate(stmt)
    latest = list(db.session.scalars(queries.latest_successful_imports()))
    return render_template(
        "ismap/index.html",
        page=page,
        sort=sort,
        filters=filters,
        latest=latest,
        kinds=list(IsmapKind),
        statuses=REGISTRATION_STATUSES,
        status_of=lambda registration: matching.status_for(registration, today),
    )


@bp.route("/registrations/<int:registration_id>")
@require("cloud.view")
def registration_detail(registration_id: int):
    """One registration with the cloud services that name it."""
    registration = _or_404(IsmapRegistration, registration_id)
    linked = list(
        db.session.scalars(
            cloud_queries.services_naming_registration(registration.registration_number)
        )
    )
    seen_in = {registration.first_seen_import_id, registration.last_seen_import_id} - {None}
    imports = {
        i.id: i for i in db.session.scalars(select(IsmapImport).where(IsmapImport.id.in_(seen_in)))
    }
    return render_template(
        "ismap/registration_detail.html",
        registration=registration,
        linked=linked,
        status=matching.status_for(registration),
        imports=imports,
    )


@bp.route("/import", methods=["GET", "POST"])
@require("ismap.manage")
def import_list():
    """Import a list from an uploaded file (the configured URL is fetched by ``fetch``)."""
    form = UploadForm()
    fetch_form = FetchForm(prefix="fetch")
    if form.validate_on_submit():
        upload = form.file.data
        filename = os.path.basename((upload.filename or "").replace("\\", "/")) or "upload"
        data = upload.read()
        record = services.import_file(
            db.session, data, filename, form.list_kind.data, current_user._get_current_object()
        )
        db.session.commit()
        if record.header_choices:
            # Only the validity column is unknown: keep the file and let the person point at it.
            key = get_storage().put(new_key(PENDING), io.BytesIO(data)).key
            mapping = ValidityMappingForm(
                formdata=None,
                pending=key,
                filename=filename,
                list_kind=form.list_kind.data,
            )
            return _mapping_page(mapping, record.header_choices, record)
        _flash_result(record)
        return redirect(url_for("ismap.import_detail", import_id=record.id))
    return render_template(
        "ismap/import.html",
        form=form,
        fetch_form=fetch_form,
        list_url=current_app.config["ISMAP_LIST_URL"],
        max_mb=f"{current_app.config['ISMAP_MAX_BYTES'] / 1024 / 1024:g}",
    )


PENDING = "ismap-pending"


def _mapping_page(form: ValidityMappingForm, header: list[str], failed: IsmapImport | None):
    form.column.choices = [(text, text) for text in header]
    return render_template("ismap/mapping.html", form=form, failed=failed, header=header)


@bp.route("/import/mapping", methods=["POST"])
@require("ismap.manage")
def import_mapped():
    """Import a kept file again with the column the person chose as deciding validity."""
    form = ValidityMappingForm()
    key = form.pending.data or ""
    storage = get_storage()
    try:
        if not key.startswith(PENDING + "/"):
            raise ValueError(key)  # only a kept list file may be read back here
        data = storage.read_bytes(key)
    except (StorageError, ValueError):
        flash(
            _("取り込み待ちのファイルが見つかりません。もう一度ファイルを選んでください。"), "error"
        )
        return redirect(url_for("ismap.import_list"))
    header = parsing_header(data, form.filename.data or "")
    form.column.choices = [(text, text) for text in header]
    if not form.validate_on_submit():
        return _mapping_page(form, header, None)
    record = services.import_file(
        db.session,
        data,
        form.filename.data or "upload",
        form.list_kind.data,
        current_user._get_current_object(),
        validity_column=form.column.data,
        validity_kind=form.meaning.data,
    )
    db.session.commit()
    if record.ok:
        try:
            storage.delete(key)
        except StorageError:
            pass  # an object left behind is an orphan that `vg storage-check` reports
    _flash_result(record)
    return redirect(url_for("ismap.import_detail", import_id=record.id))


@bp.route("/fetch", methods=["POST"])
@require("ismap.manage")
def fetch():
    """Download the list from the configured URL and import it."""
    form = FetchForm(prefix="fetch")
    url = current_app.config["ISMAP_LIST_URL"]
    if not url:
        flash(_("一覧の URL が設定されていません（VENDORGUARD_ISMAP_LIST_URL）。"), "error")
        return redirect(url_for("ismap.import_list"))
    if not form.validate_on_submit():
        flash(_("一覧の種類を選んでください。"), "error")
        return redirect(url_for("ismap.import_list"))
    record = services.import_url(
        db.session,
        url,
        form.list_kind.data,
        current_user._get_current_object(),
        timeout=current_app.config["ISMAP_DOWNLOAD_TIMEOUT"],
        max_bytes=current_app.config["ISMAP_MAX_BYTES"],
    )
    db.session.commit()
    _flash_result(record)
    return redirect(url_for("ismap.import_detail", import_id=record.id))


@bp.route("/imports/")
@require("cloud.view")
def imports():
    """The history of list imports, newest first."""
    page = paginate(queries.import_history())
    return render_template("ismap/imports.html", page=page)


@bp.route("/imports/<int:import_id>")
@require("cloud.view")
def import_detail(import_id: int):
    """One import: counts, warnings, or why it failed."""
    record = db.session.scalars(queries.import_history().where(IsmapImport.id == import_id)).first()
    if record is None:
        abort(404)
    return render_template("ismap/import_detail.html", record=record)


def _service_or_404(service_id: int):
    service = db.session.scalars(cloud_queries.cloud_service_for_matching(service_id)).first()
    if service is None:
        abort(404)
    return service


@bp.route("/services/<int:service_id>")
@require("cloud.approve")
def service_match(service_id: int):
    """A cloud service's ISMAP status, or candidate registrations to link it to."""
    service = _service_or_404(service_id)
    status, registration = matching.service_status(db.session, service)
    suggestions = matching.suggest_registrations(db.session, service.title, service.provider_label)
    today = today_tokyo()
    return render_template(
        "ismap/service.html",
        service=service,
        status=status,
        registration=registration,
        suggestions=suggestions,
        form=LinkForm(),
        status_of=lambda r: matching.status_for(r, today),
    )


@bp.route("/services/<int:service_id>/link", methods=["POST"])
@require("cloud.approve")
def service_link(service_id: int):
    """Link a cloud service to the chosen registration."""
    service = _service_or_404(service_id)
    ensure_can_change("cloud.manage", service.department_id)
    form = LinkForm()
    if not form.validate_on_submit() or not str(form.registration_id.data).isdigit():
        abort(400)
    registration = _or_404(IsmapRegistration, int(form.registration_id.data))
    try:
        cloud_services.link_ismap_registration(db.session, service, registration)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "「%(service)s」を ISMAP 登録番号 %(number)s（%(name)s）と紐付けました。",
                service=service.title,
                number=registration.registration_number,
                name=registration.service_name,
            ),
            "success",
        )
    return redirect(url_for("ismap.service_match", service_id=service_id))
