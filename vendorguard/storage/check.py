"""Consistency between the database and the storage: objects without rows, rows without objects.

A model takes part by naming its key column: ``__storage_key_column__ = "storage_key"``
(documents, evidence files and SNS procedure files do). Nothing else needs registering.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Mapper, Session

from vendorguard.core.timeutil import utcnow
from vendorguard.extensions import Base
from vendorguard.storage.base import ObjectInfo, PendingUpload, Storage


@dataclass(frozen=True)
class Reference:
    """A database row that points at a stored object."""

    key: str
    table: str
    row_id: object


@dataclass
class CheckReport:
    """What ``storage-check`` found."""

    objects: int = 0
    references: int = 0
    orphans: list[ObjectInfo] = field(default_factory=list)  # objects no row points at
    missing: list[Reference] = field(default_factory=list)  # rows whose object is gone
    pending_uploads: list[PendingUpload] = field(default_factory=list)  # unfinished multipart

    @property
    def ok(self) -> bool:
        return not self.orphans and not self.missing and not self.pending_uploads


def key_columns() -> Iterator[tuple[type, str]]:
    """Every mapped class that declares ``__storage_key_column__`` itself (not by inheritance)."""
    for mapper in Base.registry.mappers:
        column = mapper.class_.__dict__.get("__storage_key_column__")
        if column:
            yield mapper.class_, column


def references(session: Session) -> Iterator[Reference]:
    """Every (key, table, id) that the database holds."""
    for cls, column in key_columns():
        mapper: Mapper[Any] = inspect(cls)
        pk = mapper.primary_key[0]
        key_col = getattr(cls, column)
        for row_id, key in session.execute(select(pk, key_col).where(key_col.is_not(None))):
            # Typed as any FROM clause; for the model's own Table the description is its name.
            yield Reference(key, mapper.local_table.description, row_id)


RESERVED_PREFIXES = ("audit-anchors/",)


def check(session: Session, storage: Storage) -> CheckReport:
    """Compare the keys rows point at with the objects in the storage."""
    report = CheckReport()
    referenced: dict[str, Reference] = {}
    for ref in references(session):
        referenced[ref.key] = ref
    report.references = len(referenced)
    present: set[str] = set()
    for info in storage.iter_objects():
        if info.key.startswith(RESERVED_PREFIXES):
            continue  # not files of rows: the audit anchors (audit/anchors.py)
        report.objects += 1
        present.add(info.key)
        if info.key not in referenced:
            report.orphans.append(info)
    report.missing = [ref for key, ref in sorted(referenced.items()) if key not in present]
    report.pending_uploads = sorted(
        storage.iter_pending_uploads(), key=lambda pending: pending.initiated_at
    )
    return report


def abort_stale_uploads(
    storage: Storage, report: CheckReport, min_age: timedelta, now: datetime | None = None
) -> list[PendingUpload]:
    """Abort unfinished multipart uploads begun more than ``min_age`` ago (younger ones may still
    be streaming)."""
    cutoff = (now or utcnow()) - min_age
    aborted = []
    for pending in report.pending_uploads:
        if pending.initiated_at <= cutoff:
            storage.abort_upload(pending)
            aborted.append(pending)
    return aborted


def remove_orphans(
    storage: Storage, report: CheckReport, min_age: timedelta, now: datetime | None = None
) -> list[ObjectInfo]:
    """Delete orphan objects older than ``min_age``; younger ones may belong to an upload whose
    row is about to be committed, so they are left for a later run."""
    cutoff = (now or utcnow()) - min_age
    removed = []
    for info in report.orphans:
        if info.modified_at <= cutoff:
            storage.delete(info.key)
            removed.append(info)
    return removed
