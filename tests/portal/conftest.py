"""Portal fixtures: two contractors with their own requests, a small valid PDF, an SMTP server."""

from __future__ import annotations

import email
import io
import itertools
import socket
from dataclasses import dataclass
from datetime import date, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from vendorguard.auth.roles import Role
from vendorguard.evidence.models import (
    Cadence,
    EvidenceFile,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceRequirement,
    EvidenceSubmission,
    RequestStatus,
    ReviewDecision,
    UploadLink,
)
from vendorguard.extensions import db

_seq = itertools.count(1)


def pdf_bytes(text: str = "vendorguard test") -> bytes:
    """A small, valid one-page PDF (header, objects, cross-reference table, trailer)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def make_request(
    arrangement,
    *,
    provider=EvidenceProvider.CONTRACTOR,
    status=RequestStatus.OPEN,
    due: date = date(2026, 12, 1),
    title: str = "セキュリティ対策実施状況報告書",
    description: str = "年1回、情報セキュリティ対策の実施状況を報告してください。",
) -> EvidenceRequest:
    """A requirement and one ad-hoc request for ``arrangement``, committed."""
    n = next(_seq)
    requirement = EvidenceRequirement(
        arrangement_id=arrangement.id,
        title=title,
        description=description,
        cadence=Cadence.AD_HOC,
        provider=provider,
        due_offset_days=14,
    )
    db.session.add(requirement)
    db.session.flush()
    request = EvidenceRequest(
        evidence_requirement_id=requirement.id,
        arrangement_id=arrangement.id,
        occurrence=f"adhoc-{n}",
        scheduled_due_on=due,
        due_on=due,
        status=status,
    )
    db.session.add(request)
    db.session.commit()
    return request


def make_submission(
    request,
    *,
    via="portal",
    user=None,
    decision=ReviewDecision.PENDING,
    reason="",
    storage=None,
    content: bytes | None = None,
    name="報告書.pdf",
) -> EvidenceSubmission:
    """A recorded submission with one file (stored in ``storage`` when given)."""
    import hashlib

    from vendorguard.storage import new_key

    content = content if content is not None else pdf_bytes()
    key = new_key("evidence")
    if storage is not None:
        storage.put(key, io.BytesIO(content))
    version = (
        db.session.scalar(
            select(func.max(EvidenceSubmission.version)).where(
                EvidenceSubmission.request_id == request.id
            )
        )
        or 0
    ) + 1
    submission = EvidenceSubmission(
        request_id=request.id,
        version=version,
        submitted_via=via,
        submitted_by_id=user.id if user else None,
        decision=decision,
        review_reason=reason,
    )
    db.session.add(submission)
    db.session.flush()
    db.session.add(
        EvidenceFile(
            submission_id=submission.id,
            original_filename=name,
            storage_key=key,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            content_type="application/pdf",
        )
    )
    db.session.commit()
    return submission


@dataclass
class Side:
    """One contractor with a portal user, an engagement and requests."""

    department: object
    contractor: object
    user: object
    engagement: object
    request: object


@pytest.fixture
def two_contractors(make):
    """Contractor A and contractor B, each with an engagement, a portal user and an open request."""
    sides = []
    for label in ("A", "B"):
        department = make.department(
            name=f"{label}担当課", phone="0796-23-1111", email=f"{label.lower()}@city.example.jp"
        )
        contractor = make.contractor(name=f"{label}商事株式会社")
        user = make.user(Role.CONTRACTOR, contractor_id=contractor.id, name=f"{label}社 担当者")
        engagement = make.engagement(
            department=department, contractor=contractor, title=f"{label}社の保守業務"
        )
        sides.append(
            Side(
                department,
                contractor,
                user,
                engagement,
                make_request(engagement, title=f"{label}社への報告依頼"),
            )
        )
    return sides


def multipart(files, comment: str = "", **fields):
    """Form data for the test client: a list of (bytes, filename) and a comment."""
    data = {"comment": comment, **fields}
    data["files"] = [(io.BytesIO(content), name) for content, name in files]
    return data


def stored_keys(app) -> list[str]:
    """Every object in the app's storage."""
    from vendorguard.storage import get_storage

    return [o.key for o in get_storage(app).iter_objects("")]


# --- a real SMTP server on loopback (as in tests/test_mail.py) --------------------------------


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox(app):
    """An aiosmtpd server the app sends to; yields its inbox."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        MAIL_HOST="127.0.0.1", MAIL_PORT=port, MAIL_SENDER="vendorguard@city.example.jp"
    )
    try:
        yield inbox
    finally:
        controller.stop()


def mail_text(message) -> str:
    """The plain-text body of a received message."""
    return message.get_body(("plain",)).get_content()


def link_in(text: str, base_url: str) -> str:
    """The path of the first URL in ``text`` that starts with ``base_url``."""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(base_url):
            return line[len(base_url) :]
    raise AssertionError(f"no link to {base_url} in:\n{text}")


def expire(link: UploadLink) -> None:
    """Move a link's expiry into the past."""
    from vendorguard.core.timeutil import utcnow

    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
