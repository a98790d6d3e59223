"""Import pages: choose a register, download its template, upload, map columns, preview, apply."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from vendorguard.auth.permissions import require
from vendorguard.core import settings
from vendorguard.core.errors import DomainError
from vendorguard.core.export import XLSX_MIMETYPE
from vendorguard.core.pagination import page_arg
from vendorguard.extensions import db
from vendorguard.imports import runs, services, template, worker
from vendorguard.imports.blueprint import bp
from vendorguard.imports.columns import IGNORE
from vendorguard.imports.engine import STATUSES
from vendorguard.imports.forms import MappingForm, UploadForm
from vendorguard.imports.lookups import Lookups
from vendorguard.imports.models import BatchStatus
from vendorguard.imports.registers import REGISTERS, Register, register_for, registers_for
from vendorguard.storage.factory import get_storage

MiB = 1024 * 1024


class ListPage(Pagination):
    """One page of the preview's rows (kept as JSON on the batch, so no query at all)."""

    def __init__(self, rows: list[Any], page: int, per_page: int):
        self._rows = rows
        self.page, self.per_page, self.max_per_page = page, per_page, 200
        self.total = len(rows)
        self.page = min(self.page, max(1, -(-self.total // per_page)))
        self.items = rows[self._query_offset : self._query_offset + per_page]

    def _query_items(self) -> list[Any]:
        return self.items

    def _query_count(self) -> int:
        return len(self._rows)


def _app() -> Flask:
    """The application itself (a background pass outlives the request's proxy)."""
    return current_app._get_current_object()  # type: ignore[attr-defined]


def _register(key: str) -> Register:
    if key not in REGISTERS:
        abort(404)
    register = register_for(current_user, key)
    if register is None:
        abort(403)
    return register


@bp.route("/")
@require("dashboard.view")
def index():
    """The registers the signed-in person may import into."""
    registers = registers_for(current_user)
    if not registers:
        abort(403)
    return render_template("imports/index.html", registers=registers)


@bp.route("/<register_key>/template.xlsx")
@require("dashboard.view")
def template_download(register_key: str):
    """The register's template with its drop-down lists."""
    register = _register(register_key)
    data = template.build(register, Lookups(db.session, current_user))
    filename = _("%(register)s_取り込みテンプレート.xlsx", register=register.label)
    response = Response(data, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="import-template-{register.key}.xlsx"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _start(batch, mode: str) -> None:
    runs.begin(db.session, batch, mode)
    worker.enqueue(db.session, batch.id, mode)  # with a job engine: queued with the run's start
    db.session.commit()
    worker.start(_app(), batch.id, mode)


@bp.route("/<register_key>/", methods=["GET", "POST"])
@require("dashboard.view")
def upload(register_key: str):
    """Upload a file; it is kept until applied or replaced (``IMPORT_KEEP_HOURS`` at most)."""
    register = _register(register_key)
    form = UploadForm(register)
    if form.validate_on_submit():
        upload_file = form.file.data
        config = settings.current()
        try:
            batch = services.upload(
                db.session,
                get_storage(),
                current_user,
                register,
                upload_file.stream,
                services.local_filename(upload_file.filename or ""),
                form.table.data or "",
                keep_hours=config.import_keep_hours,
                max_bytes=config.import_max_mb * MiB,
            )
        except DomainError as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, error.message]
        else:
            if services.undecided(batch):
                db.session.commit()
                return redirect(url_for("imports.mapping", register_key=register.key))
            _start(batch, worker.PREVIEW)
            return redirect(url_for("imports.preview", register_key=register.key))
    kept = services.current(db.session, current_user.id, register.key)
    return render_template(
        "imports/upload.html",
        register=register,
        form=form,
        batch=kept,
        max_mb=settings.current().import_max_mb,
    )


@bp.route("/<register_key>/mapping", methods=["GET", "POST"])
@require("dashboard.view")
def mapping(register_key: str):
    """Say, for each header the app does not know, which column it is, or that it is not read."""
    register = _register(register_key)
    batch = services.current(db.session, current_user.id, register.key)
    if batch is None or batch.status == BatchStatus.APPLIED:
        flash(_("取り込み待ちのファイルがありません。ファイルを選んでください。"), "error")
        return redirect(url_for("imports.upload", register_key=register.key))
    form = MappingForm()
    error = None
    if form.validate_on_submit():
        choices: dict[str, dict[str, str]] = {}
        for layout in services.layouts_of(batch):
            choices[layout.table] = {
                str(index): request.form.get(f"column-{layout.table}-{index}", "")
                for index in layout.unknown
            }
        try:
            services.decide(db.session, batch, choices)
        except DomainError as refused:
            db.session.rollback()
            error = refused.message
        else:
            _start(batch, worker.PREVIEW)
            return redirect(url_for("imports.preview", register_key=register.key))
    sheets = []
    for layout in services.layouts_of(batch):
        table = register.table(layout.table)
        offered = [
            (column.key, str(column.label))
            for column in table.columns
            if not column.export_only and column.key not in layout.known.values()
        ]
        sheets.append((layout, table, offered))
    return render_template(
        "imports/mapping.html",
        register=register,
        batch=batch,
        sheets=sheets,
        form=form,
        error=error,
        chosen=request.form if request.method == "POST" else {},
        ignore=IGNORE,
    )


@bp.route("/<register_key>/preview")
@require("dashboard.view")
def preview(register_key: str):
    """The dry run: each row as created / updated / unchanged / error, problems next to the cell."""
    register = _register(register_key)
    batch = services.current(db.session, current_user.id, register.key)
    if batch is None:
        flash(_("取り込み待ちのファイルがありません。ファイルを選んでください。"), "error")
        return redirect(url_for("imports.upload", register_key=register.key))
    if batch.status == BatchStatus.NEEDS_MAPPING:
        return redirect(url_for("imports.mapping", register_key=register.key))
    status = request.args.get("status", "")
    rows = batch.rows or []
    if status in STATUSES:
        rows = [row for row in rows if row[2] == status]
    page = ListPage(rows, page_arg(), settings.current().page_size)
    html = render_template(
        "imports/preview.html",
        register=register,
        batch=batch,
        page=page,
        status=status,
        statuses=STATUSES,
        counts=(batch.summary or {}).get("counts", {}),
        run=runs.of(db.session, batch.id),
    )
    response = Response(html)
    if batch.status == BatchStatus.RUNNING:
        response.headers["Refresh"] = "3"  # the page follows the pass until it ends
    return response


@bp.route("/<register_key>/apply", methods=["POST"])
@require("dashboard.view")
def apply(register_key: str):
    """Apply the previewed file in one transaction (nothing is saved if any row is refused)."""
    register = _register(register_key)
    batch = services.current(db.session, current_user.id, register.key)
    if batch is None or batch.status != BatchStatus.PREVIEWED:
        flash(_("反映できる確認済みのファイルがありません。"), "error")
        return redirect(url_for("imports.upload", register_key=register.key))
    if (batch.summary or {}).get("counts", {}).get("error"):
        flash(
            _(
                "エラーのある行があるため反映できません。ファイルを直して、もう一度アップロードしてください。"
            ),
            "error",
        )
        return redirect(url_for("imports.preview", register_key=register.key))
    _start(batch, worker.APPLY)
    return redirect(url_for("imports.preview", register_key=register.key))


@bp.route("/<register_key>/discard", methods=["POST"])
@require("dashboard.view")
def discard(register_key: str):
    """Forget the kept file and its preview."""
    register = _register(register_key)
    batch = services.current(db.session, current_user.id, register.key)
    if batch is not None and batch.status != BatchStatus.RUNNING:
        services.discard(db.session, get_storage(), batch)
        db.session.commit()
        flash(_("アップロードしたファイルを破棄しました。"), "success")
    return redirect(url_for("imports.upload", register_key=register.key))
