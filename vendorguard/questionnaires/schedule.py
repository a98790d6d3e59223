"""Self-checks at the risk tier's interval: which period is due, the schedule run, tier changes.

A self-check is keyed by (arrangement, template, period start), so sending or scheduling twice
creates nothing new. The schedule (``vg questionnaire-schedule``, and every tier change) only
continues self-checks the city has started: for each template an arrangement was sent, the
period today falls in gets its request. A tier change also withdraws (never deletes) the
unanswered requests of future periods that the new interval no longer has, and revives them when
the interval comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session

from vendorguard.arrangements.models import Arrangement, ArrangementState
from vendorguard.audit import capture as audit_capture
from vendorguard.core.timeutil import utcnow
from vendorguard.engagements.models import Engagement, RiskTier
from vendorguard.evidence.calendar import next_open_day
from vendorguard.questionnaires import periods, queries
from vendorguard.questionnaires.models import WAITING, QuestionnaireRequest, RequestStatus
from vendorguard.questionnaires.periods import Period
from vendorguard.tiers import policy as tier_policy
from vendorguard.tiers import services as tier_services

DEFAULT_ANSWER_DAYS = 30  # a continued self-check is due this long after its period starts
MIN_ANSWER_DAYS = 14


def intervals(session: Session) -> dict[RiskTier, int]:
    """Each tier's self-check interval in months (one query)."""
    return {tier: p.self_check_interval_months for tier, p in tier_policy.policies(session).items()}


def interval_months(session: Session, arrangement: Arrangement) -> int:
    """The arrangement's self-check interval: its tier's, a fiscal year without a tier."""
    tier = arrangement.tier if isinstance(arrangement, Engagement) else None
    return intervals(session)[RiskTier(tier)] if tier else periods.YEAR


def _answer_days(latest: QuestionnaireRequest) -> int:
    # The city's last choice of how long the contractor had, within bounds.
    days = (latest.due_on - latest.period_start).days
    return max(MIN_ANSWER_DAYS, min(days, 366)) if days > 0 else DEFAULT_ANSWER_DAYS


def is_running(arrangement: Arrangement) -> bool:
    """Still worked on: an ended arrangement gets no further self-check (its exit comes instead)."""
    return arrangement.state != ArrangementState.ENDED


@dataclass
class ScheduleResult:
    """What one run did."""

    created: int = 0
    revived: int = 0
    withdrawn: int = 0
    resized: int = 0


def _continue(
    session: Session,
    arrangement: Arrangement,
    sent: list[QuestionnaireRequest],
    withdrawn: list[QuestionnaireRequest],
    months: int,
    today: date,
    result: ScheduleResult,
) -> None:
    """Give each template the arrangement was sent its request for the period today is in.
    ``sent`` holds every request not withdrawn: one the city cancelled still covers its period."""
    period = periods.containing(today, months)
    covered = {(r.template_id, r.period_start) for r in sent}
    latest_by_template: dict[int, QuestionnaireRequest] = {}
    for request in sorted(sent, key=lambda r: (r.period_start, r.id)):
        if request.period_start < period.start:
            latest_by_template[request.template_id] = request  # the self-check was started
    for template_id, latest in latest_by_template.items():
        if (template_id, period.start) in covered:
            continue  # sent already (or cancelled by the city: not sent again)
        back = next(
            (
                r
                for r in withdrawn
                if r.template_id == template_id and r.period_start == period.start
            ),
            None,
        )
        if back is not None:
            back.status = RequestStatus.SENT
            back.withdrawn_at = None
            back.period_months = months
            audit_capture.tag(session, back, "revive")
            result.revived += 1
            continue
        version = session.scalars(queries.approved_version(template_id)).first()
        if version is None:
            continue  # the template lost its approved version: nothing to send
        due_on = max(
            next_open_day(period.start + timedelta(days=_answer_days(latest))),
            next_open_day(today + timedelta(days=MIN_ANSWER_DAYS)),
        )
        request = QuestionnaireRequest(
            template_id=template_id,
            version_id=version.id,
            arrangement_id=arrangement.id,
            contractor_id=latest.contractor_id,
            fiscal_year=period.fiscal_year,
            period_start=period.start,
            period_months=months,
            due_on=due_on,
            status=RequestStatus.SENT,
            message=latest.message,
        )
        session.add(request)
        audit_capture.tag(session, request, "schedule")
        result.created += 1


def _requests(session: Session, arrangement_id: int) -> list[QuestionnaireRequest]:
    return list(
        session.scalars(
            select(QuestionnaireRequest)
            .where(QuestionnaireRequest.arrangement_id == arrangement_id)
            .order_by(QuestionnaireRequest.period_start, QuestionnaireRequest.id)
        )
    )


def reschedule(session: Session, engagement: Engagement, today: date) -> ScheduleResult:
    """Follow the engagement's (new) interval: waiting requests take the new period length,
    future ones off the new grid are withdrawn, and the current period is sent if missing."""
    result = ScheduleResult()
    if engagement.archived_at is not None:
        return result
    months = interval_months(session, engagement)
    rows = _requests(session, engagement.id)
    if not rows:
        return result  # a tier does not start self-checks; the city sends the first one
    live: list[QuestionnaireRequest] = []
    cancelled: list[QuestionnaireRequest] = []
    withdrawn: list[QuestionnaireRequest] = []
    for request in rows:
        if request.status == RequestStatus.CANCELLED:
            (withdrawn if request.withdrawn_at is not None else cancelled).append(request)
            continue
        on_grid = periods.containing(request.period_start, months).start == request.period_start
        if request.status in WAITING and not on_grid and request.period_start > today:
            # Answers already saved stay with the withdrawn request (and come back with it).
            request.status = RequestStatus.CANCELLED
            request.withdrawn_at = utcnow()
            audit_capture.tag(session, request, "withdraw")
            result.withdrawn += 1
            continue
        if request.status in WAITING and on_grid and request.period_months != months:
            request.period_months = months
            result.resized += 1
        live.append(request)
    # A withdrawn future period that is on the grid again comes back.
    for request in withdrawn:
        on_grid = periods.containing(request.period_start, months).start == request.period_start
        taken = any(
            r.template_id == request.template_id and r.period_start == request.period_start
            for r in live
        )
        if on_grid and request.period_start > today and not taken:
            request.status = RequestStatus.SENT
            request.withdrawn_at = None
            request.period_months = months
            audit_capture.tag(session, request, "revive")
            live.append(request)
            result.revived += 1
    if is_running(engagement) and engagement.ends_on >= periods.containing(today, months).start:
        _continue(session, engagement, live + cancelled, withdrawn, months, today, result)
    session.flush()
    return result


def run(session: Session, today: date) -> ScheduleResult:
    """The schedule run: every arrangement with self-checks gets the request of the period today
    falls in (idempotent)."""
    total = ScheduleResult()
    ids = session.scalars(
        select(QuestionnaireRequest.arrangement_id)
        .join(Arrangement, Arrangement.id == QuestionnaireRequest.arrangement_id)
        .where(Arrangement.archived_at.is_(None))
        .distinct()
        .order_by(QuestionnaireRequest.arrangement_id)
    ).all()
    for arrangement_id in ids:
        arrangement = session.get_one(Arrangement, arrangement_id)
        if isinstance(arrangement, Engagement):
            result = reschedule(session, arrangement, today)
        else:
            result = ScheduleResult()
            rows = [r for r in _requests(session, arrangement.id) if r.withdrawn_at is None]
            if is_running(arrangement):
                _continue(session, arrangement, rows, [], periods.YEAR, today, result)
            session.flush()
        total.created += result.created
        total.revived += result.revived
        total.withdrawn += result.withdrawn
        total.resized += result.resized
    return total


def _on_tier_change(session: Session, engagement: Engagement, today: date) -> None:
    reschedule(session, engagement, today)


tier_services.on_tier_change(_on_tier_change)


@dataclass
class DuePeriods:
    """The period a send for one fiscal year is for, per tier (and without a tier)."""

    by_tier: dict[RiskTier, Period]
    yearly: Period

    def of(self, tier: RiskTier | str | None) -> Period:
        """The period for an arrangement of this tier (None: not an engagement, or no tier)."""
        return self.by_tier[RiskTier(tier)] if tier else self.yearly

    def start_expression(self, tier_column: ColumnElement[Any]) -> ColumnElement[date]:
        """SQL for the due period's first day of a row whose tier is ``tier_column``."""
        return case(
            *((tier_column == tier.value, period.start) for tier, period in self.by_tier.items()),
            else_=self.yearly.start,
        )


def due_periods(session: Session, fiscal_year: int, today: date) -> DuePeriods:
    """Every tier's due period of ``fiscal_year`` (bulk sends)."""
    return DuePeriods(
        {
            tier: periods.due(fiscal_year, months, today)
            for tier, months in intervals(session).items()
        },
        periods.due(fiscal_year, periods.YEAR, today),
    )


def period_for(session: Session, arrangement: Arrangement, fiscal_year: int, today: date) -> Period:
    """The period a send for ``fiscal_year`` is for, at the arrangement's interval."""
    return periods.due(fiscal_year, interval_months(session, arrangement), today)
