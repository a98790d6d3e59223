"""One bad row never stops the nightly run: header injection is neutralised, anything else is parked."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.reminders.conftest import add_request, remind
from vendorguard.evidence.models import EvidenceProvider
from vendorguard.extensions import db
from vendorguard.reminders.models import Channel, DeliveryStatus, Notification

SATO = "sato@city.example.jp"


def test_a_title_with_cr_lf_is_mailed_on_one_header_line(app, smtp, city):
    add_request(
        city.engagement,
        date(2026, 12, 15),
        title="月次作業報告書\r\nBcc: attacker@example.com",
        provider=EvidenceProvider.INTERNAL,
    )
    result = remind(app, "--as-of", "2026-12-08")
    assert result.exit_code == 0, result.output
    [mail] = smtp.inbox.to(SATO)
    assert mail["Subject"] == (
        "【vendorguard】証跡の提出期限まであと7日です：月次作業報告書 Bcc: attacker@example.com"
    )
    assert mail["Bcc"] is None
    assert all(rcpts == [SATO] for rcpts, _ in smtp.inbox.messages)
    row = db.session.scalars(select(Notification)).one()
    assert row.status == DeliveryStatus.SENT


def _poison_row(user_id: int) -> Notification:
    # Written straight to the table, as a bad migration or a hand edit would: no rule makes it.
    row = Notification(
        dedup_key="poison:1",
        topic="poison",
        channel=Channel.EMAIL,
        kind="no-such-kind",
        sweep_on=date(2026, 12, 8),
        user_id=user_id,
        email=SATO,
        data={},
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_a_row_that_cannot_be_built_is_parked_and_the_batch_goes_on(
    app, smtp, city, client, login_as
):
    poison = _poison_row(city.officer.id)
    add_request(city.engagement, date(2026, 12, 15), provider=EvidenceProvider.INTERNAL)
    result = remind(app, "--as-of", "2026-12-08")
    assert result.exit_code == 0, result.output
    assert "保留（送信不可） 1件" in result.output
    assert smtp.inbox.subjects(SATO) == [
        "【vendorguard】証跡の提出期限まであと7日です：月次作業報告書"
    ]
    db.session.expire_all()
    parked = db.session.get(Notification, poison.id)
    assert parked.status == DeliveryStatus.PARKED
    assert parked.claim_token is None
    assert parked.last_error.startswith("KeyError")

    # The next run neither stops on it nor tries it again.
    add_request(
        city.engagement,
        date(2026, 12, 16),
        title="アクセスログ点検記録",
        provider=EvidenceProvider.INTERNAL,
        occurrence="2026-12b",
    )
    smtp.inbox.clear()
    result = remind(app, "--as-of", "2026-12-09")
    assert result.exit_code == 0, result.output
    assert "保留（送信不可） 0件" in result.output
    assert smtp.inbox.subjects(SATO) == [
        "【vendorguard】証跡の提出期限まであと7日です：アクセスログ点検記録"
    ]
    db.session.expire_all()
    assert db.session.get(Notification, poison.id).attempts == 1

    login_as(city.admin)
    page = client.get("/admin/reminders/failed").get_data(as_text=True)
    assert "保留（送信不可）" in page and "KeyError" in page
