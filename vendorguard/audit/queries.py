"""Reads of the audit trail that the audit pages and the export share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select

from vendorguard.audit.models import AuditEvent
from vendorguard.core.timeutil import TOKYO
from vendorguard.core.web import like_pattern


@dataclass(frozen=True)
class AuditFilters:
    """What the reader narrowed the trail to; dates are Japan calendar days, both inclusive."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def tokyo_day_start(day: date) -> datetime:
    """The UTC instant at which a Japan calendar day begins."""
    return datetime.combine(day, time.min, TOKYO).astimezone(UTC)


def event_list(filters: AuditFilters) -> Select[tuple[AuditEvent]]:
    """Events matching the filters, newest first."""
    stmt = select(AuditEvent)
    if filters.actor:
        stmt = stmt.where(AuditEvent.actor_label.ilike(like_pattern(filters.actor), escape="\\"))
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.object_type:
        stmt = stmt.where(AuditEvent.object_type == filters.object_type)
    if filters.object_id:
        stmt = stmt.where(AuditEvent.object_id == filters.object_id)
    if filters.date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= tokyo_day_start(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(
            AuditEvent.occurred_at < tokyo_day_start(filters.date_to + timedelta(days=1))
        )
    return stmt.order_by(AuditEvent.seq.desc())


def latest_events(limit: int = 10) -> Select[tuple[AuditEvent]]:
    """The most recent events, for the auditor's home page."""
    return select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
