"""The per-user calendar feed: a secret URL, parsed with the icalendar package; revoked means 404."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
from sqlalchemy import select

from tests.reminders.conftest import add_request
from vendorguard.approvals.models import ApprovalState
from vendorguard.arrangements.models import ArrangementState
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.evidence.models import RequestStatus
from vendorguard.extensions import db
from vendorguard.reminders.ical import Event, render
from vendorguard.reminders.models import CalendarFeed


def issue(client) -> str:
    page = client.post("/notifications/calendar").get_data(as_text=True)
    match = re.search(r"<code>(https?://[^<]+\.ics)</code>", page)
    assert match, page
    return match.group(1)


def path_of(url: str) -> str:
    return "/" + url.split("//", 1)[1].split("/", 1)[1]


def events(app, url: str) -> dict:
    response = app.test_client().get(path_of(url))
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_feed_lists_the_users_due_dates_and_revoking_gives_404(app, client, login_as, city, make):
    today = today_tokyo()
    due = today + timedelta(days=20)
    add_request(city.engagement, due)
    db.session.refresh(city.engagement)  # old values known: the audit trail records the change
    city.engagement.ends_on = today + timedelta(days=100)
    city.engagement.next_review_on = today + timedelta(days=50)
    make.certification(city.contractor, valid_until=today + timedelta(days=70))
    make.cloud_service(
        department=city.department,
        title="電子申請サービス",
        state=ArrangementState.ACTIVE,
        approval_state=ApprovalState.APPROVED,
        approval_valid_until=today + timedelta(days=30),
    )
    other = make.engagement(title="他課の業務委託", state=ArrangementState.ACTIVE)
    add_request(other, due, title="他課の報告書")
    db.session.commit()
    login_as(city.officer)
    url = issue(client)
    assert url.startswith("http://127.0.0.1:5000/calendar/")
    found = events(app, url)
    request = found["証跡の提出期限：月次作業報告書（住民記録システム運用保守業務委託）"]
    assert request["DTSTART"].dt == due and request["DTEND"].dt == due + timedelta(days=1)
    assert str(request["DESCRIPTION"]) == RequestStatus.OPEN.label
    assert re.fullmatch(r"http://127\.0\.0\.1:5000/evidence/requests/\d+", str(request["URL"]))
    calendar = icalendar.Calendar.from_ical(app.test_client().get(path_of(url)).data)
    assert str(calendar["X-WR-CALNAME"]) == f"vendorguard 期限一覧（{city.officer.name}）"
    assert found["契約期間の終了：住民記録システム運用保守業務委託"][
        "DTSTART"
    ].dt == today + timedelta(days=100)
    assert found["定期確認の予定日：住民記録システム運用保守業務委託"][
        "DTSTART"
    ].dt == today + timedelta(days=50)
    assert found["認証の有効期限：但馬情報システム株式会社 ISMS（ISO/IEC 27001）"][
        "DTSTART"
    ].dt == today + timedelta(days=70)
    assert found["利用承認の期限：電子申請サービス"]["DTSTART"].dt == today + timedelta(days=30)
    assert not any("他課" in summary for summary in found)
    assert len({str(e["UID"]) for e in found.values()}) == len(found)
    # Only the hash is kept; the page does not show the URL again.
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = db.session.scalars(select(CalendarFeed)).one()
    assert token not in feed.token_hash and len(feed.token_hash) == 64
    assert token not in client.get("/notifications/settings").get_data(as_text=True)
    # Reissuing retires the old URL; revoking retires the new one.
    newer = issue(client)
    assert app.test_client().get(path_of(url)).status_code == 404
    assert events(app, newer)
    assert client.post("/notifications/calendar/revoke").status_code == 302
    assert app.test_client().get(path_of(newer)).status_code == 404
    assert app.test_client().get("/calendar/not-a-token.ics").status_code == 404


def test_a_colleague_sees_the_department_and_an_archived_user_loses_the_feed(
    app, client, login_as, city, make
):
    add_request(city.engagement, today_tokyo() + timedelta(days=3))
    login_as(city.colleague)  # not responsible, but an officer of the department
    url = issue(client)
    assert "証跡の提出期限：月次作業報告書（住民記録システム運用保守業務委託）" in events(app, url)
    procurement = make.user(Role.PROCUREMENT)
    assert procurement.department_id is None
    city.colleague.active = False
    db.session.commit()
    assert app.test_client().get(path_of(url)).status_code == 404


def test_render_is_valid_icalendar_with_all_day_events_and_text_kept_intact():
    tricky = "報告書, 第2版; 「改訂」\\ 版\n2行目" + "長い説明文" * 30
    day = today_tokyo()
    data = render(
        [
            Event(
                "evreq-7",
                day,
                "証跡の提出期限：点検記録, 月次; 第1回",
                tricky,
                "https://vg.example/x?a=1&b=2",
            ),
            Event("end-8", day + timedelta(days=3), "契約期間の終了：保守業務"),
        ],
        "vendorguard 期限一覧（山田, 太郎）",
        "vg.example",
    )
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded by the library
    lines = data.decode().split("\r\n")
    assert "X-WR-CALNAME:vendorguard 期限一覧（山田\\, 太郎）" in lines  # TEXT, escaped
    assert "X-PUBLISHED-TTL:PT6H" in lines and "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in lines
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"])
    first, second = calendar.walk("VEVENT")
    assert str(first["UID"]) == "evreq-7@vg.example" and str(second["UID"]) == "end-8@vg.example"
    assert first["DTSTAMP"].dt.tzinfo is not None
    assert first["DTSTART"].params["VALUE"] == "DATE"
    assert (first["DTSTART"].dt, first["DTEND"].dt) == (day, day + timedelta(days=1))
    assert str(first["SUMMARY"]) == "証跡の提出期限：点検記録, 月次; 第1回"
    assert str(first["DESCRIPTION"]) == tricky
    assert str(first["URL"]) == "https://vg.example/x?a=1&b=2"
    assert "DESCRIPTION" not in second and "URL" not in second
