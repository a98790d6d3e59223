"""Background work: one way to hand a job to whichever engine runs it (see docs/architecture.md, "Jobs").

``submit`` queues a registered task or a plain module-level function. With ``JOB_ENGINE=thread``
(the embedded default, SQLite and no other service) the job runs in a thread of this process after
the caller's commit; with ``JOB_ENGINE=procrastinate`` it is a row in PostgreSQL written in the
caller's own transaction and run by ``vg jobs-worker``.
"""

from vendorguard.jobs.engine import submit, task

__all__ = ["submit", "task"]
