"""督促: an officer reminds the contractor of one evidence request now — through the outbox, out
at once, one mail however often the button is pressed, to the portal users or else the
contractor's contact address, and audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.reminders.conftest import add_request
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence.models import EvidenceProvider, RequestStatus
from vendorguard.extensions import db
from vendorguard.reminders import kinds
from vendorguard.reminders.models import DeliveryStatus, Notification


def _page_key(client, request_id: int) -> str:
    html = client.get(f"/evidence/requests/{request_id}").get_data(as_text=True)
    return re.search(r'name="click_key" value="([0-9a-f]+)"', html).group(1)


def _text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def _remind(client, request_id: int, key: str, note: str = ""):
    return client.post(
        f"/reminders/evidence-requests/{request_id}/remind",
        data={"click_key": key, "note": note},
    )


def test_remind_now_sends_one_mail_per_page_view_with_the_note(client, login_as, city, smtp):
    overdue = add_request(city.engagement, today_tokyo() - timedelta(days=5))
    login_as(city.officer)
    page = client.get(f"/evidence/requests/{overdue.id}").get_data(as_text=True)
    assert "但馬情報システム株式会社" in page and "委託事業者に今すぐ督促する" in page
    key = _page_key(client, overdue.id)

    first = _remind(client, overdue.id, key, note="至急ご確認ください。")
    second = _remind(client, overdue.id, key, note="至急ご確認ください。")  # the double click
    assert first.status_code == second.status_code == 302
    assert len(smtp.inbox.messages) == 1
    recipients, mail = smtp.inbox.messages[0]
    assert recipients == ["tanaka@tajima.example.jp"]
    assert "【督促】" in mail["Subject"] and "月次作業報告書" in mail["Subject"]
    text = _text(mail)
    assert "至急ご確認ください。" in text and "5日超過" in text
    assert "市民課" in text and "佐藤花子" in text
    assert "/portal/requests/" in text  # the contractor's link, not the city's page
    assert "すでに送っています" in client.get(second.headers["Location"]).get_data(as_text=True)

    rows = db.session.scalars(
        select(Notification).where(Notification.kind == kinds.EVIDENCE_NUDGE)
    ).all()
    assert [(r.status, r.email) for r in rows] == [
        (DeliveryStatus.SENT, "tanaka@tajima.example.jp")
    ]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "remind")).all()
    assert len(events) == 1 and events[0].after["note"] == "至急ご確認ください。"

    # A new page view is a new reminder.
    _remind(client, overdue.id, _page_key(client, overdue.id))
    assert len(smtp.inbox.messages) == 2


def test_without_portal_users_the_contact_address_gets_it(client, login_as, make, city, smtp):
    contractor = make.contractor(
        name="城崎印刷株式会社", contact_name="営業 一郎", contact_email="eigyo@kinosaki.example.jp"
    )
    engagement = make.engagement(department=city.department, contractor=contractor)
    due = add_request(engagement, today_tokyo() + timedelta(days=3))
    login_as(city.officer)
    _remind(client, due.id, _page_key(client, due.id))
    assert [rcpts for rcpts, _mail in smtp.inbox.messages] == [["eigyo@kinosaki.example.jp"]]
    assert "あと3日" in _text(smtp.inbox.messages[0][1])


def test_smtp_down_keeps_the_reminder_for_a_retry(client, login_as, city, smtp):
    overdue = add_request(city.engagement, today_tokyo() - timedelta(days=1))
    smtp.stop()
    login_as(city.officer)
    response = _remind(client, overdue.id, _page_key(client, overdue.id))
    assert response.status_code == 302
    row = db.session.scalars(
        select(Notification).where(Notification.kind == kinds.EVIDENCE_NUDGE)
    ).one()
    assert row.status == DeliveryStatus.PENDING and row.attempts == 1  # retried by `vg remind`
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "自動で再送します" in page


@pytest.mark.parametrize(
    "status, provider, message",
    [
        (RequestStatus.SUBMITTED, EvidenceProvider.CONTRACTOR, "督促できません"),
        (RequestStatus.OPEN, EvidenceProvider.INTERNAL, "督促は送れません"),
    ],
)
def test_nothing_is_queued_when_there_is_nothing_to_remind(
    client, login_as, city, smtp, status, provider, message
):
    request = add_request(
        city.engagement, today_tokyo() - timedelta(days=2), status=status, provider=provider
    )
    login_as(city.officer)
    response = _remind(client, request.id, "ab" * 16)
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert smtp.inbox.messages == []


def test_a_forged_key_is_refused(client, login_as, city, smtp):
    overdue = add_request(city.engagement, today_tokyo() - timedelta(days=2))
    login_as(city.officer)
    response = _remind(client, overdue.id, "not-a-key")
    assert "画面を開き直して" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_an_officer_of_another_department_may_not_remind(client, login_as, make, city, smtp):
    overdue = add_request(city.engagement, today_tokyo() - timedelta(days=2))
    login_as(make.user(Role.OFFICER, department=make.department(name="税務課")))
    assert "委託事業者に今すぐ督促する" not in client.get(
        f"/evidence/requests/{overdue.id}"
    ).get_data(as_text=True)
    assert _remind(client, overdue.id, "cd" * 16).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
