"""Job-engine fixtures: procrastinate's schema in the test database, worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from vendorguard.extensions import db
from vendorguard.jobs import queue

ROOT = Path(__file__).resolve().parents[2]
TABLES = (
    "procrastinate_periodic_defers",
    "procrastinate_events",
    "procrastinate_jobs",
    "procrastinate_workers",
)


def wait_until(condition: Callable[[], object], timeout: float = 60, what: str = "") -> None:
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


def scalar(sql: str, **params):
    """One value read on a fresh connection (sees what other processes committed)."""
    with db.engine.connect() as connection:
        return connection.scalar(text(sql), params)


@pytest.fixture
def job_queue(app):
    """The app on the procrastinate engine over the PostgreSQL test database; queue emptied after."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the job engine needs PostgreSQL (set VENDORGUARD_TEST_DATABASE_URL)")
    with db.engine.begin() as connection:
        queue.apply_schema(connection)
    app.config["JOB_ENGINE"] = "procrastinate"
    yield app
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))


class Workers:
    """``vg jobs-worker`` processes run against the test app's database, storage and instance."""

    def __init__(self, app, log_dir: Path) -> None:
        self.app = app
        self.log_dir = log_dir
        self.env: dict[str, str] = {}
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        config = self.app.config
        environment = {
            **os.environ,
            "VENDORGUARD_DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
            "VENDORGUARD_SECRET_KEY": config["SECRET_KEY"],
            "VENDORGUARD_INSTANCE_PATH": self.app.instance_path,
            "VENDORGUARD_STORAGE_URL": config["STORAGE_URL"],
            "VENDORGUARD_JOB_ENGINE": "procrastinate",
            "VENDORGUARD_JOB_STALLED_SECONDS": "2",
            # No scheduled runs: an hourly reminder sweep deferred mid-test would add notifications.
            "VENDORGUARD_JOB_SCHEDULE": "false",
            **self.env,
        }
        environment.pop("VENDORGUARD_TEST_DATABASE_URL", None)
        log = open(self.log_dir / f"worker{len(self.processes)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "vg", "jobs-worker"]
            + ["--heartbeat-seconds", "0.5"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL: no cleanup, no goodbye to the database; then wait until it counts as dead."""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        wait_until(
            lambda: (
                not scalar(
                    "SELECT count(*) FROM procrastinate_workers "
                    "WHERE last_heartbeat > now() - interval '2 seconds'"
                )
            ),
            timeout=15,
            what="the killed worker's heartbeat to age",
        )

    def log(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("worker*.log")))

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def workers(job_queue, tmp_path):
    """Start worker processes with ``workers.start()``; all are stopped after the test."""
    running = Workers(job_queue, tmp_path)
    yield running
    running.stop_all()


def job_finished(job_id: int) -> bool:
    status = scalar("SELECT status FROM procrastinate_jobs WHERE id = :id", id=job_id)
    return status in ("succeeded", "failed")
