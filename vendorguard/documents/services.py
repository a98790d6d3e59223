"""Generating documents: facts + the catalog's articles → .docx → storage → an immutable version."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any

from flask import has_app_context
from flask_babel import gettext as _
from jinja2 import TemplateError
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.audit import services as audit
from vendorguard.audit.capture import jsonable, snapshot
from vendorguard.core import settings
from vendorguard.core.errors import DomainError
from vendorguard.documents import docx_writer
from vendorguard.documents.diff import ArticleChange, diff_articles
from vendorguard.documents.facts import facts_for
from vendorguard.documents.models import ContractDocument, DateStyle, DocumentKind
from vendorguard.storage.base import Storage, StorageError, new_key

log = logging.getLogger(__name__)
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')


def document_kind(arrangement: Arrangement) -> DocumentKind:
    """The document an arrangement gets (appendix, cloud requirements or SNS procedure)."""
    return DocumentKind.for_arrangement(arrangement.kind)


def document_kinds(arrangement: Arrangement) -> list[DocumentKind]:
    """The documents that can be generated for this arrangement now (a cloud service under a
    contract: the provider's requirements and the city's use-approval record)."""
    if refusal(arrangement) is not None:
        return []  # a service used under standard terms gets neither: its record is the application
    return list(DocumentKind.all_for_arrangement(arrangement.kind))


def refusal(arrangement: Arrangement, kind: DocumentKind | None = None) -> str | None:
    """Why no document (of ``kind``; default: the main one) can be generated now, or None."""
    if arrangement.archived_at is not None:
        return _("アーカイブ済みの案件については文書を作成できません。")
    from vendorguard.cloud.models import CloudService, TermsType

    kind = kind or document_kind(arrangement)
    if (
        isinstance(arrangement, CloudService)
        and kind == DocumentKind.CLOUD_REQUIREMENTS
        and arrangement.terms_type != TermsType.CONTRACT
    ):
        return _(
            "約款（利用規約）による外部サービスは個別の契約を結ばないため、セキュリティ要件の文書は作成しません。"
        )
    return None


def filename_for(kind: DocumentKind, arrangement: Arrangement, version: int) -> str:
    """情報セキュリティに関する特記事項_R8-00012_v3.docx (never used as a storage path)."""
    ident = (
        getattr(arrangement, "contract_number", None) or arrangement.title or f"ID{arrangement.id}"
    )
    ident = _UNSAFE_FILENAME.sub("_", ident).strip("._")[:60] or f"ID{arrangement.id}"
    return f"{kind.printed_title}_{ident}_v{version}.docx"


def next_version(session: Session, arrangement_id: int, kind: DocumentKind) -> int:
    """One more than the newest version of this arrangement's document of this kind."""
    newest = session.scalar(
        select(func.max(ContractDocument.version)).where(
            ContractDocument.arrangement_id == arrangement_id, ContractDocument.kind == kind
        )
    )
    return (newest or 0) + 1


def _template_dirs(template_dirs: Sequence[str | None] | None) -> Sequence[str | None]:
    if template_dirs is not None:
        return template_dirs
    return [settings.current().contract_templates_dir] if has_app_context() else []


def waiver_snapshot(waivers: Iterable[Any]) -> list[dict[str, Any]]:
    """Waivers as JSON, whatever shape they come in (rows, dataclasses, dicts)."""
    result = []
    for waiver in waivers or ():
        if isinstance(waiver, dict):
            result.append(jsonable(waiver))
        elif hasattr(inspect(waiver, raiseerr=False), "mapper"):
            result.append(snapshot(waiver))
        elif hasattr(waiver, "__dataclass_fields__"):
            result.append(
                jsonable({name: getattr(waiver, name) for name in waiver.__dataclass_fields__})
            )
        else:
            result.append({"text": str(waiver)})
    return result


def coverage_waivers(result: Any) -> list[dict[str, Any]]:
    """The waivers of a catalog coverage result, each with its requirement's code and title."""
    rows = getattr(result, "rows", None)
    if rows is None:
        return waiver_snapshot(getattr(result, "waivers", ()))
    snapshots = []
    for row in rows:
        if getattr(row, "waiver", None) is None:
            continue
        item = waiver_snapshot([row.waiver])[0]
        item["requirement_code"] = row.requirement.code
        item["requirement_title"] = getattr(row.requirement, "title_ja", "")
        snapshots.append(item)
    return snapshots


def _render(
    kind: DocumentKind,
    facts: dict,
    articles: Iterable[Any],
    date_style: str | None,
    template_dirs: Sequence[str | None],
) -> docx_writer.Rendered:
    try:
        return docx_writer.render(kind.template, facts, articles, date_style, template_dirs)
    except docx_writer.TemplateNotFound as error:
        raise DomainError(
            _(
                "Word テンプレート「%(name)s」が見つかりません。管理者に連絡してください。",
                name=kind.template,
            )
        ) from error
    except TemplateError as error:
        raise DomainError(
            _(
                "Word テンプレート「%(name)s」の差し込み項目に誤りがあります（%(detail)s）。"
                "テンプレートを修正してください。",
                name=kind.template,
                detail=str(error),
            )
        ) from error


def generate_from_articles(
    session: Session,
    storage: Storage,
    arrangement: Arrangement,
    user: Any,
    articles: Iterable[Any],
    waivers: Iterable[Any] = (),
    date_style: str | None = None,
    template_dirs: Sequence[str | None] | None = None,
    kind: DocumentKind | None = None,
) -> tuple[ContractDocument, bytes]:
    """Render the arrangement's document from ``articles``, store it, add its version row, and
    hand back the row and the bytes stored.

    The object is stored first and the row added after, so a row never points at a missing
    object; if the row cannot be added, the object is deleted again. The caller commits.
    """
    kind = kind or document_kind(arrangement)
    reason = refusal(arrangement, kind)
    if reason:
        raise DomainError(reason)
    rendered = _render(
        kind,
        facts_for(session, arrangement, kind),
        articles,
        date_style,
        _template_dirs(template_dirs),
    )
    # Serialise generations of one arrangement (PostgreSQL row lock; SQLite locks on write).
    session.execute(
        select(Arrangement.id).where(Arrangement.id == arrangement.id).with_for_update()
    )
    version = next_version(session, arrangement.id, kind)
    key = new_key("documents")
    stored = storage.put(key, io.BytesIO(rendered.data))
    document = ContractDocument(
        arrangement_id=arrangement.id,
        kind=kind,
        version=version,
        storage_key=stored.key,
        sha256=stored.sha256,
        size=stored.size,
        filename=filename_for(kind, arrangement, version),
        articles=rendered.articles,
        clause_version_ids=sorted(
            {
                a["clause_version_id"]
                for a in rendered.articles
                if a["clause_version_id"] is not None
            }
        ),
        waivers=waiver_snapshot(waivers),
        date_style=DateStyle(rendered.date_style),
        template=rendered.template,
        created_by_id=getattr(user, "id", None),
    )
    try:
        session.add(document)
        audit.tag(session, document, "generate")
        session.flush()
    except BaseException:
        discard_object(storage, stored.key)
        raise
    return document, rendered.data


def discard_object(storage: Storage, key: str) -> None:
    """Delete a stored object whose row could not be saved (a failure here is only logged:
    ``vg storage-check`` finds what is left)."""
    try:
        storage.delete(key)
    except StorageError:
        log.exception("could not delete orphan object %s", key)


def generate_appendix(
    session: Session,
    storage: Storage,
    arrangement: Arrangement,
    user: Any,
    date_style: str | None = None,
    template_dirs: Sequence[str] | None = None,
    kind: DocumentKind | None = None,
) -> ContractDocument:
    """Generate the next version of the arrangement's document from the clause catalog.

    Raises the catalog's ``CoverageIncomplete`` while an applicable requirement has no clause
    and no waiver (that rule is the catalog's); the waivers in force are kept with the version.
    """
    return generate_appendix_with_data(
        session, storage, arrangement, user, date_style, template_dirs, kind
    )[0]


def generate_documents(
    session: Session,
    storage: Storage,
    arrangement: Arrangement,
    user: Any,
    date_style: str | None = None,
) -> list[ContractDocument]:
    """Generate the next version of every document the arrangement gets (see ``document_kinds``)."""
    kinds = document_kinds(arrangement)
    if not kinds:
        raise DomainError(refusal(arrangement) or _("この案件の文書は作成できません。"))
    return [
        generate_appendix(session, storage, arrangement, user, date_style, kind=kind)
        for kind in kinds
    ]


def generate_appendix_with_data(
    session: Session,
    storage: Storage,
    arrangement: Arrangement,
    user: Any,
    date_style: str | None = None,
    template_dirs: Sequence[str] | None = None,
    kind: DocumentKind | None = None,
) -> tuple[ContractDocument, bytes]:
    """``generate_appendix`` that also hands back the bytes it stored (a bulk zip needs them
    and should not read every document back from an object store)."""
    kind = kind or document_kind(arrangement)
    reason = refusal(arrangement, kind)
    if reason:
        raise DomainError(reason)
    from vendorguard.catalog import services as catalog  # late: the catalog is a separate feature

    dirs = _template_dirs(template_dirs)
    try:
        # Dates inside clause texts follow the same style as the document's own dates.
        style = docx_writer.resolve_date_style(kind.template, date_style, dirs)
    except docx_writer.TemplateNotFound as error:
        raise DomainError(
            _(
                "Word テンプレート「%(name)s」が見つかりません。管理者に連絡してください。",
                name=kind.template,
            )
        ) from error
    only = {} if kind.internal_clauses is None else {"internal": kind.internal_clauses}
    # One coverage computation serves both the articles and the waivers kept with the version.
    computed = catalog.coverage(session, arrangement, cached=True)
    articles = catalog.render_articles(
        session, arrangement, date_style=style, computed=computed, **only
    )
    waivers = coverage_waivers(computed)
    return generate_from_articles(
        session, storage, arrangement, user, articles, waivers, style, dirs, kind
    )


def previous_version(session: Session, document: ContractDocument) -> ContractDocument | None:
    """The version generated before ``document`` for the same arrangement and kind."""
    return session.scalars(
        select(ContractDocument)
        .where(
            ContractDocument.arrangement_id == document.arrangement_id,
            ContractDocument.kind == document.kind,
            ContractDocument.version < document.version,
        )
        .order_by(ContractDocument.version.desc())
        .limit(1)
    ).first()


def diff_versions(old: ContractDocument | None, new: ContractDocument) -> list[ArticleChange]:
    """Article by article, what changed from ``old`` to ``new`` (from their JSON snapshots)."""
    return diff_articles(old.articles if old is not None else [], new.articles)


def lint_latest(
    session: Session, storage: Storage, arrangement: Arrangement
) -> list[tuple[ContractDocument, list[Any]]]:
    """The newest version of each of the arrangement's documents with what the lint finds in it
    (a version whose file cannot be read is left out: the download says why)."""
    from vendorguard.city.services import load as load_city
    from vendorguard.documents.lint import lint_docx

    city_name = load_city(session).name
    results = []
    for kind in DocumentKind.all_for_arrangement(arrangement.kind):
        newest = session.scalars(
            select(ContractDocument)
            .where(ContractDocument.arrangement_id == arrangement.id, ContractDocument.kind == kind)
            .order_by(ContractDocument.version.desc())
            .limit(1)
        ).first()
        if newest is None:
            continue
        try:
            data = storage.read_bytes(newest.storage_key)
        except StorageError:
            continue
        results.append((newest, lint_docx(data, city_name)))
    return results
