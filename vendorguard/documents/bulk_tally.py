"""What a bulk job has made so far: the per-engagement labels, the running tally, the job's record
of each document written in that document's own transaction, and taking over a job whose worker was
killed (``take_over``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from vendorguard.core.timeutil import utcnow
from vendorguard.documents.bulk import SummaryRow, ZipCollector
from vendorguard.documents.models import BulkJob, ContractDocument
from vendorguard.engagements.models import Engagement
from vendorguard.storage import Storage


class Label(TypedDict):
    """What the summary and the error list print for one engagement."""

    contract_number: str
    title: str
    department: str
    contractor: str


@dataclass
class Tally:
    """Counts, errors and results of a run so far, and the summary's rows."""

    done: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    rows: list[SummaryRow] = field(default_factory=list)


def labels_of(session: Session, ids: list[int]) -> dict[int, Label]:
    """Names to print for each engagement, read once (objects expire at every commit)."""
    labels: dict[int, Label] = {}
    stmt = (
        select(Engagement)
        .options(joinedload(Engagement.contractor), joinedload(Engagement.department))
        .where(Engagement.id.in_(ids or [0]))
    )
    for engagement in session.scalars(stmt):
        labels[engagement.id] = {
            "contract_number": engagement.contract_number or "",
            "title": engagement.title,
            "department": engagement.department.name if engagement.department else "",
            "contractor": engagement.contractor.name if engagement.contractor else "",
        }
    return labels


def result_entry(made: dict[str, Any], name: str) -> dict[str, Any]:
    """The job's record of one made document (``name``: its file name in the zip)."""
    return {key: made[key] for key in ("arrangement_id", "document_id", "version")} | {
        "filename": name
    }


def recorder(session: Session, job_id: int, tally: Tally) -> Callable[[dict[str, Any]], None]:
    """Write the job's count and list of made documents in the document's own transaction."""

    def record(made: dict[str, Any]) -> None:
        job = session.get_one(BulkJob, job_id)
        job.done, job.failed = tally.done + 1, tally.failed
        job.results = list(tally.results) + [result_entry(made, made["filename"])]
        job.errors = list(tally.errors)
        job.updated_at = utcnow()

    return record


def take_over(
    session: Session,
    storage: Storage,
    job: BulkJob,
    labels: dict[int, Label],
    collector: ZipCollector,
    tally: Tally,
) -> set[int]:
    """Take over what an earlier run of the job made (its worker was killed): the documents go
    into the zip as they are, the engagements that failed stay failed. Returns the ids handled."""
    handled: set[int] = set()
    made = {int(r["arrangement_id"]): r for r in job.results or ()}
    documents = {
        d.id: d
        for d in session.scalars(
            select(ContractDocument).where(
                ContractDocument.id.in_([int(r["document_id"]) for r in made.values()] or [0])
            )
        )
    }
    for arrangement_id in [int(i) for i in job.arrangement_ids]:
        result = made.get(arrangement_id)
        document = documents.get(int(result["document_id"])) if result else None
        if result is None or document is None:
            continue
        label = labels.get(arrangement_id) or unknown_label(arrangement_id)
        name = collector.add(
            document.filename, storage.read_bytes(document.storage_key), document.created_at
        )
        tally.done += 1
        tally.results.append(
            result_entry(
                {"arrangement_id": arrangement_id, **result, "document_id": document.id}, name
            )
        )
        tally.rows.append(
            SummaryRow(
                True, version=document.version, filename=name, sha256=document.sha256, **label
            )
        )
        handled.add(arrangement_id)
    for error in job.errors or ():
        failed_id = error.get("arrangement_id")
        if failed_id is None or int(failed_id) in handled:
            continue  # a message about the interruption itself: this run replaces it
        tally.failed += 1
        tally.errors.append(error)
        label = labels.get(int(failed_id)) or unknown_label(int(failed_id))
        tally.rows.append(SummaryRow(False, reason=error.get("message", ""), **label))
        handled.add(int(failed_id))
    return handled


def unknown_label(arrangement_id: int) -> Label:
    """The label of an engagement that could not be read."""
    return {
        "contract_number": "",
        "title": f"ID {arrangement_id}",
        "department": "",
        "contractor": "",
    }
