"""A pass's state and progress in the ``import_run`` table, so that every worker can show it.

The pass (``worker.run``) is one long transaction, so what it writes in its own session nobody
else sees until it ends. Its progress therefore goes through a short transaction on a connection
of its own (``report_progress``); the state around it (running, then done or stopped) is written
by the pass's caller with the batch. On SQLite a second writer would wait for the pass's write
lock, so there the progress is not written while the pass runs (the state still is): SQLite
serves one machine, where ``vg import`` prints its progress and the page says it is running.
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from vendorguard.core.timeutil import utcnow
from vendorguard.imports.models import BatchStatus, ImportBatch, ImportRun, RunState


def begin(session: Session, batch: ImportBatch, mode: str) -> ImportRun:
    """Record that a pass over the batch starts (its row is reset: one run per batch)."""
    batch.status = BatchStatus.RUNNING
    run = session.scalars(select(ImportRun).where(ImportRun.batch_id == batch.id)).first()
    if run is None:
        run = ImportRun(batch_id=batch.id)
        session.add(run)
    now = utcnow()
    run.mode, run.state, run.rows_done = mode, RunState.RUNNING, 0
    run.started_at = run.updated_at = now
    run.finished_at = None
    session.flush()
    return run


def report_progress(engine: Engine, batch_id: int, done: int) -> None:
    """Write how many rows the pass has read, in a transaction of its own (not on SQLite)."""
    if engine.dialect.name == "sqlite":
        return
    with engine.begin() as conn:
        conn.execute(
            update(ImportRun)
            .where(ImportRun.batch_id == batch_id)
            .values(rows_done=done, updated_at=utcnow())
        )


def finish(session: Session, batch_id: int, state: RunState, rows_done: int) -> None:
    """Record the end of the pass (in the transaction that records its outcome)."""
    session.execute(
        update(ImportRun)
        .where(ImportRun.batch_id == batch_id)
        .values(state=state, rows_done=rows_done, updated_at=utcnow(), finished_at=utcnow())
    )


def of(session: Session, batch_id: int) -> ImportRun | None:
    """The batch's current or last pass, as committed."""
    return session.scalars(select(ImportRun).where(ImportRun.batch_id == batch_id)).first()


def forget(session: Session, batch_ids: list[int]) -> None:
    """Remove the runs of batches about to be removed (SQLite may not enforce the cascade)."""
    if batch_ids:
        session.execute(delete(ImportRun).where(ImportRun.batch_id.in_(batch_ids)))
