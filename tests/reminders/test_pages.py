"""The notification list, the preference page, and the security office's reminder pages."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import render_template_string
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests.reminders.conftest import add_request
from vendorguard.audit.models import AuditEvent
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo, utcnow
from vendorguard.extensions import db
from vendorguard.reminders import outbox, plan_store, queries
from vendorguard.reminders.models import (
    Channel,
    DeliveryStatus,
    Notification,
    ReminderPreference,
    ReminderSetting,
)


def add_rows(
    user, count: int, status=DeliveryStatus.SENT, channel=Channel.EMAIL, start: int = 0
) -> None:
    """``count`` outbox rows for ``user`` (Core insert: quick)."""
    now = utcnow()
    outbox.insert_rows(
        db.session,
        [
            {
                "dedup_key": f"evreq:{n}:2026-12-15:due-7:user:{user.id}:{channel}",
                "topic": f"evreq:{n}",
                "channel": channel,
                "kind": "evidence_due",
                "stage": "due-7",
                "subject_type": "evidence_request",
                "subject_id": n,
                "arrangement_id": None,
                "target_on": date(2026, 12, 15),
                "sweep_on": date(2026, 12, 8),
                "user_id": user.id,
                "email": user.email,
                "status": status,
                "attempts": 8 if status == DeliveryStatus.FAILED else 1,
                "next_attempt_at": now,
                "claim_token": None,
                "claimed_until": None,
                "last_error": "SMTPRecipientsRefused" if status == DeliveryStatus.FAILED else "",
                "sent_at": now if status == DeliveryStatus.SENT else None,
                "digest_id": None,
                "created_at": now,
                "read_at": None,
                "data": {
                    "title": f"報告書{n}",
                    "arrangement": "窓口業務委託",
                    "arrangement_kind": "engagement",
                    "department": "市民課",
                    "target_on": "2026-12-15",
                    "days": 7,
                    "occurrence": "2026-11",
                    "links": [["engagements.detail", {"engagement_id": 1}]],
                },
            }
            for n in range(start, start + count)
        ],
    )
    db.session.commit()


def test_notifications_list_read_marks_and_the_unread_count(app, client, login_as, city):
    add_rows(city.officer, 3)
    add_rows(city.colleague, 2, start=10)
    assert queries.unread_count(city.officer.id) == 3
    login_as(city.officer)
    page = client.get("/notifications/").get_data(as_text=True)
    assert (
        "未読 3件" in page
        and "証跡の提出期限まであと7日です：報告書0" in page
        and "報告書10" not in page
    )
    mine = db.session.scalars(
        select(Notification.id)
        .where(Notification.user_id == city.officer.id)
        .order_by(Notification.id)
    ).all()
    theirs = db.session.scalars(
        select(Notification.id)
        .where(Notification.user_id == city.colleague.id)
        .order_by(Notification.id)
    ).all()
    response = client.post("/notifications/read", data={"id": [mine[0], theirs[0]]})
    assert response.status_code == 302
    assert (
        queries.unread_count(city.officer.id) == 2 and queries.unread_count(city.colleague.id) == 2
    )
    assert "1件を既読にしました。" in client.get("/notifications/").get_data(as_text=True)
    page = client.get("/notifications/?unread=1").get_data(as_text=True)
    assert "報告書0" not in page and "報告書1" in page
    client.post("/notifications/read", data={"all": "1"})
    assert (
        queries.unread_count(city.officer.id) == 0 and queries.unread_count(city.colleague.id) == 2
    )
    with app.test_request_context():
        assert render_template_string("{{ unread_notifications() }}") == "0"  # signed out


@pytest.mark.parametrize(
    "path, rows, status",
    [
        ("/notifications/?per_page=200", "officer", DeliveryStatus.SENT),
        ("/admin/reminders/sent?per_page=200", "admin", DeliveryStatus.SENT),
        ("/admin/reminders/failed?per_page=200", "admin", DeliveryStatus.FAILED),
    ],
)
def test_lists_run_a_fixed_number_of_queries(
    app, client, login_as, city, count_queries, path, rows, status
):
    login_as(city.admin if rows == "admin" else city.officer)
    add_rows(city.officer, 5, status)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    add_rows(city.officer, 495, status, start=5)
    with count_queries() as many:
        page = client.get(path).get_data(as_text=True)
    assert page.count("報告書") >= 200
    assert few.count == many.count, (few.count, many.count)


def test_preference_page_saves_the_digest_choice(client, login_as, city):
    login_as(city.officer)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert (
        "1日1通のまとめメールで受け取る" in page
        and "カレンダー配信URLは発行されていません。" in page
    )
    response = client.post("/notifications/settings", data={"digest": "1"})
    assert response.status_code == 302
    assert db.session.get(ReminderPreference, city.officer.id).digest is True
    page = client.post("/notifications/settings", data={"digest": "maybe"}).get_data(as_text=True)
    assert "入力内容を確認してください" in page
    assert db.session.get(ReminderPreference, city.officer.id).digest is True


def test_upcoming_shows_the_stored_plan_without_writing_the_outbox(client, login_as, city):
    add_request(city.engagement, today_tokyo() + timedelta(days=10))
    plan_store.refresh(db.session, today_tokyo(), webhook=False)
    db.session.commit()
    login_as(city.admin)
    page = client.get("/admin/reminders/?days=7").get_data(as_text=True)
    assert "今後7日間に作成される通知" in page
    assert "証跡の提出期限まであと10日です：月次作業報告書" in page  # today, 14-day stage
    assert "証跡の提出期限まであと7日です：月次作業報告書" in page  # in three days, 7-day stage
    assert "sato@city.example.jp" in page and "tanaka@tajima.example.jp" in page
    assert "あと1日です" not in page  # nine days on: beyond the seven days asked for
    assert "あと1日です" in client.get("/admin/reminders/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert client.get("/admin/reminders/?days=abc").status_code == 200


def test_upcoming_counts_the_queue_up_to_a_bound(client, login_as, city, monkeypatch):
    monkeypatch.setattr(queries, "QUEUE_COUNT_BOUND", 2)
    add_rows(city.officer, 3, DeliveryStatus.PENDING)
    add_rows(city.officer, 2, DeliveryStatus.FAILED, start=3)
    login_as(city.admin)
    page = client.get("/admin/reminders/").get_data(as_text=True)
    queue = page[page.index("送信待ちの通知") : page.index("今後14日間")]
    assert "<dt>送信待ち</dt><dd>2件以上</dd>" in queue
    assert "<dt>送信失敗</dt><dd>2件</dd>" in queue and "<dt>送信中</dt><dd>0件</dd>" in queue


def test_failed_list_retry_one_and_all(client, login_as, city):
    add_rows(city.officer, 3, DeliveryStatus.FAILED)
    login_as(city.admin)
    page = client.get("/admin/reminders/failed").get_data(as_text=True)
    assert page.count("再送する") >= 3 and "SMTPRecipientsRefused" in page
    first = db.session.scalars(select(Notification).order_by(Notification.id)).first()
    assert client.post(f"/admin/reminders/{first.id}/retry").status_code == 302
    db.session.expire_all()
    assert first.status == DeliveryStatus.PENDING and first.attempts == 0
    assert "送信失敗の状態ではありません" in client.post(
        f"/admin/reminders/{first.id}/retry", follow_redirects=True
    ).get_data(as_text=True)
    assert client.post("/admin/reminders/999999/retry").status_code == 404
    assert "2件の再送を予約しました" in client.post(
        "/admin/reminders/retry-failed", follow_redirects=True
    ).get_data(as_text=True)
    assert (
        db.session.scalar(select(func.count()).where(Notification.status == DeliveryStatus.FAILED))
        == 0
    )
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "retry")) == 2


def test_settings_page_validates_and_saves(client, login_as, city):
    login_as(city.admin)
    page = client.get("/admin/reminders/settings").get_data(as_text=True)
    # One number input per day, in the stored order, and a blank one to add with.
    fields = re.findall(r'<input [^>]*name="evidence_due__offsets" value="(\d*)"', page)
    assert fields == ["14", "7", "1", "0", ""]
    assert 'min="0" max="365"' in page and "js/editors.js" in page
    form = MultiDict(
        [
            ("evidence_due__enabled", "y"),
            ("evidence_due__offsets", "7"),
            ("evidence_due__offsets", "２１"),  # full-width digits from an IME
            ("evidence_due__offsets", ""),  # the blank row
            ("evidence_due__offsets", "1"),
            ("evidence_overdue__enabled", "y"),
            ("evidence_overdue__repeat", "3"),
            ("evidence_overdue__escalate", ""),
            ("social_flag__repeat", "7"),
            ("inspection_overdue__repeat", "7"),
            ("questionnaire_overdue__repeat", "7"),  # a repeat field every page sends
            ("certification_expiry__offsets", "90,30,7"),  # a pasted list still reads
        ]
    )
    for bad, message in (
        ("九十", "「九十」は使えません"),
        ("366", "0〜365 の整数"),
        ("30", "30日が2回"),
    ):
        data = form.copy()
        data.add("certification_expiry__offsets", bad)
        html = client.post("/admin/reminders/settings", data=data).get_data(as_text=True)
        assert message in html, bad
        assert 'aria-invalid="true"' in html.split('name="certification_expiry__offsets"')[1][:600]
    assert db.session.scalar(select(func.count()).select_from(ReminderSetting)) == 0
    assert client.post("/admin/reminders/settings", data=form).status_code == 302
    saved = {row.kind: row for row in db.session.scalars(select(ReminderSetting))}
    assert saved["evidence_due"].offsets == "21,7,1" and saved["evidence_overdue"].repeat_days == 3
    assert saved["certification_expiry"].offsets == "90,30,7"
    assert saved["evidence_overdue"].escalate_after_days is None
    assert saved["ismap_expiry"].enabled is False  # left unticked
    assert db.session.scalar(
        select(func.count()).where(AuditEvent.object_type == "reminder_setting")
    ) == len(saved)
    page = client.get("/admin/reminders/settings").get_data(as_text=True)
    fields = re.findall(r'<input [^>]*name="evidence_due__offsets" value="(\d*)"', page)
    assert fields == ["21", "7", "1", ""]


def test_who_may_open_what(app, client, login_as, city, make):
    login_as(city.officer)
    for path in (
        "/admin/reminders/",
        "/admin/reminders/sent",
        "/admin/reminders/failed",
        "/admin/reminders/settings",
    ):
        assert client.get(path).status_code == 403, path
    assert client.get("/notifications/").status_code == 200
    contractor = app.test_client()
    contractor.post(
        "/login", data={"email": city.portal_user.email, "password": "correct horse battery"}
    )
    assert contractor.get("/notifications/").status_code == 403
    assert app.test_client().get("/notifications/").status_code == 302
    auditor = make.user(Role.AUDITOR)
    assert auditor.department_id is None


def test_recent_partial_for_the_home_page(app, city):
    from flask import render_template
    from flask_login import login_user

    add_rows(city.officer, 7)
    with app.test_request_context("/"):
        login_user(city.officer)
        html = render_template("reminders/_recent.html")
    assert "未読 7件" in html and html.count("<li>") == 5 and "/notifications/" in html
