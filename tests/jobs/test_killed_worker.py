"""A worker killed (SIGKILL) in the middle of a job: after a restart every document and every
notification exists exactly once (PostgreSQL, procrastinate, real worker processes)."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from datetime import date

from sqlalchemy import func, select

from tests.documents.conftest import shipped_catalog  # noqa: F401  (fixture)
from tests.jobs.conftest import job_finished, scalar, wait_until
from tests.reminders.conftest import add_request
from tests.reminders.test_concurrency import slow_smtp  # noqa: F401  (fixture)
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.documents import bulk, bulk_worker
from vendorguard.documents.models import BulkJob, BulkStatus, ContractDocument
from vendorguard.extensions import db
from vendorguard.jobs import queue
from vendorguard.reminders.models import DeliveryStatus, Notification
from vendorguard.storage import get_storage

ENGAGEMENTS = 12


def only_job_id() -> int:
    return scalar("SELECT id FROM procrastinate_jobs ORDER BY id DESC LIMIT 1")


def test_bulk_job_resumes_after_its_worker_is_killed(app, make, shipped_catalog, workers):  # noqa: F811
    department = make.department()
    for n in range(ENGAGEMENTS):
        make.engagement(department=department, starts_on=date(2027, 4, 1 + n))
    job = bulk.create_job(db.session, None, bulk.BulkFilter(starting_fy=2027), 100)
    job_id = job.id
    bulk_worker.enqueue(db.session, job_id)  # the queue row commits with the job row
    db.session.commit()
    queued = only_job_id()

    first = workers.start()
    made = "SELECT count(*) FROM contract_document"
    wait_until(lambda: scalar(made) >= 2, what="the first documents")
    workers.kill(first)
    at_kill = scalar(made)
    assert 0 < at_kill < ENGAGEMENTS, workers.log()
    assert scalar("SELECT status FROM procrastinate_jobs WHERE id = :id", id=queued) == "doing"

    workers.start()
    wait_until(lambda: job_finished(queued), what="the requeued job")
    db.session.rollback()
    assert scalar("SELECT status FROM procrastinate_jobs WHERE id = :id", id=queued) == (
        "succeeded"
    ), workers.log()
    per_engagement = Counter(db.session.scalars(select(ContractDocument.arrangement_id)))
    assert len(per_engagement) == ENGAGEMENTS and set(per_engagement.values()) == {1}
    finished = db.session.get_one(BulkJob, job_id)
    assert finished.status == BulkStatus.DONE and (finished.done, finished.failed) == (12, 0)
    assert sorted(r["document_id"] for r in finished.results) == sorted(
        db.session.scalars(select(ContractDocument.id))
    )
    archive = zipfile.ZipFile(io.BytesIO(get_storage(app).read_bytes(finished.storage_key)))
    assert len([n for n in archive.namelist() if n.endswith(".docx")]) == ENGAGEMENTS


def test_sweep_and_delivery_resume_after_the_worker_is_killed(
    app,
    make,
    workers,
    slow_smtp,  # noqa: F811
):
    department = make.department(name="税務課", email="zeimu@city.example.jp")
    make.user(Role.ADMIN)
    for n in range(8):
        officer = make.user(Role.OFFICER, department=department)
        contractor = make.contractor()
        make.user(Role.CONTRACTOR, contractor_id=contractor.id)
        engagement = make.engagement(
            department=department,
            contractor=contractor,
            responsible_officer_id=officer.id,
            state=ArrangementState.ACTIVE,
        )
        for due in (date(2026, 12, 9), date(2026, 12, 15), date(2026, 11, 20)):
            add_request(engagement, due, title=f"報告書{n}-{due:%m%d}")
    queue.defer_command(app, db.session, ["remind", "--as-of", "2026-12-08"])
    db.session.commit()
    queued = only_job_id()
    workers.env = {
        "VENDORGUARD_MAIL_HOST": "127.0.0.1",
        "VENDORGUARD_MAIL_PORT": str(slow_smtp.port),
        "VENDORGUARD_BASE_URL": "https://vg.city.example.jp",
        # A row the killed worker had claimed is taken over after this lease (default 10 min).
        "VENDORGUARD_REMINDER_LEASE_SECONDS": "1",
        "VENDORGUARD_REMINDER_BATCH_SIZE": "4",
    }
    sent = "SELECT count(*) FROM notification WHERE status = 'sent' AND channel = 'email'"
    first = workers.start()
    wait_until(lambda: scalar(sent) >= 4, what="the first deliveries")
    workers.kill(first)
    rows_at_kill = scalar("SELECT count(*) FROM notification WHERE channel = 'email'")
    assert 0 < scalar(sent) < rows_at_kill, workers.log()

    workers.start()
    wait_until(lambda: job_finished(queued), what="the requeued sweep")
    assert scalar("SELECT status FROM procrastinate_jobs WHERE id = :id", id=queued) == (
        "succeeded"
    ), workers.log()
    db.session.rollback()
    keys = list(db.session.scalars(select(Notification.dedup_key)))
    assert len(keys) == len(set(keys))
    # 8 × (3 to the officer + 3 to the contractor + 1 to the department mailbox + 1 to the admin)
    emails = db.session.scalar(select(func.count()).where(Notification.channel == "email"))
    assert emails == rows_at_kill == 64
    unsent = select(func.count()).where(Notification.status != DeliveryStatus.SENT)
    assert db.session.scalar(unsent) == 0
    delivered = Counter(
        (rcpt, message["Subject"]) for rcpts, message in slow_smtp.inbox.messages for rcpt in rcpts
    )
    assert len(delivered) == emails  # every notification reached its recipient
    # A mail the server took just before the kill, not yet marked sent, goes again: at most the
    # one batch that was in flight.
    assert sum(delivered.values()) - emails <= 4
