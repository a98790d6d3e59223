"""Document pages: versions of an arrangement's document, generate, download, compare."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from vendorguard.arrangements import access
from vendorguard.arrangements.access import arrangement_url
from vendorguard.arrangements.models import Arrangement
from vendorguard.auth.models import User
from vendorguard.auth.permissions import require
from vendorguard.catalog import services as catalog
from vendorguard.core.errors import DomainError
from vendorguard.core.pagination import paginate
from vendorguard.core.web import Sorting, sorting
from vendorguard.documents import queries, services
from vendorguard.documents.blueprint import bp
from vendorguard.documents.forms import GenerateForm
from vendorguard.documents.models import ContractDocument, DocumentKind
from vendorguard.extensions import db
from vendorguard.storage import get_storage
from vendorguard.storage.download import ascii_part, send_stored

# The blueprint's gate, dashboard.view, only admits internal users; who may see or generate a
# document is decided by its arrangement's register (vendorguard.arrangements.access).

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SORTS = {
    "version": (ContractDocument.version, ContractDocument.id),
    "created": (ContractDocument.created_at, ContractDocument.id),
}


def _document_or_404(doc_id: int) -> tuple[ContractDocument, Arrangement]:
    document = db.session.get(ContractDocument, doc_id)
    if document is None:
        abort(404)
    arrangement = access.arrangement_or_404(document.arrangement_id)
    access.ensure_can_view(arrangement)  # as visible as its arrangement
    return document, arrangement


def _coverage_message(error: DomainError) -> str:
    """The catalog's message, with the requirement codes that lack a clause named."""
    codes = [str(code) for code in getattr(error, "codes", None) or ()]
    for gap in getattr(error, "gaps", None) or ():
        code = getattr(gap, "code", None) or getattr(
            getattr(gap, "requirement", None), "code", None
        )
        codes.append(str(code or gap))
    missing = [code for code in codes if code not in error.message]
    if not missing:
        return error.message
    return _(
        "%(message)s（条項のない要件：%(codes)s）", message=error.message, codes="、".join(missing)
    )


def _ascii_filename(document: ContractDocument) -> str:
    """A plain-ASCII fallback name for clients that ignore filename*."""
    # 「R9-情政-001」 loses its kanji here; the separators left around them collapse into one.
    name = re.sub(r"[-_]*([-_])[-_]*", r"\1", ascii_part(document.filename)).strip("-_")
    return (
        f"{DocumentKind(document.kind).value}_{name}"
        if name
        else f"document_v{document.version}.docx"
    )


def coverage_gaps(arrangement: Arrangement) -> list[str]:
    """Codes of applicable requirements with neither clause nor waiver."""
    return [gap.code for gap in catalog.coverage(db.session, arrangement).gaps]


def _versions_page(arrangement: Arrangement, form: GenerateForm, error: str | None = None):
    sort = sorting(SORTS, "version")
    if "dir" not in request.args:
        sort = Sorting(sort.key, True, sort.columns)
    page = paginate(sort.apply(queries.versions_for(arrangement.id)))
    refusal = services.refusal(arrangement)
    return render_template(
        "documents/versions.html",
        arrangement=arrangement,
        page=page,
        sort=sort,
        kind=services.document_kind(arrangement),
        form=form,
        may_generate=access.can_manage(current_user, arrangement),
        refusal=refusal,
        gaps=None if refusal else coverage_gaps(arrangement),
        error=error,
        arrangement_url=arrangement_url(arrangement),
        lint_results=services.lint_latest(db.session, get_storage(), arrangement),
    )


@bp.route("/arrangement/<int:arrangement_id>")
@require("dashboard.view")
def versions(arrangement_id: int):
    """Every version of an arrangement's document, newest first, with the generate form."""
    arrangement = access.arrangement_or_404(arrangement_id)
    access.ensure_can_view(arrangement)  # as visible as its arrangement
    return _versions_page(arrangement, GenerateForm())


@bp.route("/arrangement/<int:arrangement_id>/generate", methods=["POST"])
@require("dashboard.view")
def generate(arrangement_id: int):
    """Generate the next version from the approved clauses and store it."""
    arrangement = access.arrangement_or_404(arrangement_id)
    access.ensure_can_manage(arrangement)
    back = redirect(url_for("documents.versions", arrangement_id=arrangement.id))
    form = GenerateForm()
    if not form.validate_on_submit():
        return _versions_page(arrangement, form)
    storage = get_storage()
    try:
        documents = services.generate_documents(
            db.session, storage, arrangement, current_user, date_style=form.date_style.data or None
        )
    except DomainError as error:
        db.session.rollback()
        # The same page again, with the choice kept and the reason beside the button.
        return _versions_page(
            access.arrangement_or_404(arrangement_id), form, _coverage_message(error)
        )
    keys = [document.storage_key for document in documents]
    try:
        db.session.commit()
    except IntegrityError:
        # Someone generated the same version number a moment earlier: keep theirs, drop ours.
        db.session.rollback()
        for key in keys:
            services.discard_object(storage, key)
        flash(
            _("同時に別の版が作成されました。一覧を確認し、必要ならもう一度作成してください。"),
            "error",
        )
        return back
    for document in documents:
        flash(
            _(
                "%(title)s（第%(version)d版）を作成しました。",
                title=document.kind_label,
                version=document.version,
            ),
            "success",
        )
    return back


@bp.route("/<int:doc_id>/download")
@require("dashboard.view")
def download(doc_id: int):
    """The stored file exactly as generated, always as an attachment."""
    document, arrangement = _document_or_404(doc_id)
    return send_stored(
        get_storage(),
        document.storage_key,
        document.filename,
        mimetype=DOCX_MIME,
        ascii_filename=_ascii_filename(document),
        size=document.size,
        back_url=url_for("documents.versions", arrangement_id=arrangement.id),
    )


@bp.route("/<int:doc_id>/diff")
@require("dashboard.view")
def diff(doc_id: int):
    """A version's details and, article by article, what changed since the previous version."""
    document, arrangement = _document_or_404(doc_id)
    against = request.args.get("against", type=int)
    if against is not None:
        previous = db.session.get(ContractDocument, against)
        if (
            previous is None
            or previous.arrangement_id != document.arrangement_id
            or previous.kind != document.kind
        ):
            abort(404)
    else:
        previous = services.previous_version(db.session, document)
    changes = services.diff_versions(previous, document) if previous is not None else []
    counts = {
        status: sum(1 for c in changes if c.status == status)
        for status in ("added", "removed", "changed", "unchanged")
    }
    creators = {d.created_by_id for d in (document, previous) if d is not None and d.created_by_id}
    names = {
        user.id: user.name for user in db.session.scalars(select(User).where(User.id.in_(creators)))
    }
    others = db.session.execute(
        select(ContractDocument.id, ContractDocument.version)
        .where(
            ContractDocument.arrangement_id == document.arrangement_id,
            ContractDocument.kind == document.kind,
            ContractDocument.id != document.id,
        )
        .order_by(ContractDocument.version.desc())
    ).all()
    clause_versions = db.session.execute(queries.clause_versions_used(document)).all()
    return render_template(
        "documents/diff.html",
        document=document,
        clause_versions=clause_versions,
        previous=previous,
        changes=changes,
        counts=counts,
        arrangement=arrangement,
        names=names,
        others=others,
        arrangement_url=arrangement_url(arrangement),
    )
