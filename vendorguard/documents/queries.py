"""Reads of document versions that pages share."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from vendorguard.catalog.models import Clause, ClauseVersion
from vendorguard.documents.models import BulkJob, ContractDocument


def versions_for(arrangement_id: int) -> Select:
    """An arrangement's document versions with who made them (one query, no lazy loads)."""
    return (
        select(ContractDocument)
        .options(joinedload(ContractDocument.created_by))
        .where(ContractDocument.arrangement_id == arrangement_id)
    )


def latest_versions(arrangement_id: int, limit: int = 5) -> Select:
    """The newest few versions, for the arrangement's own page (``documents/_versions.html``)."""
    return (
        versions_for(arrangement_id)
        .order_by(ContractDocument.version.desc(), ContractDocument.id.desc())
        .limit(limit)
    )


def bulk_job(job_id: int) -> Select:
    """One bulk job with who made it and the department it is limited to."""
    return (
        select(BulkJob)
        .options(joinedload(BulkJob.created_by), joinedload(BulkJob.department))
        .where(BulkJob.id == job_id)
    )


def clause_versions_used(document: ContractDocument) -> Select:
    """The clause versions a document was built from, as people name them: code, title, 第N版 and
    when it was approved (one query), in the catalog's order."""
    return (
        select(
            Clause.code,
            ClauseVersion.title,
            ClauseVersion.number,
            ClauseVersion.approved_at,
        )
        .join(Clause, ClauseVersion.clause_id == Clause.id)
        .where(ClauseVersion.id.in_(list(document.clause_version_ids or [])))
        .order_by(Clause.sort_order, Clause.code)
    )
