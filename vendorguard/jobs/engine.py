"""Hand a job to the configured engine, and run one job body inside an application context."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

from vendorguard.core import settings
from vendorguard.jobs.registry import Job, name_of, register
from vendorguard.jobs.runner import run_job

log = logging.getLogger(__name__)
ENGINES = ("thread", "inline", "procrastinate")
_THREADS = "vendorguard.job_threads"


def task(name: str) -> Callable[[Job], Job]:
    """Register a job body under ``name`` (it receives only JSON-able keyword arguments)."""
    return lambda func: register(name, func)


def engine_of(app: Flask) -> str:
    """The configured engine; an unknown name is refused rather than silently run in-process."""
    engine = settings.for_app(app).job_engine
    if engine not in ENGINES:
        raise ValueError(f"VENDORGUARD_JOB_ENGINE must be one of {', '.join(ENGINES)}")
    return engine


def submit(
    session: Session | scoped_session[Session],
    target: str | Job,
    *,
    lock: str | None = None,
    **kwargs: Any,
) -> None:
    """Queue ``target(**kwargs)`` as part of ``session``'s transaction; the caller commits.

    With procrastinate the job row is written on the session's own connection, so the job exists
    exactly when the caller's data does. In-process engines start after that commit (a thread, or
    at once for ``inline``) so the job sees what the caller wrote; a rollback starts nothing.
    """
    app = cast(Flask, current_app._get_current_object())  # type: ignore[attr-defined]
    name = name_of(target)
    engine = engine_of(app)
    if engine == "procrastinate":
        from vendorguard.jobs import queue

        queue.defer(app, session, name, kwargs, lock=lock)
        return
    real = session() if isinstance(session, scoped_session) else session
    cancelled = False

    def _after_commit(_session: Session) -> None:
        if not cancelled:
            start_local(app, name, kwargs, wait=engine == "inline")

    def _after_rollback(_session: Session, _previous: Any) -> None:
        nonlocal cancelled
        if not _session.in_transaction():  # the whole transaction, not a savepoint
            cancelled = True  # the caller's data is gone: so is the job

    event.listen(real, "after_commit", _after_commit, once=True)
    event.listen(real, "after_soft_rollback", _after_rollback)


def start_local(app: Flask, name: str, kwargs: dict[str, Any], *, wait: bool = False) -> None:
    """Run a job in a thread of this process (the embedded engine)."""
    thread = threading.Thread(
        target=run_job, args=(app, name, kwargs), name=f"vg-job-{name}", daemon=True
    )
    threads: list[threading.Thread] = app.extensions.setdefault(_THREADS, [])
    threads[:] = [t for t in threads if t.is_alive()] + [thread]
    thread.start()
    if wait:
        thread.join()


def wait_local(app: Flask, timeout: float | None = None) -> bool:
    """Wait for this process's job threads (tests, orderly shutdown); True when all ended."""
    for thread in list(app.extensions.get(_THREADS, [])):
        thread.join(timeout)
    return not any(t.is_alive() for t in app.extensions.get(_THREADS, []))
