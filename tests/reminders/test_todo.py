"""Notifications as a to-do list (issue 14, item 7): resolved when the item is dealt with, stages
after an overdue review's date, and the list sorted by urgency."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask_babel import force_locale
from sqlalchemy import select

from tests.reminders.conftest import add_request
from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence.models import RequestStatus
from vendorguard.extensions import db
from vendorguard.reminders import kinds, messages, queries, resolution, sweep
from vendorguard.reminders.models import Notification

DAY = date(2026, 12, 1)


def _mine(user) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def test_overdue_review_is_reminded_after_the_date_once_per_stage(city):
    city.engagement.next_review_on = DAY
    db.session.commit()
    for late in (1, 1, 3, 7, 8, 30, 31, 60):  # a day twice: the sweep adds nothing the 2nd time
        sweep.run(db.session, DAY + timedelta(days=late))
        db.session.commit()
    stages = [n.stage for n in _mine(city.officer) if n.kind == kinds.REVIEW_OVERDUE]
    assert stages == ["overdue-1", "overdue-7", "overdue-30"]
    late = [n for n in _mine(city.officer) if n.kind == kinds.REVIEW_OVERDUE]
    assert [n.data["days"] for n in late] == [1, 7, 30]
    message = messages.build(kinds.REVIEW_OVERDUE, late[-1].data)
    assert message.subject == f"定期確認の予定日を30日過ぎています：{city.engagement.title}"
    with force_locale("en"):
        english = messages.build(kinds.REVIEW_OVERDUE, late[-1].data)
    assert english.subject.startswith("Periodic review 30 days overdue")


def test_missed_sweeps_catch_up_with_the_stage_reached(city):
    city.engagement.next_review_on = DAY
    db.session.commit()
    sweep.run(db.session, DAY + timedelta(days=10))  # the server was off on days 1 … 9
    db.session.commit()
    assert [n.stage for n in _mine(city.officer) if n.kind == kinds.REVIEW_OVERDUE] == ["overdue-7"]


def test_recording_the_review_resolves_its_reminders(city):
    city.engagement.next_review_on = DAY
    db.session.commit()
    sweep.run(db.session, DAY + timedelta(days=1))
    db.session.commit()
    city.engagement.next_review_on = DAY + timedelta(days=365)  # what recording a review does
    db.session.commit()
    result = sweep.run(db.session, DAY + timedelta(days=2))
    db.session.commit()
    reviews = [n for n in _mine(city.officer) if n.kind == kinds.REVIEW_OVERDUE]
    assert reviews and all(n.resolved_at and n.read_at for n in reviews)
    assert result.resolved >= len(reviews)
    assert resolution.resolve(db.session) == 0  # idempotent


def test_submitted_evidence_resolves_its_reminders_on_the_list(client, login_as, city):
    today = today_tokyo()
    request = add_request(city.engagement, today - timedelta(days=3), title="月次作業報告書")
    later = add_request(city.engagement, today + timedelta(days=7), title="四半期報告書")
    sweep.run(db.session, today)
    db.session.commit()
    assert {n.subject_id for n in _mine(city.officer)} >= {request.id, later.id}

    request.status = RequestStatus.SUBMITTED  # the contractor submitted
    db.session.commit()
    login_as(city.officer)
    html = client.get("/notifications/").get_data(as_text=True)
    db.session.expire_all()
    dealt = [n for n in _mine(city.officer) if n.subject_id == request.id]
    assert dealt and all(n.resolved_at is not None for n in dealt)
    assert all(n.resolved_at is None for n in _mine(city.officer) if n.subject_id == later.id)
    # open ones first: the quarterly report (due in 7 days) comes before the resolved monthly one
    rows = re.findall(r"<tr( class=\"resolved\")?>.*?(月次作業報告書|四半期報告書)", html, re.S)
    assert rows[0] == ("", "四半期報告書") and rows[-1] == (' class="resolved"', "月次作業報告書")
    assert "対応済み" in html
    # the badge, read with the user before the rows were resolved, counts again after resolving
    unread = queries.unread_count(city.officer.id)
    assert unread == len([n for n in _mine(city.officer) if n.read_at is None])
    assert f'お知らせ <span class="badge badge-danger">{unread}</span>' in html


def test_list_puts_overdue_first_then_by_due_date(client, login_as, city):
    today = today_tokyo()
    soon = add_request(city.engagement, today + timedelta(days=2), title="近い報告")
    far = add_request(city.engagement, today + timedelta(days=12), title="遠い報告")
    sweep.run(db.session, today)
    db.session.commit()
    overdue = add_request(city.engagement, today - timedelta(days=1), title="超過の報告")
    sweep.run(db.session, today)  # the same day again adds only the new request's reminder
    db.session.commit()
    assert {soon.id, far.id, overdue.id} <= {n.subject_id for n in _mine(city.officer)}
    login_as(city.officer)
    html = client.get("/notifications/").get_data(as_text=True)
    order = re.findall(r"(超過の報告|近い報告|遠い報告)", html)
    assert order.index("超過の報告") < order.index("近い報告") < order.index("遠い報告")


def test_renewed_certificate_resolves_its_expiry_reminders(city, make):
    old = make.certification(
        city.contractor, number="ISMS-OLD", valid_until=DAY + timedelta(days=30)
    )
    sweep.run(db.session, DAY)
    db.session.commit()
    expiring = [n for n in _mine(city.officer) if n.kind == kinds.CERTIFICATION_EXPIRY]
    assert expiring and all(n.subject_id == old.id and n.resolved_at is None for n in expiring)
    make.certification(city.contractor, number="ISMS-NEW", valid_until=DAY + timedelta(days=400))
    assert resolution.resolve(db.session) == len(expiring)
    db.session.commit()
    db.session.expire_all()
    assert all(n.resolved_at is not None for n in _mine(city.officer) if n.subject_id == old.id)
