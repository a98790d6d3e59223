"""The scheduled runs: the same idempotent ``vg`` commands the cron lines in docs/deploy.md run.

Cron expressions are in UTC (the engine's clock): 06:30 Japan time is 21:30 UTC the day before.
The ISMAP list is fetched only when ``ISMAP_LIST_URL`` is set (an LGWAN server cannot reach it).
"""

from __future__ import annotations

from dataclasses import dataclass

from config import Settings

# Bulk documents and other on-demand jobs; the scheduled runs, kept apart so a long bulk job never
# delays the morning's reminders (``vg jobs-scheduler`` works on this queue only).
DEFAULT_QUEUE, SCHEDULED_QUEUE = "default", "scheduled"


@dataclass(frozen=True)
class Scheduled:
    """One periodic run: its id, UTC cron expression and the ``vg`` command line."""

    name: str
    cron: str
    args: tuple[str, ...]


def entries(current: Settings) -> list[Scheduled]:
    """What the scheduler defers, for these settings."""
    if not current.job_schedule:
        return []
    runs = [
        # 06:30 JST: evidence requests first, so that reminders the same day include new ones.
        Scheduled("evidence-schedule", "30 21 * * *", ("evidence-schedule",)),
        # 06:35 JST: the next period's self-checks, also before the first reminders of the day.
        Scheduled("questionnaire-schedule", "35 21 * * *", ("questionnaire-schedule",)),
        # Every hour 07:30–19:30 JST: sweep, then deliver (retries of failed deliveries too).
        Scheduled("remind", "30 22,23,0-10 * * *", ("remind",)),
        # 06:00 JST: verify the audit chain (a failed job is the alarm).
        Scheduled("audit-verify", "0 21 * * *", ("audit-verify",)),
    ]
    if current.ismap_list_url:
        # 05:00 JST: the published ISMAP list (importing the same list again changes nothing but adds a line to the import history).
        runs.append(Scheduled("ismap-import", "0 20 * * *", ("ismap-import",)))
    return runs
