"""Fixtures for reminders: a real SMTP server and a real HTTP server on 127.0.0.1, and a small city."""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import date
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.evidence.models import (
    Cadence,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    RequestStatus,
)
from vendorguard.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """Collects what the SMTP server accepted."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list:
        """Messages delivered to ``address``."""
        return [m for rcpts, m in self.messages if address in rcpts]

    def subjects(self, address: str) -> list[str]:
        return [m["Subject"] for m in self.to(address)]

    def clear(self):
        with self.lock:
            self.messages.clear()


class SmtpServer:
    """An aiosmtpd server that can be stopped and started again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    """A running SMTP server the app sends to."""
    server = SmtpServer()
    server.start()
    app.config.update(
        MAIL_HOST="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_TIMEOUT=60,  # a loaded CI machine can stall the server thread for seconds
        MAIL_SENDER="vendorguard@city.example.jp",
        BASE_URL="https://vg.city.example.jp",
        REMINDER_RETRY_BASE_SECONDS=0,
    )
    try:
        yield server
    finally:
        server.stop()


class Hook(BaseHTTPRequestHandler):
    """Records each POST; answers with the status the test sets."""

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((dict(self.headers), body))
        self.send_response(self.server.status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server():
    """A local HTTP server standing in for the chat tool."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.received, server.status = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class City:
    """One department with two officers, a contractor with a portal user, and an engagement."""

    department: object
    officer: object
    colleague: object
    admin: object
    contractor: object
    portal_user: object
    engagement: object


@pytest.fixture
def city(make) -> City:
    department = make.department(
        name="市民課", email="shimin@city.example.jp", security_manager_name="市民課長 山田太郎"
    )
    officer = make.user(
        Role.OFFICER, department=department, name="佐藤花子", email="sato@city.example.jp"
    )
    colleague = make.user(
        Role.OFFICER, department=department, name="鈴木一郎", email="suzuki@city.example.jp"
    )
    admin = make.user(Role.ADMIN, name="情報政策課 高橋", email="security@city.example.jp")
    contractor = make.contractor(name="但馬情報システム株式会社")
    portal_user = make.user(
        Role.CONTRACTOR, contractor_id=contractor.id, name="田中", email="tanaka@tajima.example.jp"
    )
    engagement = make.engagement(
        department=department,
        contractor=contractor,
        title="住民記録システム運用保守業務委託",
        responsible_officer_id=officer.id,
        state=ArrangementState.ACTIVE,
        starts_on=date(2026, 4, 1),
        ends_on=date(2027, 3, 31),
    )
    return City(department, officer, colleague, admin, contractor, portal_user, engagement)


def add_request(
    arrangement,
    due_on: date,
    *,
    title="月次作業報告書",
    provider=EvidenceProvider.CONTRACTOR,
    occurrence=None,
    status=RequestStatus.OPEN,
) -> EvidenceRequest:
    """An evidence requirement with one request due on ``due_on``."""
    requirement = EvidenceRequirement(
        arrangement_id=arrangement.id, title=title, cadence=Cadence.MONTHLY, provider=provider
    )
    db.session.add(requirement)
    db.session.flush()
    request = EvidenceRequest(
        evidence_requirement_id=requirement.id,
        arrangement_id=arrangement.id,
        occurrence=occurrence or f"{due_on:%Y-%m}",
        scheduled_due_on=due_on,
        due_on=due_on,
        status=status,
    )
    db.session.add(request)
    db.session.commit()
    return request


def remind(app, *args: str):
    """``flask vg remind ARGS`` in this process; returns the click result."""
    return app.test_cli_runner().invoke(args=["vg", "remind", *args])


def remind_process(
    database_url: str, instance: Path, *args: str, env: dict | None = None
) -> subprocess.Popen:
    """Start ``flask --app app vg remind ARGS`` as a separate process against ``database_url``."""
    environment = {
        **os.environ,
        "VENDORGUARD_DATABASE_URL": database_url,
        "VENDORGUARD_SECRET_KEY": "test",
        "VENDORGUARD_INSTANCE_PATH": str(instance),
        **(env or {}),
    }
    environment.pop("VENDORGUARD_TEST_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "vg", "remind", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
