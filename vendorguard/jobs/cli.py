"""``vg jobs-schema``, ``vg jobs-worker``, ``vg jobs-scheduler``: the procrastinate engine's processes."""

from __future__ import annotations

import click
from flask import current_app

from vendorguard.extensions import db
from vendorguard.jobs import engine
from vendorguard.jobs.schedule import DEFAULT_QUEUE, SCHEDULED_QUEUE

# procrastinate is installed with the "postgres" extra: the commands import ``queue`` when they run.


def _require_engine() -> None:
    if engine.engine_of(current_app) != "procrastinate":
        raise click.ClickException(
            "VENDORGUARD_JOB_ENGINE is not 'procrastinate': background jobs run inside the app "
            "process and the schedule runs from cron or systemd timers (docs/deploy.md)."
        )


def register(group: click.Group) -> None:
    """Attach the commands to the ``vg`` group."""

    @group.command("jobs-schema")
    def jobs_schema() -> None:
        """Create the job queue's tables in PostgreSQL (once; run with `db upgrade`)."""
        _require_engine()
        from vendorguard.jobs import queue

        with db.engine.begin() as connection:
            applied = queue.apply_schema(connection)
        click.echo("job queue schema created" if applied else "job queue schema already present")

    @group.command("jobs-worker")
    @click.option(
        "--queue",
        "queues",
        multiple=True,
        help=f"only these queues ({DEFAULT_QUEUE}, {SCHEDULED_QUEUE}); all by default",
    )
    @click.option("--concurrency", default=1, show_default=True, help="jobs run at once")
    @click.option(
        "--heartbeat-seconds",
        default=10.0,
        show_default=True,
        help="how often the worker says it is alive (JOB_STALLED_SECONDS must be larger)",
    )
    def jobs_worker(queues: tuple[str, ...], concurrency: int, heartbeat_seconds: float) -> None:
        """Run queued jobs until stopped (SIGTERM finishes the running job first)."""
        _require_engine()
        from vendorguard.jobs import queue

        queue.run_worker(
            current_app,
            queues=list(queues) or None,
            concurrency=concurrency,
            heartbeat_seconds=heartbeat_seconds,
        )

    @group.command("jobs-scheduler")
    @click.option("--heartbeat-seconds", default=10.0, show_default=True)
    def jobs_scheduler(heartbeat_seconds: float) -> None:
        """Defer the scheduled runs on time and run them (the `scheduled` queue only)."""
        _require_engine()
        from vendorguard.jobs import queue

        queue.run_worker(
            current_app,
            queues=[SCHEDULED_QUEUE],
            concurrency=1,
            heartbeat_seconds=heartbeat_seconds,
        )
