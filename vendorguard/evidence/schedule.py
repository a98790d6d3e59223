"""Evidence requests over an arrangement's period: generated idempotently, following changes.

Periods follow the municipal fiscal year (1 April – 31 March, FACTS §6): months; quarters
April–June, July–September, October–December, January–March; half-years April–September and
October–March; fiscal years. The first and last period are cut at the arrangement's start and end.
A periodic request is due ``due_offset_days`` after its period ends, a start request after the
start, an end request after the end; a due date on a closed day moves to the next open day
(``scheduled_due_on`` keeps the date before the move).

Which period an arrangement covers:

- engagement: its contract period, ``starts_on`` to ``ends_on``, whatever today is;
- cloud service and social-media account (no end date): from the day it was registered, and
  rolling — every period that starts within the next 12 months of ``today`` — so a daily run of
  ``vg evidence-schedule`` keeps a year of requests ahead. They have no end, so no end requests.

Requests are keyed by (requirement, occurrence); running again creates nothing twice. A request
still waiting for the provider (open or rejected) follows changes: its dates move, and it is
closed when its period no longer exists (a shorter contract, another cadence) or its requirement
was archived; it is reopened if the period comes back. Submitted, accepted and withdrawn-by-hand
requests are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement
from vendorguard.core.dates import first_of_month
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import TOKYO, fiscal_year
from vendorguard.evidence.calendar import next_open_day
from vendorguard.evidence.models import (
    AUTOMATIC_CLOSE_REASONS,
    AWAITING_PROVIDER,
    CLOSED_BY_SCHEDULE,
    CLOSED_WITH_REQUIREMENT,
    Cadence,
    EvidenceRequest,
    EvidenceRequirement,
    EvidenceSubmission,
    RequestStatus,
    ReviewDecision,
)
from vendorguard.evidence.occurrences import ADHOC_PREFIX

ROLLING_HORIZON_DAYS = 365
# A contract period longer than this is a typing error (9999-12-31, 0001-01-01), not a contract:
# scheduling it would make thousands of requests per requirement, or overflow the calendar.
MAX_PERIOD_YEARS = 50
# months in a period, for the periodic cadences
PERIOD_MONTHS = {
    Cadence.MONTHLY: 1,
    Cadence.QUARTERLY: 3,
    Cadence.HALF_YEARLY: 6,
    Cadence.YEARLY: 12,
}


@dataclass(frozen=True)
class Window:
    """The stretch of time an arrangement's requests cover; ``end`` None = open-ended (rolling)."""

    start: date
    end: date | None
    horizon: date | None = None  # open-ended only: the last period generated starts by this day


@dataclass(frozen=True)
class Occurrence:
    """One due instance a requirement asks for."""

    key: str
    period_start: date | None
    period_end: date | None
    scheduled_due_on: date

    @property
    def due_on(self) -> date:
        return next_open_day(self.scheduled_due_on)


@dataclass
class ScheduleResult:
    """What one run changed (ids of requests)."""

    created: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.moved or self.closed or self.reopened)


# -- periods ---------------------------------------------------------------------------------------


def _period_containing(day: date, months: int) -> date:
    """The first day of the fiscal-aligned period of ``months`` months that contains ``day``."""
    fiscal_start = date(fiscal_year(day), 4, 1)
    elapsed = (day.year * 12 + day.month) - (fiscal_start.year * 12 + fiscal_start.month)
    return first_of_month(fiscal_start, elapsed - elapsed % months)


def _period_key(cadence: Cadence, start: date) -> str:
    fy = fiscal_year(start)
    if cadence == Cadence.MONTHLY:
        return f"{start:%Y-%m}"
    position = ((start.month - 4) % 12) // PERIOD_MONTHS[cadence] + 1
    if cadence == Cadence.QUARTERLY:
        return f"FY{fy}-Q{position}"
    if cadence == Cadence.HALF_YEARLY:
        return f"FY{fy}-H{position}"
    return f"FY{fy}"


def occurrences(cadence: Cadence, offset_days: int, window: Window) -> list[Occurrence]:
    """Every due instance of a cadence over a window, in date order."""
    offset = timedelta(days=offset_days)
    if cadence == Cadence.AD_HOC:
        return []
    if cadence == Cadence.ONCE_AT_START:
        return [Occurrence("start", window.start, None, window.start + offset)]
    if cadence == Cadence.AT_END:
        return [Occurrence("end", None, window.end, window.end + offset)] if window.end else []
    months = PERIOD_MONTHS[cadence]
    last = window.end or window.horizon
    result = []
    natural = _period_containing(window.start, months)
    while last is not None and natural <= last:
        natural_end = first_of_month(natural, months) - timedelta(days=1)
        start = max(natural, window.start)
        end = min(natural_end, window.end) if window.end else natural_end
        result.append(Occurrence(_period_key(cadence, natural), start, end, end + offset))
        natural = first_of_month(natural, months)
    return result


def window_for(arrangement: Arrangement, today: date) -> Window:
    """The period an arrangement's requests cover (see the module's description)."""
    starts_on = getattr(arrangement, "starts_on", None)
    ends_on = getattr(arrangement, "ends_on", None)
    if starts_on is not None and ends_on is not None:
        return Window(starts_on, ends_on)
    registered = arrangement.created_at.astimezone(TOKYO).date()
    return Window(registered, None, today + timedelta(days=ROLLING_HORIZON_DAYS))


# -- generation ------------------------------------------------------------------------------------


def _reopen(session: Session, request: EvidenceRequest, result: ScheduleResult) -> None:
    # Only requests that were waiting for the provider are ever closed automatically, so they go
    # back to waiting: rejected if their last submission was rejected, open otherwise.
    last = session.scalars(
        select(EvidenceSubmission.decision)
        .where(EvidenceSubmission.request_id == request.id)
        .order_by(EvidenceSubmission.version.desc())
        .limit(1)
    ).first()
    request.status = (
        RequestStatus.REJECTED if last == ReviewDecision.REJECTED else RequestStatus.OPEN
    )
    request.closed_reason = ""
    result.reopened.append(request.id)


def _set_dates(request: EvidenceRequest, occurrence: Occurrence) -> bool:
    wanted = (
        occurrence.period_start,
        occurrence.period_end,
        occurrence.scheduled_due_on,
        occurrence.due_on,
    )
    current = (request.period_start, request.period_end, request.scheduled_due_on, request.due_on)
    if wanted == current:
        return False
    (request.period_start, request.period_end, request.scheduled_due_on, request.due_on) = wanted
    return True


def generate_requests(session: Session, arrangement: Arrangement, today: date) -> ScheduleResult:
    """Create, move, close or reopen the arrangement's scheduled requests so they match its
    requirements and period. Idempotent; never touches ad-hoc requests."""
    if arrangement.archived_at is not None:
        raise DomainError(_("アーカイブ済みの案件にはスケジュールを作成できません。"))
    window = window_for(arrangement, today)
    if window.end is not None and window.end < window.start:
        raise DomainError(_("契約期間の終了日が開始日より前のため、スケジュールを作成できません。"))
    last = window.end or window.horizon
    if last is not None and (last.year - window.start.year) > MAX_PERIOD_YEARS:
        raise DomainError(
            _(
                "契約期間（%(start)s〜%(end)s）が%(years)d年を超えるため、スケジュールを作成できません。"
                "契約期間を確認してください。",
                start=window.start.isoformat(),
                end=last.isoformat(),
                years=MAX_PERIOD_YEARS,
            )
        )
    requirements = session.scalars(
        select(EvidenceRequirement)
        .where(EvidenceRequirement.arrangement_id == arrangement.id)
        .order_by(EvidenceRequirement.id)
    ).all()
    existing: dict[tuple[int, str], EvidenceRequest] = {
        (r.evidence_requirement_id, r.occurrence): r
        for r in session.scalars(
            select(EvidenceRequest).where(EvidenceRequest.arrangement_id == arrangement.id)
        )
    }
    result = ScheduleResult()
    new_requests: list[EvidenceRequest] = []
    for requirement in requirements:
        mine = {key: r for (req_id, key), r in existing.items() if req_id == requirement.id}
        if requirement.archived_at is not None:
            for withdrawn in mine.values():
                _close(withdrawn, CLOSED_WITH_REQUIREMENT, result)
            continue
        try:
            wanted = occurrences(requirement.cadence, requirement.due_offset_days, window)
        except (OverflowError, ValueError) as error:
            raise DomainError(
                _(
                    "証跡項目「%(title)s」の提出期限（%(days)d日後）が暦の範囲を超えるため、"
                    "スケジュールを作成できません。",
                    title=requirement.title,
                    days=requirement.due_offset_days,
                )
            ) from error
        for occurrence in wanted:
            request = mine.get(occurrence.key)
            if request is None:
                request = EvidenceRequest(
                    evidence_requirement_id=requirement.id,
                    arrangement_id=arrangement.id,
                    occurrence=occurrence.key,
                    period_start=occurrence.period_start,
                    period_end=occurrence.period_end,
                    scheduled_due_on=occurrence.scheduled_due_on,
                    due_on=occurrence.due_on,
                    status=RequestStatus.OPEN,
                )
                session.add(request)
                new_requests.append(request)
            elif (
                request.status == RequestStatus.CLOSED
                and request.closed_reason in AUTOMATIC_CLOSE_REASONS
            ):
                _set_dates(request, occurrence)
                _reopen(session, request, result)
            elif request.status in AWAITING_PROVIDER and _set_dates(request, occurrence):
                result.moved.append(request.id)
        keys = {occurrence.key for occurrence in wanted}
        for key, request in mine.items():
            if key.startswith(ADHOC_PREFIX):
                if (
                    request.status == RequestStatus.CLOSED
                    and request.closed_reason == CLOSED_WITH_REQUIREMENT
                ):
                    _reopen(session, request, result)
            elif key not in keys:
                _close(request, CLOSED_BY_SCHEDULE, result)
    session.flush()
    result.created = [request.id for request in new_requests]
    return result


def close_with_requirement(session: Session, requirement: EvidenceRequirement) -> list[int]:
    """Withdraw the requests of an archived requirement that still wait for the provider."""
    result = ScheduleResult()
    for request in session.scalars(
        select(EvidenceRequest).where(EvidenceRequest.evidence_requirement_id == requirement.id)
    ):
        _close(request, CLOSED_WITH_REQUIREMENT, result)
    session.flush()
    return result.closed


def _close(request: EvidenceRequest, reason: str, result: ScheduleResult) -> None:
    if request.status in AWAITING_PROVIDER:
        request.status = RequestStatus.CLOSED
        request.closed_reason = reason
        result.closed.append(request.id)
