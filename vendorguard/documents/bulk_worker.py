"""Running a bulk job: one appendix after another, each committed as its own version, into a zip.

With ``JOB_ENGINE=procrastinate`` the job is queued with its row (``enqueue``) and a worker runs
it (``run_queued``); without an engine the web process runs it in a background thread with its own
application context and database session (``start``); ``BULK_SYNC`` runs it inside the request
instead (tests, debugging). Each document is committed together with the job's record of it, so a
job whose worker was killed resumes where it stopped and makes every document exactly once. Unlike a service, this module owns its transactions: every
document is committed on its own (exactly as a single generation would be), and the job's
progress is written every ``BULK_PROGRESS_EVERY`` documents so the progress page can follow it.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable
from typing import Any, cast

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session

from vendorguard.audit.context import acting_as
from vendorguard.auth.models import User
from vendorguard.auth.permissions import can_change
from vendorguard.core import settings
from vendorguard.core.errors import DomainError
from vendorguard.core.timeutil import utcnow
from vendorguard.documents import services
from vendorguard.documents.bulk import MANAGE, BulkFilter, SummaryRow, ZipCollector
from vendorguard.documents.bulk_tally import (
    Label,
    Tally,
    labels_of,
    recorder,
    result_entry,
    take_over,
    unknown_label,
)
from vendorguard.documents.models import BulkJob, BulkStatus
from vendorguard.engagements.models import Engagement
from vendorguard.jobs import submit, task
from vendorguard.jobs.engine import engine_of
from vendorguard.storage import Storage, StorageError, get_storage
from vendorguard.storage.base import new_key

log = logging.getLogger(__name__)
_THREADS = "vendorguard.bulk_threads"
TASK = "documents.bulk"

Progress = Callable[[int, int], None]


def enqueue(session: Session, job_id: int) -> None:
    """With a job engine, queue the job in the caller's transaction (before its commit)."""
    if engine_of(current_app) == "procrastinate":
        submit(session, TASK, lock=f"bulk:{job_id}", job_id=job_id)


def start(app: Flask, job_id: int) -> None:
    """Without a job engine, run the job now (``BULK_SYNC``) or in a background thread (after the
    caller's commit); with one, ``enqueue`` has already queued it."""
    if engine_of(app) == "procrastinate":
        return
    if settings.for_app(app).bulk_sync:
        run_in_app(app, job_id)
        return
    thread = threading.Thread(
        target=run_in_app, args=(app, job_id), name=f"vg-bulk-{job_id}", daemon=True
    )
    app.extensions.setdefault(_THREADS, {})[job_id] = thread
    thread.start()


def wait(app: Flask, job_id: int, timeout: float | None = None) -> bool:
    """Wait for a job started in a thread (tests, orderly shutdown); True when it has ended."""
    thread = app.extensions.get(_THREADS, {}).get(job_id)
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()


@task(TASK)
def run_queued(job_id: int) -> None:
    """The engine's job body: run the job, or finish it after its worker was killed (idempotent:
    engagements that already have their document from this job are not generated again)."""
    _run_as_creator(current_app, job_id, resume=True)


def _run_as_creator(app: Flask, job_id: int, *, resume: bool = False) -> None:
    from vendorguard.extensions import db

    creator = db.session.scalar(select(BulkJob.created_by_id).where(BulkJob.id == job_id))
    email = db.session.scalar(select(User.email).where(User.id == creator)) if creator else None
    with acting_as(f"bulk:{job_id}" + (f":{email}" if email else ""), creator):
        run(
            db.session,
            get_storage(app),
            job_id,
            every=settings.for_app(app).bulk_progress_every,
            resume=resume,
        )


def run_in_app(app: Flask, job_id: int) -> None:
    """The thread's entry point: a fresh application context and session, the creator as actor."""
    from vendorguard.extensions import db

    with app.app_context():
        try:
            _run_as_creator(app, job_id)
        except Exception:  # never let a thread die silently: the job says it failed
            log.exception("bulk job %s crashed", job_id)
            db.session.rollback()
            _fail(
                db.session,
                job_id,
                _("予期しないエラーのため中断しました。管理者に連絡してください。"),
            )
        finally:
            # ``db.session`` is typed as the Session it proxies; here the scoped registry is meant.
            cast("scoped_session[Session]", db.session).remove()
            app.extensions.get(_THREADS, {}).pop(job_id, None)


def _generate_one(
    session: Session,
    storage: Storage,
    arrangement_id: int,
    user: Any,
    date_style: str | None,
    record: Callable[[dict[str, Any]], None],
) -> tuple[dict[str, Any], bytes]:
    """Generate and commit one engagement's next appendix version together with the job's record
    of it (``record``), so a killed worker leaves either both or neither; retried once on a
    version clash."""
    for attempt in (1, 2):
        engagement = session.get(Engagement, arrangement_id)
        if engagement is None:
            raise DomainError(_("業務委託が見つかりません。"))
        if user is not None and not can_change(user, MANAGE, engagement.department_id):
            raise DomainError(_("この業務委託の文書を作成する権限がありません。"))
        document, data = services.generate_appendix_with_data(
            session, storage, engagement, user, date_style or None
        )
        made: dict[str, Any] = {
            "arrangement_id": arrangement_id,
            "document_id": document.id,
            "version": document.version,
            "filename": document.filename,
            "sha256": document.sha256,
            "created_at": document.created_at,
            "storage_key": document.storage_key,
        }
        record(made)
        try:
            session.commit()
            return made, data
        except IntegrityError:  # someone generated the same version a moment earlier
            session.rollback()
            services.discard_object(storage, made["storage_key"])
            if attempt == 2:
                raise DomainError(
                    _("同時に別の版が作成されたため、作成できませんでした。")
                ) from None
    raise AssertionError("unreachable")


def _save_progress(session: Session, job_id: int, tally: Tally, **changes: Any) -> BulkJob:
    job = session.get_one(BulkJob, job_id)
    job.done, job.failed = tally.done, tally.failed
    job.errors, job.results = list(tally.errors), list(tally.results)
    job.updated_at = utcnow()
    for name, value in changes.items():
        setattr(job, name, value)
    session.commit()
    return job


def _fail(session: Session, job_id: int, message: str) -> None:
    job = session.get(BulkJob, job_id)
    if job is None:
        return
    job.status = BulkStatus.FAILED
    job.errors = list(job.errors or []) + [
        {"arrangement_id": None, "message": message, "codes": []}
    ]
    job.finished_at = job.updated_at = utcnow()
    session.commit()


def _one(
    session: Session,
    storage: Storage,
    job_id: int,
    arrangement_id: int,
    labels: dict[int, Label],
    user: Any,
    flt: BulkFilter,
    collector: ZipCollector,
    tally: Tally,
) -> None:
    """Generate one engagement's appendix into the zip, or record why it could not be."""
    label: Label = labels.get(arrangement_id) or unknown_label(arrangement_id)
    try:
        made, data = _generate_one(
            session,
            storage,
            arrangement_id,
            user,
            flt.date_style,
            recorder(session, job_id, tally),
        )
    except DomainError as error:
        session.rollback()
        tally.failed += 1
        tally.errors.append(
            {
                "arrangement_id": arrangement_id,
                "contract_number": label["contract_number"],
                "title": label["title"],
                "message": error.message,
                "codes": [str(code) for code in getattr(error, "codes", None) or ()],
            }
        )
        tally.rows.append(SummaryRow(False, reason=error.message, **label))
        return
    tally.done += 1
    name = collector.add(made["filename"], data, made["created_at"])
    tally.results.append(result_entry(made, name))
    tally.rows.append(
        SummaryRow(True, version=made["version"], filename=name, sha256=made["sha256"], **label)
    )


def run(
    session: Session,
    storage: Storage,
    job_id: int,
    *,
    every: int = 5,
    on_progress: Progress | None = None,
    resume: bool = False,
) -> BulkJob | None:
    """Process a queued job to the end; the caller provides session, storage and audit actor.

    ``resume`` (the job engine, whose lock keeps two runs of one job apart) also takes a job left
    running by a killed worker and finishes it without generating anything twice."""
    # Claim the job atomically: a second run (a double start, another worker) finds it taken.
    claimable = [BulkStatus.QUEUED, BulkStatus.RUNNING] if resume else [BulkStatus.QUEUED]
    # An UPDATE returns a CursorResult; Session.execute is typed with the general Result.
    claim = cast(
        "CursorResult[Any]",
        session.execute(
            update(BulkJob)
            .where(BulkJob.id == job_id, BulkJob.status.in_(claimable))
            .values(status=BulkStatus.RUNNING, updated_at=utcnow())
        ),
    )
    claimed = claim.rowcount
    session.commit()
    job = session.get(BulkJob, job_id)
    if not claimed or job is None:
        return job
    user = session.get(User, job.created_by_id) if job.created_by_id else None
    flt = BulkFilter.from_json(job.filter)
    ids = [int(i) for i in job.arrangement_ids]
    labels = labels_of(session, ids)
    tally = Tally()
    every = max(1, int(every))
    with tempfile.TemporaryFile() as spool:
        collector = ZipCollector(spool)
        try:
            handled = (
                take_over(session, storage, job, labels, collector, tally) if resume else set()
            )
            for index, arrangement_id in enumerate(ids, start=1):
                if arrangement_id in handled:
                    continue
                _one(session, storage, job_id, arrangement_id, labels, user, flt, collector, tally)
                if index % every == 0 or index == len(ids):
                    _save_progress(session, job_id, tally)
                    if on_progress is not None:
                        on_progress(index, len(ids))
            if tally.done:
                collector.add_summary(tally.rows, utcnow())
        except (
            Exception
        ):  # a bug or a lost database: keep the count of what was made, say it stopped
            log.exception("bulk job %s stopped", job_id)
            session.rollback()
            tally.errors.append(
                {
                    "arrangement_id": None,
                    "codes": [],
                    "message": _(
                        "予期しないエラーのため中断しました。管理者に連絡してください。"
                        "作成済みの文書は各業務委託の版として保存されています。"
                    ),
                }
            )
            return _save_progress(
                session, job_id, tally, status=BulkStatus.FAILED, finished_at=utcnow()
            )
        finally:
            collector.close()
        if not tally.done:
            return _save_progress(
                session, job_id, tally, status=BulkStatus.DONE, finished_at=utcnow()
            )
        spool.seek(0)
        try:
            stored = storage.put(new_key("bulk"), spool)
        except StorageError as error:
            session.rollback()
            tally.errors.append({"arrangement_id": None, "message": error.message, "codes": []})
            return _save_progress(
                session, job_id, tally, status=BulkStatus.FAILED, finished_at=utcnow()
            )
    try:
        return _save_progress(
            session,
            job_id,
            tally,
            status=BulkStatus.DONE,
            finished_at=utcnow(),
            storage_key=stored.key,
            sha256=stored.sha256,
            size=stored.size,
        )
    except BaseException:
        session.rollback()
        services.discard_object(storage, stored.key)
        raise
