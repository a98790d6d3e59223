"""The procrastinate engine on the PostgreSQL database the app already uses.

One generic task, ``vendorguard.run``, runs any registered job or vendorguard function by name
(``runner.run_job``); ``vendorguard.command`` runs a ``vg`` command line for the schedule
(``schedule.py``); ``vendorguard.recover`` puts the jobs of workers that died (no heartbeat for
``JOB_STALLED_SECONDS``) back in the queue. Job bodies are idempotent, so a job that had half
run before its worker was killed simply runs again; procrastinate's ``lock`` keeps two runs of one
job from overlapping.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

import click
import procrastinate
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, scoped_session

from vendorguard.core import settings
from vendorguard.jobs import runner, schedule
from vendorguard.jobs.schedule import DEFAULT_QUEUE, SCHEDULED_QUEUE

log = logging.getLogger(__name__)
RUN, COMMAND, RECOVER = "vendorguard.run", "vendorguard.command", "vendorguard.recover"
_APP_KEY = "vendorguard.procrastinate"


class CommandFailed(RuntimeError):
    """A scheduled ``vg`` command exited with a non-zero status."""


def conninfo(database_url: str) -> str:
    """The libpq connection string of the app's SQLAlchemy URL (``postgresql+psycopg://…``)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("JOB_ENGINE=procrastinate needs a PostgreSQL DATABASE_URL")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def app_for(flask_app: Flask) -> procrastinate.App:
    """This Flask app's procrastinate app (built once per process), with every task and schedule."""
    existing = flask_app.extensions.get(_APP_KEY)
    if existing is not None:
        return cast(procrastinate.App, existing)
    current = settings.for_app(flask_app)
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(flask_app.config["SQLALCHEMY_DATABASE_URI"]), min_size=1, max_size=4
    )
    papp = procrastinate.App(connector=connector)

    @papp.task(name=RUN, queue=DEFAULT_QUEUE)
    def run(target: str, kwargs: dict[str, Any]) -> None:
        runner.run_job(flask_app, target, kwargs)

    @papp.task(name=COMMAND, queue=SCHEDULED_QUEUE)
    def command(timestamp: int, args: list[str]) -> None:
        run_command(flask_app, args)

    @papp.task(name=RECOVER, queue=SCHEDULED_QUEUE, pass_context=True)
    async def recover(context: procrastinate.JobContext, timestamp: int) -> None:
        await requeue_stalled(context.app, current.job_stalled_seconds)

    for entry in schedule.entries(current):
        papp.periodic(
            cron=entry.cron,
            periodic_id=entry.name,
            task_kwargs={"args": list(entry.args)},
            lock=f"command:{entry.name}",
            queueing_lock=f"command:{entry.name}",
        )(command)
    papp.periodic(cron="* * * * *", periodic_id="recover", queueing_lock="recover")(recover)
    flask_app.extensions[_APP_KEY] = papp
    return papp


def defer(
    flask_app: Flask,
    session: Session | scoped_session[Session],
    target: str,
    kwargs: dict[str, Any],
    *,
    lock: str | None = None,
) -> int:
    """Write the job row on ``session``'s connection: it commits or rolls back with the caller."""
    raw = session.connection().connection.driver_connection
    task = app_for(flask_app).tasks[RUN]
    return task.configure(lock=lock, connection=raw).defer(target=target, kwargs=kwargs)


def defer_command(
    flask_app: Flask, session: Session | scoped_session[Session], args: list[str]
) -> int:
    """Queue a ``vg`` command line now (what the scheduler does on time), in the caller's
    transaction."""
    raw = session.connection().connection.driver_connection
    task = app_for(flask_app).tasks[COMMAND]
    return task.configure(connection=raw).defer(timestamp=0, args=list(args))


def run_command(flask_app: Flask, args: list[str]) -> None:
    """Run ``vg <args>`` in this process, as cron would; a non-zero exit fails the job."""
    group = cast(click.Group, flask_app.cli.commands["vg"])
    with flask_app.app_context():
        try:
            group.main(args=list(args), prog_name="vg", standalone_mode=False)
        except SystemExit as stop:
            if stop.code:
                raise CommandFailed(f"vg {' '.join(args)} exited with {stop.code}") from None


async def requeue_stalled(papp: procrastinate.App, seconds: float) -> list[int]:
    """Put back the jobs whose worker stopped sending heartbeats ``seconds`` ago (killed, lost)."""
    manager = papp.job_manager
    await manager.prune_stalled_workers(seconds)
    requeued = []
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=seconds):
        log.warning("requeueing job %s (%s) of a stopped worker", job.id, job.task_name)
        await manager.retry_job(job)
        requeued.append(cast(int, job.id))
    return requeued


def run_worker(
    flask_app: Flask,
    *,
    queues: list[str] | None,
    concurrency: int,
    heartbeat_seconds: float,
) -> None:
    """Requeue what dead workers left, then work until SIGTERM / SIGINT (graceful)."""
    papp = app_for(flask_app)
    stalled = settings.for_app(flask_app).job_stalled_seconds

    async def main() -> None:
        async with papp.open_async():
            await requeue_stalled(papp, stalled)
            options: dict[str, Any] = {"queues": queues} if queues else {}
            await papp.run_worker_async(
                **options,
                concurrency=concurrency,
                update_heartbeat_interval=heartbeat_seconds,
                stalled_worker_timeout=stalled,
                install_signal_handlers=True,
            )

    asyncio.run(main())


def schema_present(connection: Connection) -> bool:
    """Whether procrastinate's tables exist in this database."""
    return connection.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is not None


def apply_schema(connection: Connection) -> bool:
    """Create procrastinate's schema once (its documented ``schema --apply`` step); True if applied.

    Later procrastinate releases ship migrations (``procrastinate.schema.SchemaManager
    .get_migrations_path()``), applied in order when the pinned version is raised (docs/deploy.md).
    """
    if schema_present(connection):
        return False
    # On the driver's connection (same transaction): without parameters psycopg sends the SQL as
    # is, where SQLAlchemy's paramstyle would read the schema's ``%`` signs as placeholders.
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(procrastinate.schema.SchemaManager.get_schema())
    return True
