"""What needs a reminder on which day: each rule reads only the rows whose dates fall in its window.

A rule is given a range of days (one day for the daily sweep, a fortnight for the admin's preview)
and yields a :class:`Candidate` for the first day of each *stage* in that range. Stages catch up:
if the 7-days-before reminder was missed (the server was off that day), the next run still sends
it, saying how many days are actually left; the outbox's unique key stops it from going twice.

Rules query indexed date columns within their window (``due_on BETWEEN first AND last + 14``) and
the overdue set (``due_on < last`` among requests still waiting), never the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, and_, select
from sqlalchemy.orm import Session

from vendorguard.arrangements.kinds import kind_of, reminded_roles
from vendorguard.arrangements.models import Arrangement
from vendorguard.cloud.models import CloudService
from vendorguard.engagements.models import Engagement
from vendorguard.evidence.models import (
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    RequestStatus,
)
from vendorguard.org.models import Department
from vendorguard.reminders import kinds
from vendorguard.reminders.kinds import RuleSetting

WAITING = (RequestStatus.OPEN, RequestStatus.REJECTED)  # still waiting for the provider
ENGAGEMENT = Engagement.__table__
CLOUD = CloudService.__table__


@dataclass(frozen=True)
class Audience:
    """A group of recipients, resolved to people later and in bulk (see ``recipients``).

    officers: the arrangement's responsible officer, else the department's users in the roles its
    kind's registration reminds (``ArrangementKindSpec.reminded_roles``); contractor: the contractor's portal users; escalation: the department's
    情報セキュリティ管理者 (its contact address, else its officers); admins: the security office.
    """

    kind: str
    department_id: int | None = None
    responsible_id: int | None = None
    roles: frozenset[str] = frozenset()  # officers: the department roles reminded
    contractor_id: int | None = None


def officers(department_id: int, responsible_id: int | None, arrangement_kind: str) -> Audience:
    """The people answering for an arrangement of the given kind."""
    roles = frozenset(role.value for role in reminded_roles(arrangement_kind))
    return Audience("officers", department_id, responsible_id, roles)


ADMINS = Audience("admins")


@dataclass
class Candidate:
    """One reminder occurrence before it is addressed to people."""

    day: date  # the sweep day it belongs to
    kind: str
    topic: str  # what and which date: "evreq:12:2026-05-01"
    stage: str  # which reminder of that thing: "due-7"
    target_on: date | None
    subject_type: str
    subject_id: int
    arrangement_id: int | None
    data: dict
    audiences: tuple[Audience, ...]
    contractor_data: dict = field(default_factory=dict)  # overrides for contractor recipients

    @property
    def key(self) -> str:
        return f"{self.topic}:{self.stage}"


def days_between(first: date, last: date) -> Iterator[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    for n in range((last - first).days + 1):
        yield first + timedelta(days=n)


def first_days(
    first: date, last: date, stage_of: Callable[[date], tuple[str, int] | None]
) -> list[tuple[date, str, int]]:
    """(day, stage, n) for the first day in the range on which each stage applies."""
    seen: set[str] = set()
    result = []
    for day in days_between(first, last):
        found = stage_of(day)
        if found is not None and found[0] not in seen:
            seen.add(found[0])
            result.append((day, found[0], found[1]))
    return result


def before_stage(
    target: date, offsets: tuple[int, ...], prefix: str
) -> Callable[[date], tuple[str, int] | None]:
    """Stage of a date ahead: the smallest offset not below the days left ('due-7' when 3 days are left)."""

    def stage_of(day: date) -> tuple[str, int] | None:
        left = (target - day).days
        fitting = [offset for offset in offsets if offset >= left]
        if left < 0 or not fitting:
            return None
        return f"{prefix}-{min(fitting)}", left

    return stage_of


def repeating_stage(
    start_after: int, repeat: int | None, due: date, prefix: str
) -> Callable[[date], tuple[str, int] | None]:
    """Stage of a date passed: first the day after ``start_after`` days, then every ``repeat`` days."""

    def stage_of(day: date) -> tuple[str, int] | None:
        late = (day - due).days
        if late <= start_after:
            return None
        first = start_after + 1
        stage = first + repeat * ((late - first) // repeat) if repeat else first
        return f"{prefix}-{stage}", late

    return stage_of


def arrangement_link(kind: str, arrangement_id: int) -> list:
    """[endpoint, values] of an arrangement's detail page."""
    spec = kind_of(kind)
    return [spec.detail_endpoint, {spec.detail_arg: arrangement_id}]


# -- evidence requests ----------------------------------------------------------------------------


def evidence_rows(session: Session, condition) -> Sequence[Row[Any]]:
    """Waiting requests matching ``condition`` with what every evidence reminder says (one query)."""
    stmt = (
        select(
            EvidenceRequest.id,
            EvidenceRequest.due_on,
            EvidenceRequest.occurrence,
            EvidenceRequirement.title,
            EvidenceRequirement.provider,
            Arrangement.id.label("arrangement_id"),
            Arrangement.title.label("arrangement"),
            Arrangement.kind,
            Arrangement.department_id,
            Arrangement.responsible_officer_id,
            Department.name.label("department"),
            ENGAGEMENT.c.contractor_id,
            CLOUD.c.provider_contractor_id,
        )
        .select_from(EvidenceRequest)
        .join(
            EvidenceRequirement, EvidenceRequirement.id == EvidenceRequest.evidence_requirement_id
        )
        .join(Arrangement, Arrangement.id == EvidenceRequest.arrangement_id)
        .join(Department, Department.id == Arrangement.department_id)
        .outerjoin(ENGAGEMENT, ENGAGEMENT.c.id == Arrangement.id)
        .outerjoin(CLOUD, CLOUD.c.id == Arrangement.id)
        .where(
            EvidenceRequest.status.in_(WAITING),
            condition,
            Arrangement.archived_at.is_(None),
            EvidenceRequirement.archived_at.is_(None),
        )
    )
    return session.execute(stmt).all()


def evidence_base(row) -> tuple[dict, dict, tuple[Audience, ...]]:
    """A request row's message data, the contractor's overrides and who is reminded."""
    data = {
        "title": row.title,
        "occurrence": row.occurrence,
        "arrangement": row.arrangement,
        "arrangement_kind": row.kind,
        "department": row.department,
        "target_on": row.due_on.isoformat(),
        "links": [
            ["evidence.request_detail", {"request_id": row.id}],
            arrangement_link(row.kind, row.arrangement_id),
        ],
    }
    contractor_data = {
        "audience": "contractor",
        "links": [["portal.request_detail", {"request_id": row.id}], ["portal.index", {}]],
    }
    audiences = [officers(row.department_id, row.responsible_officer_id, row.kind)]
    contractor_id = row.contractor_id or row.provider_contractor_id
    if row.provider == EvidenceProvider.CONTRACTOR and contractor_id:
        audiences.append(Audience("contractor", contractor_id=contractor_id))
    return data, contractor_data, tuple(audiences)


def evidence_due(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Requests due within the offsets (14, 7, 1 days before, and on the day)."""
    if not setting.offsets:
        return []
    rows = evidence_rows(
        session, EvidenceRequest.due_on.between(first, last + timedelta(days=setting.window))
    )
    result = []
    for row in rows:
        data, contractor_data, audiences = evidence_base(row)
        for day, stage, left in first_days(
            first, last, before_stage(row.due_on, setting.offsets, "due")
        ):
            result.append(
                Candidate(
                    day,
                    kinds.EVIDENCE_DUE,
                    f"evreq:{row.id}:{row.due_on}",
                    stage,
                    row.due_on,
                    "evidence_request",
                    row.id,
                    row.arrangement_id,
                    {**data, "days": left},
                    audiences,
                    contractor_data,
                )
            )
    return result


def evidence_overdue(
    session: Session, first: date, last: date, setting: RuleSetting
) -> list[Candidate]:
    """Requests past due: the day after, then every ``repeat_days``; escalated after ``escalate_after_days``."""
    rows = evidence_rows(session, EvidenceRequest.due_on < last)
    repeat = setting.repeat_days or 0
    escalate = setting.escalate_after_days
    result = []
    for row in rows:
        data, contractor_data, audiences = evidence_base(row)
        topic = f"evreq:{row.id}:{row.due_on}"
        for day, stage, late in first_days(
            first, last, repeating_stage(0, repeat, row.due_on, "overdue")
        ):
            result.append(
                Candidate(
                    day,
                    kinds.EVIDENCE_OVERDUE,
                    topic,
                    stage,
                    row.due_on,
                    "evidence_request",
                    row.id,
                    row.arrangement_id,
                    {**data, "days": late},
                    audiences,
                    contractor_data,
                )
            )
        if escalate is None:
            continue
        up = (Audience("escalation", row.department_id), ADMINS)
        for day, stage, late in first_days(
            first, last, repeating_stage(escalate, repeat, row.due_on, "escalate")
        ):
            result.append(
                Candidate(
                    day,
                    kinds.EVIDENCE_ESCALATION,
                    topic,
                    stage,
                    row.due_on,
                    "evidence_request",
                    row.id,
                    row.arrangement_id,
                    {**data, "days": late},
                    up,
                )
            )
    return result


def ahead(first: date, last: date, setting: RuleSetting, target: date, prefix: str = "expiry"):
    """The stages of a date ahead that begin within the range."""
    return first_days(first, last, before_stage(target, setting.offsets, prefix))


def window_condition(column, first: date, last: date, setting: RuleSetting):
    """``column BETWEEN first AND last + the longest offset``."""
    return and_(column.isnot(None), column.between(first, last + timedelta(days=setting.window)))
