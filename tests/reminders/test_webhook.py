"""The chat webhook: a JSON POST signed with HMAC-SHA256 over the raw body, retried when it fails."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date

from sqlalchemy import select

from tests.reminders.conftest import add_request, remind
from vendorguard.evidence.models import EvidenceProvider
from vendorguard.extensions import db
from vendorguard.reminders.models import Channel, DeliveryStatus, Notification

SECRET = "shared-secret-of-the-chat-tool"


def configure(app, server, secret=SECRET):
    app.config.update(
        WEBHOOK_URL=f"http://127.0.0.1:{server.server_port}/hooks/vendorguard",
        WEBHOOK_SECRET=secret,
        WEBHOOK_TIMEOUT=5,
    )


def test_webhook_posts_signed_json_once_per_occurrence(app, smtp, city, webhook_server):
    configure(app, webhook_server)
    add_request(city.engagement, date(2026, 12, 15))  # to the officer and the contractor: one post
    result = remind(app, "--as-of", "2026-12-08")
    assert result.exit_code == 0, result.output
    [(headers, body)] = webhook_server.received
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Vendorguard-Signature"], expected)
    assert headers["Content-Type"].startswith("application/json")
    payload = json.loads(body)
    assert (
        payload["event"] == "reminder"
        and payload["kind"] == "evidence_due"
        and payload["stage"] == "due-7"
    )
    assert payload["kind_label"] == "証跡の提出期限"
    assert payload["title"] == "証跡の提出期限まであと7日です：月次作業報告書"
    assert payload["target_on"] == "2026-12-15" and payload["days"] == 7
    assert payload["url"].startswith("https://vg.city.example.jp/")
    assert payload["text"].startswith("【vendorguard】証跡の提出期限まであと7日です")
    assert {"label": "所管課", "value": "市民課"} in payload["facts"]
    assert payload["id"] == headers["X-Vendorguard-Delivery"]
    # A receiver with another secret (or a changed body) would not match.
    assert (
        hmac.new(b"wrong", body, hashlib.sha256).hexdigest()
        not in headers["X-Vendorguard-Signature"]
    )
    remind(app, "--as-of", "2026-12-08")
    assert len(webhook_server.received) == 1


def test_webhook_failure_is_retried_and_reported(app, smtp, city, webhook_server):
    configure(app, webhook_server)
    add_request(city.engagement, date(2026, 12, 15), provider=EvidenceProvider.INTERNAL)
    webhook_server.status = 500
    result = remind(app, "--as-of", "2026-12-08")
    assert result.exit_code == 1 and "HTTP 500" in result.output
    hook = db.session.scalars(
        select(Notification).where(Notification.channel == Channel.WEBHOOK)
    ).one()
    assert (
        hook.status == DeliveryStatus.PENDING
        and hook.attempts == 1
        and "HTTP 500" in hook.last_error
    )
    assert smtp.inbox.subjects("sato@city.example.jp")  # the mail went anyway
    webhook_server.status = 204
    assert remind(app, "--as-of", "2026-12-08").exit_code == 0
    assert len(webhook_server.received) == 2
    db.session.expire_all()
    assert db.session.get(Notification, hook.id).status == DeliveryStatus.SENT


def test_without_a_secret_no_signature_header_and_without_url_no_webhook_rows(
    app, smtp, city, webhook_server
):
    add_request(city.engagement, date(2026, 12, 15), provider=EvidenceProvider.INTERNAL)
    assert remind(app, "--as-of", "2026-12-08").exit_code == 0
    assert (
        db.session.scalars(
            select(Notification).where(Notification.channel == Channel.WEBHOOK)
        ).first()
        is None
    )
    configure(app, webhook_server, secret="")
    assert remind(app, "--as-of", "2026-12-14").exit_code == 0  # a new stage: "1 day left"
    [(headers, body)] = webhook_server.received
    assert "X-Vendorguard-Signature" not in headers and json.loads(body)["stage"] == "due-1"
