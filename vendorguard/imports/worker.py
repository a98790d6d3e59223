"""Running a preview or an apply, here in a background thread, with its progress in the database.

A 10,000-row file takes longer than a page should wait, so the web process runs the pass in a
thread with its own application context and session (``IMPORT_SYNC`` runs it in the request:
tests, debugging). The work itself is ``run_pass``, a plain function any process can call (the
``vg import`` command, a job). The pass is one transaction (the apply is all or nothing); its
state and progress are kept in ``import_run`` (``runs``), written apart from that transaction, so
whichever worker serves the page that follows it can show them. Like the bulk document job, this
module owns its transaction: it commits the batch's outcome itself.
"""

from __future__ import annotations

import logging
import threading
from typing import cast

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session, scoped_session

from vendorguard.audit.context import acting_as
from vendorguard.auth.models import User
from vendorguard.core import settings
from vendorguard.core.errors import DomainError
from vendorguard.imports import passes, runs
from vendorguard.imports.models import BatchStatus, ImportBatch, RunState
from vendorguard.jobs import submit, task
from vendorguard.jobs.engine import engine_of
from vendorguard.storage.factory import get_storage

log = logging.getLogger(__name__)
_THREADS = "vendorguard.import_threads"
PREVIEW, APPLY = "preview", "apply"
TASK = "imports.pass"


def enqueue(session: Session, batch_id: int, mode: str) -> None:
    """With a job engine, queue the pass in the caller's transaction (before its commit)."""
    if engine_of(current_app) == "procrastinate":
        submit(session, TASK, lock=f"import:{batch_id}", batch_id=batch_id, mode=mode)


@task(TASK)
def run_queued(batch_id: int, mode: str) -> None:
    """The engine's job body: the pass in the worker's context. A pass is one transaction, so a
    worker killed halfway left nothing behind and the engine's retry starts it afresh."""
    from vendorguard.extensions import db

    run_pass(db.session, batch_id, mode)


def start(app: Flask, batch_id: int, mode: str) -> None:
    """Without a job engine, run the pass now (``IMPORT_SYNC``) or in a background thread (after
    ``runs.begin``); with one, ``enqueue`` has already queued it."""
    if engine_of(app) == "procrastinate":
        return
    if settings.for_app(app).import_sync:
        run_in_app(app, batch_id, mode)
        return
    thread = threading.Thread(
        target=run_in_app, args=(app, batch_id, mode), name=f"vg-import-{batch_id}", daemon=True
    )
    app.extensions.setdefault(_THREADS, {})[batch_id] = thread
    thread.start()


def wait(app: Flask, batch_id: int, timeout: float | None = None) -> bool:
    """Wait for a pass started in a thread (tests, orderly shutdown); True when it has ended."""
    thread = app.extensions.get(_THREADS, {}).get(batch_id)
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()


def run_in_app(app: Flask, batch_id: int, mode: str) -> None:
    """The thread's entry point: a fresh context and session for ``run_pass``."""
    from vendorguard.extensions import db

    with app.app_context():
        try:
            run_pass(db.session, batch_id, mode)
        finally:
            # ``db.session`` is typed as the Session it proxies; here the scoped registry is meant.
            cast("scoped_session[Session]", db.session).remove()
            app.extensions.get(_THREADS, {}).pop(batch_id, None)


def run_pass(session: Session, batch_id: int, mode: str) -> None:
    """One pass over a batch whose run has begun, as its uploader; its outcome committed."""
    before = BatchStatus.PREVIEWED if mode == PREVIEW else BatchStatus.FAILED
    engine = session.get_bind()
    try:
        batch = session.get_one(ImportBatch, batch_id)
        user = session.get_one(User, batch.user_id)
        with acting_as(f"import:{batch_id}:{user.email}", user.id):
            run(
                session,
                batch,
                user,
                mode,
                lambda done: runs.report_progress(engine, batch_id, done),  # type: ignore[arg-type]
            )
    except Exception:  # never let a pass die silently: the batch says it stopped
        log.exception("import %s crashed", batch_id)
        session.rollback()
        stopped = session.get(ImportBatch, batch_id)
        if stopped is not None:
            stopped.status = before
            stopped.summary = {
                **(stopped.summary or {}),
                "stopped": _("予期しないエラーのため中断しました。管理者に連絡してください。"),
            }
            runs.finish(session, batch_id, RunState.STOPPED, stopped.rows_done)
            session.commit()


def run(session: Session, batch: ImportBatch, user: User, mode: str, report_progress=None) -> None:
    """One pass and its commit (the batch and its run record the outcome either way)."""
    storage = get_storage()
    state = RunState.DONE
    try:
        if mode == APPLY:
            passes.apply(session, storage, batch, user, report_progress)
        else:
            passes.preview(session, storage, batch, user, report_progress)
    except DomainError as error:
        session.rollback()
        batch = session.get_one(ImportBatch, batch.id)
        batch.status = BatchStatus.FAILED if mode == APPLY else BatchStatus.PREVIEWED
        batch.summary = {**(batch.summary or {}), "stopped": error.message}
        state = RunState.STOPPED
    runs.finish(session, batch.id, state, batch.rows_done)
    session.commit()
