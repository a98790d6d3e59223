"""Two ``vg remind`` processes started at the same moment against PostgreSQL send each reminder once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.reminders.conftest import SmtpServer, add_request, remind_process
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.extensions import db
from vendorguard.reminders.models import Channel, DeliveryStatus, Notification


class SlowInbox:
    """Takes a little time per message, so the two senders are surely at work together."""

    def __init__(self, inbox):
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.05)
        return await self.inbox.handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp():
    server = SmtpServer()
    real = server.inbox
    server.inbox = SlowInbox(real)
    server.start()
    server.inbox = real
    try:
        yield server
    finally:
        server.stop()


def test_two_processes_at_once_send_each_reminder_exactly_once(
    app, make, slow_smtp, database_url, tmp_path
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "needs PostgreSQL (set VENDORGUARD_TEST_DATABASE_URL); SQLite has a single writer"
        )
    department = make.department(name="税務課", email="zeimu@city.example.jp")
    make.user(Role.ADMIN)
    for n in range(12):
        officer = make.user(Role.OFFICER, department=department)
        contractor = make.contractor()
        make.user(Role.CONTRACTOR, contractor_id=contractor.id)
        engagement = make.engagement(
            department=department,
            contractor=contractor,
            responsible_officer_id=officer.id,
            state=ArrangementState.ACTIVE,
        )
        for due in (
            date(2026, 12, 9),
            date(2026, 12, 15),
            date(2026, 11, 20),
        ):  # due-1, due-7, overdue-19 + escalation
            add_request(engagement, due, title=f"報告書{n}-{due:%m%d}")
    db.session.commit()
    env = {
        "VENDORGUARD_MAIL_HOST": "127.0.0.1",
        "VENDORGUARD_MAIL_PORT": str(slow_smtp.port),
        "VENDORGUARD_BASE_URL": "https://vg.city.example.jp",
    }
    processes = [
        remind_process(database_url, tmp_path / f"instance{i}", "--as-of", "2026-12-08", env=env)
        for i in range(2)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (out, err) in zip(processes, outputs, strict=False):
        assert process.returncode == 0, out + err
    rows = db.session.scalar(select(func.count()).where(Notification.channel == Channel.EMAIL))
    # 12 × (3 to the officer + 3 to the contractor + 1 to the department mailbox + 1 to the admin)
    assert rows == 96
    delivered = Counter(
        (rcpt, message["Subject"]) for rcpts, message in slow_smtp.inbox.messages for rcpt in rcpts
    )
    assert sum(delivered.values()) == rows
    assert max(delivered.values()) == 1, [key for key, count in delivered.items() if count > 1]
    assert (
        db.session.scalar(select(func.count()).where(Notification.status != DeliveryStatus.SENT))
        == 0
    )
    created = [int(out.split("新しい通知 ")[1].split("件")[0]) for out, _ in outputs]
    assert sum(created) == rows  # the sweep, too, created each row in one process only
    sent = [int(out.split("送信 ")[1].split("件")[0]) for out, _ in outputs]
    assert sum(sent) == rows and min(sent) > 0, sent  # both worked, on different rows (SKIP LOCKED)
