"""The job engine's own rules, on any database: queued with the caller's commit, run in-process
without an engine, only vendorguard's functions by name, a schedule of real commands."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from datetime import date

import click
import pytest
from sqlalchemy import select

from tests.documents.conftest import shipped_catalog  # noqa: F401  (fixture)
from vendorguard import create_app
from vendorguard.core.settings import for_app
from vendorguard.documents import bulk, bulk_worker
from vendorguard.documents.models import BulkJob, BulkStatus, ContractDocument
from vendorguard.extensions import db
from vendorguard.jobs import queue, registry, schedule, submit
from vendorguard.jobs.engine import wait_local
from vendorguard.storage import get_storage


def queued_bulk_job(make) -> int:
    department = make.department()
    for n in range(2):
        make.engagement(department=department, starts_on=date(2027, 4, 1 + n))
    job = bulk.create_job(db.session, None, bulk.BulkFilter(starting_fy=2027), 100)
    db.session.commit()
    return job.id


@pytest.mark.parametrize("engine", ["thread", "inline"])
def test_a_job_starts_after_the_commit_and_not_after_a_rollback(
    app,
    make,
    shipped_catalog,  # noqa: F811
    engine,
):
    app.config["JOB_ENGINE"] = engine
    job_id = queued_bulk_job(make)
    submit(db.session, bulk_worker.run_queued, job_id=job_id)
    db.session.rollback()
    assert wait_local(app, timeout=5)
    assert db.session.get_one(BulkJob, job_id).status == BulkStatus.QUEUED

    submit(db.session, bulk_worker.run_queued, job_id=job_id)
    db.session.commit()
    assert wait_local(app, timeout=120)
    db.session.expire_all()
    assert db.session.get_one(BulkJob, job_id).status == BulkStatus.DONE
    assert len(db.session.scalars(select(ContractDocument.id)).all()) == 2


def test_a_job_is_named_by_its_task_or_its_vendorguard_function():
    assert registry.name_of(bulk_worker.run_queued) == bulk_worker.TASK
    assert registry.name_of(bulk.create_job) == "vendorguard.documents.bulk:create_job"
    assert registry.resolve("vendorguard.documents.bulk:create_job") is bulk.create_job
    for forged in (
        "os:system",
        "subprocess:run",
        "vendorguard.documents.bulk:BulkFilter.from_json",
    ):
        with pytest.raises(LookupError):
            registry.resolve(forged)
    with pytest.raises(LookupError):
        registry.name_of(lambda: None)


def test_the_schedule_runs_real_commands_and_fetches_ismap_only_when_configured(app):
    group = app.cli.commands["vg"]
    entries = schedule.entries(for_app(app))
    assert [e.name for e in entries] == [
        "evidence-schedule",
        "questionnaire-schedule",
        "remind",
        "audit-verify",
    ]
    app.config["ISMAP_LIST_URL"] = "https://www.ismap.go.jp/list.xlsx"
    entries = schedule.entries(for_app(app))
    assert entries[-1].args == ("ismap-import",)
    for entry in entries:
        command = group.commands[entry.args[0]]
        with click.Context(group) as parent:
            command.make_context(entry.args[0], list(entry.args[1:]), parent=parent)
    app.config["JOB_SCHEDULE"] = False  # cron or systemd timers run the commands instead
    assert schedule.entries(for_app(app)) == []


def test_the_worker_refuses_to_start_without_the_engine(app):
    result = app.test_cli_runner().invoke(args=["vg", "jobs-worker"])
    assert result.exit_code != 0 and "JOB_ENGINE is not 'procrastinate'" in result.output


def test_a_bulk_job_cut_off_mid_run_resumes_without_making_a_document_twice(
    app,
    make,
    shipped_catalog,  # noqa: F811
):
    department = make.department()
    for n in range(4):
        make.engagement(department=department, starts_on=date(2027, 4, 1 + n))
    job = bulk.create_job(db.session, None, bulk.BulkFilter(starting_fy=2027), 100)
    db.session.commit()
    job_id = job.id

    def die_after_two(processed: int, total: int) -> None:
        if processed == 2:
            raise SystemExit("the process is gone")  # not an Exception: nothing handles it

    with pytest.raises(SystemExit):
        bulk_worker.run(db.session, get_storage(app), job_id, every=1, on_progress=die_after_two)
    db.session.rollback()
    cut = db.session.get_one(BulkJob, job_id)
    assert cut.status == BulkStatus.RUNNING and cut.done == 2 and len(cut.results) == 2
    # A plain second run does not take a running job; the engine's resumed run finishes it.
    assert bulk_worker.run(db.session, get_storage(app), job_id).status == BulkStatus.RUNNING
    finished = bulk_worker.run(db.session, get_storage(app), job_id, resume=True)
    assert finished.status == BulkStatus.DONE and (finished.done, finished.failed) == (4, 0)
    per_engagement = Counter(db.session.scalars(select(ContractDocument.arrangement_id)))
    assert sorted(per_engagement.values()) == [1, 1, 1, 1]
    archive = zipfile.ZipFile(io.BytesIO(get_storage(app).read_bytes(finished.storage_key)))
    assert len([n for n in archive.namelist() if n.endswith(".docx")]) == 4
    assert sorted(r["document_id"] for r in finished.results) == sorted(
        db.session.scalars(select(ContractDocument.id))
    )


def test_the_engine_schedules_each_run_on_its_own_queue_with_a_lock(tmp_path):
    # Building the engine connects to nothing: a PostgreSQL URL that no server answers will do.
    flask_app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none",
            "SECRET_KEY": "x",
            "JOB_ENGINE": "procrastinate",
            "ISMAP_LIST_URL": "https://www.ismap.go.jp/list.xlsx",
        },
        instance_path=str(tmp_path),
    )
    papp = queue.app_for(flask_app)
    assert queue.app_for(flask_app) is papp  # once per process
    periodic = papp.periodic_registry.periodic_tasks
    assert set(periodic) == {
        (queue.COMMAND, "evidence-schedule"),
        (queue.COMMAND, "questionnaire-schedule"),
        (queue.COMMAND, "remind"),
        (queue.COMMAND, "audit-verify"),
        (queue.COMMAND, "ismap-import"),
        (queue.RECOVER, "recover"),
    }
    remind = periodic[(queue.COMMAND, "remind")]
    assert remind.cron == "30 22,23,0-10 * * *"  # 07:30–19:30 Japan time, in UTC
    assert remind.configure_kwargs["task_kwargs"] == {"args": ["remind"]}
    assert remind.configure_kwargs["lock"] == "command:remind"
    assert papp.tasks[queue.COMMAND].queue == schedule.SCHEDULED_QUEUE
    assert papp.tasks[queue.RUN].queue == schedule.DEFAULT_QUEUE
    assert queue.conninfo(flask_app.config["SQLALCHEMY_DATABASE_URI"]) == (
        "postgresql://nobody@127.0.0.1:9/none"
    )
    with pytest.raises(ValueError):
        queue.conninfo("sqlite:///x.db")


def test_a_scheduled_command_runs_in_the_app_and_a_failure_fails_the_job(app):
    queue.run_command(app, ["remind", "--dry-run"])
    with pytest.raises(click.UsageError):  # the job fails with the command's own message
        queue.run_command(app, ["ismap-import"])  # no ISMAP_LIST_URL and no --file
