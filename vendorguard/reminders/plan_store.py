"""The coming days' reminders, computed once and stored for the admin's "upcoming" page.

Working the plan out takes the rules over every waiting item for a fortnight (about half a minute
at city scale); the page used to do it on every view. The first ``vg remind`` of each day writes it
after that day's sweep (``refresh_if_stale``), and the admin may have it recomputed at any time
(``queue_recompute``: a job, on whichever engine runs jobs). The page reads the newest run a page
at a time and says when it was computed; a plan from an earlier day is shown as such.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.orm import Session

from vendorguard.core import settings
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.extensions import db
from vendorguard.jobs import submit, task
from vendorguard.reminders import sweep
from vendorguard.reminders.copying import copy_rows
from vendorguard.reminders.models import ReminderPlanRow, ReminderPlanRun

PLAN_DAYS = 14  # the days a run covers, from the day it was computed
TASK = "reminders.plan"
ROW_COLUMNS = ("run_id", "day", "kind", "channel", "name", "email", "digest", "data")


def latest(session: Session) -> ReminderPlanRun | None:
    """The newest stored plan, if any."""
    return session.scalars(
        select(ReminderPlanRun).order_by(ReminderPlanRun.id.desc()).limit(1)
    ).first()


def refresh(session: Session, day: date, *, webhook: bool) -> ReminderPlanRun:
    """Compute the plan of ``day`` … ``day + PLAN_DAYS - 1`` and store it in place of older ones
    (the caller commits)."""
    last = day + timedelta(days=PLAN_DAYS - 1)
    planned = sweep.plan(session, day, last, webhook=webhook)
    counts = Counter((row.day.isoformat(), row.candidate.kind) for row in planned)
    run = ReminderPlanRun(
        computed_at=utcnow(),
        first_day=day,
        last_day=last,
        total=len(planned),
        summary=[[on, kind, count] for (on, kind), count in sorted(counts.items())],
    )
    session.add(run)
    session.flush()
    rows = [
        {
            "run_id": run.id,
            "day": row.day,
            "kind": row.candidate.kind,
            "channel": row.channel,
            "name": row.recipient.name if row.recipient else "",
            "email": row.recipient.email if row.recipient else "",
            "digest": bool(row.recipient and row.recipient.digest),
            "data": row.data,
        }
        # in day order, so that ids follow the page's order
        for row in sorted(planned, key=lambda p: p.day)
    ]
    if rows and session.get_bind().dialect.name == "postgresql":
        copy_rows(session, "reminder_plan_row", ROW_COLUMNS, rows, frozenset({"data"}))
    elif rows:
        session.execute(insert(ReminderPlanRow), rows)
    session.execute(delete(ReminderPlanRow).where(ReminderPlanRow.run_id != run.id))
    session.execute(delete(ReminderPlanRun).where(ReminderPlanRun.id != run.id))
    return run


def refresh_if_stale(session: Session, day: date, *, webhook: bool) -> ReminderPlanRun | None:
    """Refresh when the stored plan begins before ``day`` (the day's first sweep); else nothing."""
    current = latest(session)
    if current is not None and current.first_day >= day:
        return None
    return refresh(session, day, webhook=webhook)


@task(TASK)
def recompute() -> None:
    """The job body: today's plan, committed."""
    refresh(db.session, today_tokyo(), webhook=bool(settings.current().webhook_url))
    db.session.commit()


def queue_recompute(session: Session) -> None:
    """Have the plan recomputed by the job engine after the caller's commit."""
    submit(session, TASK, lock=TASK)


def rows_of(run: ReminderPlanRun, last: date) -> Select:
    """The run's rows up to ``last``, in day order (for ``paginate``)."""
    return (
        select(ReminderPlanRow)
        .where(ReminderPlanRow.run_id == run.id, ReminderPlanRow.day <= last)
        .order_by(ReminderPlanRow.day, ReminderPlanRow.id)
    )


def summary_until(run: ReminderPlanRun, last: date) -> list[tuple[date, str, int]]:
    """(day, kind, count) of the run up to ``last``, in day order."""
    result = []
    for on, kind, count in run.summary or []:
        day = date.fromisoformat(on)
        if day <= last:
            result.append((day, kind, count))
    return result
