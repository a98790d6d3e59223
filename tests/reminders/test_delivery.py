"""At given dates the right people get the right mails, once; SMTP down means nothing is marked sent."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, update

from tests.reminders.conftest import add_request, remind
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import utcnow
from vendorguard.evidence.models import EvidenceProvider
from vendorguard.extensions import db
from vendorguard.reminders.models import Channel, DeliveryStatus, Notification
from vendorguard.reminders.services import set_digest

SATO, SUZUKI, TANAKA = "sato@city.example.jp", "suzuki@city.example.jp", "tanaka@tajima.example.jp"
ADMIN, MAILBOX = "security@city.example.jp", "shimin@city.example.jp"


def run(app, day: str, code: int = 0):
    result = remind(app, "--as-of", day)
    assert result.exit_code == code, result.output
    return result


def statuses() -> dict[str, int]:
    rows = db.session.execute(
        select(Notification.status, func.count()).group_by(Notification.status)
    ).all()
    return {str(status.value): count for status, count in rows}


def test_due_soon_reaches_the_responsible_officer_and_the_contractor_once(app, smtp, city):
    add_request(city.engagement, date(2026, 12, 15))
    run(app, "2026-12-01")
    inbox = smtp.inbox
    assert inbox.subjects(SATO) == ["【vendorguard】証跡の提出期限まであと14日です：月次作業報告書"]
    assert inbox.subjects(TANAKA) == [
        "【vendorguard】証跡の提出期限まであと14日です：月次作業報告書"
    ]
    assert len(inbox.messages) == 2  # not the colleague, not the security office
    mail = inbox.to(SATO)[0]
    body = mail.get_body(("plain",)).get_content()
    assert body.startswith("佐藤花子 様")
    assert "提出期限：2026年12月15日（あと14日）" in body and "所管課：市民課" in body
    assert (
        "https://vg.city.example.jp/notifications/settings" in body
    )  # where to switch to the digest
    assert "<table>" in mail.get_body(("html",)).get_content()
    portal = inbox.to(TANAKA)[0].get_body(("plain",)).get_content()
    assert portal.startswith("但馬情報システム株式会社 田中 様")
    assert (
        "https://vg.city.example.jp/portal/requests/" in portal
        and "/notifications/settings" not in portal
    )
    run(app, "2026-12-01")  # the same day again: nothing new
    assert len(inbox.messages) == 2


def test_a_request_from_due_soon_to_escalation(app, smtp, city):
    add_request(city.engagement, date(2026, 12, 15))
    add_request(
        city.engagement,
        date(2026, 12, 15),
        title="アクセスログ点検記録",
        provider=EvidenceProvider.INTERNAL,
    )
    inbox = smtp.inbox
    expected = {
        "2026-12-08": "証跡の提出期限まであと7日です",
        "2026-12-14": "証跡の提出期限まであと1日です",
        "2026-12-15": "本日が証跡の提出期限です",
        "2026-12-16": "証跡の提出期限を1日過ぎています",
        "2026-12-23": "証跡の提出期限を8日過ぎています",
    }
    for day, subject in expected.items():
        inbox.clear()
        run(app, day)
        assert sorted(inbox.subjects(SATO)) == sorted(
            f"【vendorguard】{subject}：{title}"
            for title in ("月次作業報告書", "アクセスログ点検記録")
        ), day
        assert inbox.subjects(TANAKA) == [f"【vendorguard】{subject}：月次作業報告書"], (
            day
        )  # not the internal one
        assert not inbox.to(SUZUKI) and not inbox.to(ADMIN) and not inbox.to(MAILBOX), day
        run(app, day)
        assert len(inbox.to(SATO)) == 2, day  # a second run that day sends nothing
    inbox.clear()
    run(app, "2026-12-20")  # between two overdue reminders: nothing
    assert inbox.messages == []
    run(app, "2026-12-30")  # 15 days late: weekly reminder, and escalation above the department
    assert sorted(inbox.subjects(SATO)) == [
        "【vendorguard】証跡の提出期限を15日過ぎています：アクセスログ点検記録",
        "【vendorguard】証跡の提出期限を15日過ぎています：月次作業報告書",
    ]
    escalated = (
        "【vendorguard】【要対応】証跡の未提出が15日続いています：住民記録システム運用保守業務委託"
    )
    assert inbox.subjects(MAILBOX) == [escalated, escalated]
    assert inbox.subjects(ADMIN) == [escalated, escalated]
    assert (
        inbox.to(MAILBOX)[0].get_body(("plain",)).get_content().startswith("市民課長 山田太郎 様")
    )
    assert not inbox.to(TANAKA)[0]["Subject"].startswith("【vendorguard】【要対応】")


def test_a_missed_day_is_caught_up_and_without_responsible_officer_the_department_hears(
    app, smtp, city, make
):
    city.engagement.responsible_officer_id = None
    db.session.commit()
    add_request(city.engagement, date(2026, 12, 15), provider=EvidenceProvider.INTERNAL)
    run(app, "2026-12-10")  # nobody ran the sweep on the 8th
    subject = "【vendorguard】証跡の提出期限まであと5日です：月次作業報告書"
    assert smtp.inbox.subjects(SATO) == [subject] and smtp.inbox.subjects(SUZUKI) == [subject]
    run(app, "2026-12-11")
    assert len(smtp.inbox.messages) == 2


def test_smtp_down_fails_the_run_and_marks_nothing_sent_then_sends_once(app, smtp, city):
    add_request(city.engagement, date(2026, 12, 15))
    smtp.stop()
    result = run(app, "2026-12-08", code=1)
    assert "送信エラー" in result.output
    assert statuses() == {"pending": 2}
    row = db.session.scalars(select(Notification).order_by(Notification.id)).first()
    assert row.attempts == 1 and row.sent_at is None and "Error" in row.last_error
    smtp.start()
    run(app, "2026-12-08")
    assert sorted(rcpt for rcpts, _ in smtp.inbox.messages for rcpt in rcpts) == sorted(
        [SATO, TANAKA]
    )
    assert statuses() == {"sent": 2}
    run(app, "2026-12-08")
    assert len(smtp.inbox.messages) == 2


def test_a_reminder_not_sent_in_time_is_replaced_by_the_next_one(app, smtp, city):
    add_request(city.engagement, date(2026, 12, 15), provider=EvidenceProvider.INTERNAL)
    smtp.stop()
    run(app, "2026-12-01", code=1)
    run(app, "2026-12-08", code=1)
    smtp.start()
    run(app, "2026-12-08")
    assert smtp.inbox.subjects(SATO) == [
        "【vendorguard】証跡の提出期限まであと7日です：月次作業報告書"
    ]
    assert statuses() == {"sent": 1, "superseded": 1}


def test_giving_up_after_the_limit_and_an_admin_retry(app, smtp, city, client, login_as):
    app.config["REMINDER_MAX_ATTEMPTS"] = 2
    add_request(city.engagement, date(2026, 12, 15), provider=EvidenceProvider.INTERNAL)
    smtp.stop()
    run(app, "2026-12-08", code=1)
    result = run(app, "2026-12-08", code=1)
    assert "打ち切り 1件" in result.output
    failed = db.session.scalars(select(Notification)).one()
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 2
    smtp.start()
    run(app, "2026-12-08")  # given up: not retried on its own
    assert smtp.inbox.messages == []
    login_as(city.admin)
    page = client.get("/admin/reminders/failed").get_data(as_text=True)
    assert "証跡の提出期限まであと7日です" in page and "再送する" in page
    response = client.post(f"/admin/reminders/{failed.id}/retry")
    assert response.status_code == 302
    run(app, "2026-12-08")
    assert smtp.inbox.subjects(SATO) == [
        "【vendorguard】証跡の提出期限まであと7日です：月次作業報告書"
    ]


def test_daily_digest_one_mail_a_day(app, smtp, city):
    set_digest(db.session, city.officer.id, True)
    db.session.commit()
    add_request(city.engagement, date(2026, 12, 15), provider=EvidenceProvider.INTERNAL)
    add_request(
        city.engagement,
        date(2026, 12, 9),
        title="アクセスログ点検記録",
        provider=EvidenceProvider.INTERNAL,
    )
    run(app, "2026-12-08")
    [digest] = smtp.inbox.to(SATO)
    assert digest["Subject"] == "【vendorguard】2026年12月8日 のお知らせ（2件）"
    body = digest.get_body(("plain",)).get_content()
    assert "■ 証跡の提出期限まであと1日です：アクセスログ点検記録" in body
    assert "■ 証跡の提出期限まであと7日です：月次作業報告書" in body
    add_request(
        city.engagement, date(2026, 12, 10), title="入退室記録", provider=EvidenceProvider.INTERNAL
    )
    run(app, "2026-12-08")  # something new later that day waits for tomorrow's digest
    assert len(smtp.inbox.to(SATO)) == 1
    run(app, "2026-12-09")
    second = smtp.inbox.to(SATO)[1]
    # The row queued yesterday evening ("2 days left") gave way to today's "1 day left".
    assert second["Subject"] == "【vendorguard】2026年12月9日 のお知らせ（2件）"
    body = second.get_body(("plain",)).get_content()
    assert "■ 証跡の提出期限まであと1日です：入退室記録" in body
    assert "■ 本日が証跡の提出期限です：アクセスログ点検記録" in body
    assert statuses() == {"sent": 6, "superseded": 1}  # 2 digests + 4 reminders sent in them


def test_rows_of_a_sender_that_died_are_taken_over_after_the_lease(app, smtp, city):
    add_request(city.engagement, date(2026, 12, 15), provider=EvidenceProvider.INTERNAL)
    add_request(
        city.engagement, date(2026, 12, 15), title="入退室記録", provider=EvidenceProvider.INTERNAL
    )
    smtp.stop()
    run(app, "2026-12-08", code=1)
    smtp.start()
    first, second = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    now = utcnow()
    # One row claimed by a process that died an hour ago, one by a process still working on it.
    db.session.execute(
        update(Notification)
        .where(Notification.id == first.id)
        .values(
            status=DeliveryStatus.SENDING,
            claim_token="dead",
            claimed_until=now - timedelta(hours=1),
        )
    )
    db.session.execute(
        update(Notification)
        .where(Notification.id == second.id)
        .values(
            status=DeliveryStatus.SENDING,
            claim_token="alive",
            claimed_until=now + timedelta(hours=1),
        )
    )
    db.session.commit()
    run(app, "2026-12-08")
    assert smtp.inbox.subjects(SATO) == [
        "【vendorguard】証跡の提出期限まであと7日です：月次作業報告書"
    ]
    db.session.expire_all()
    assert db.session.get(Notification, second.id).status == DeliveryStatus.SENDING


def test_dry_run_lists_and_writes_nothing(app, smtp, city):
    add_request(city.engagement, date(2026, 12, 15))
    result = remind(app, "--dry-run", "--as-of", "2026-12-08")
    assert result.exit_code == 0, result.output
    assert "新たに作られる通知: 2件" in result.output
    assert SATO in result.output and TANAKA in result.output and "あと7日" in result.output
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert smtp.inbox.messages == []


def test_inactive_people_and_closed_requests_get_nothing(app, smtp, city, make):
    from vendorguard.evidence.models import RequestStatus

    city.portal_user.active = False
    db.session.commit()
    add_request(city.engagement, date(2026, 12, 15))
    add_request(
        city.engagement,
        date(2026, 12, 15),
        title="提出済みの報告書",
        status=RequestStatus.SUBMITTED,
    )
    run(app, "2026-12-08")
    assert smtp.inbox.subjects(SATO) == [
        "【vendorguard】証跡の提出期限まであと7日です：月次作業報告書"
    ]
    assert smtp.inbox.to(TANAKA) == []
    assert db.session.scalar(select(func.count()).where(Notification.channel == Channel.EMAIL)) == 1
    make.user(
        Role.OFFICER, department=city.department
    )  # unrelated: nothing changes for the next run
    run(app, "2026-12-08")
    assert len(smtp.inbox.messages) == 1


def test_contract_end_and_certificate_mails(app, smtp, city, make):
    make.certification(city.contractor, number="IS 123456", valid_until=date(2027, 3, 3))
    run(
        app, "2027-03-01"
    )  # 30 days before the contract ends on 31 March; 2 days before the certificate ends
    assert sorted(smtp.inbox.subjects(SATO)) == [
        "【vendorguard】契約期間の終了まであと30日です：住民記録システム運用保守業務委託",
        "【vendorguard】委託事業者の認証の有効期限まであと2日です：但馬情報システム株式会社（ISMS（ISO/IEC 27001））",
    ]
    end = (
        next(m for m in smtp.inbox.to(SATO) if "契約期間" in m["Subject"])
        .get_body(("plain",))
        .get_content()
    )
    assert "情報資産の返還・廃棄（消去）を証明する書類を受け取ってください" in end
    assert "https://vg.city.example.jp/engagements/" in end
    assert not smtp.inbox.to(TANAKA)  # registers concern the city's staff
