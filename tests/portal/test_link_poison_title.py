"""A stored title with CR/LF (written straight to the database) must not make link mails fail."""

from __future__ import annotations

from sqlalchemy import select

from tests.portal.conftest import make_request
from vendorguard.auth.roles import Role
from vendorguard.evidence.models import UploadLink
from vendorguard.extensions import db


def test_making_a_link_for_a_title_with_cr_lf_mails_it_on_one_header_line(
    app, client, make, login_as, two_contractors, smtp_inbox
):
    a = two_contractors[0]
    request = make_request(a.engagement, title="報告書\r\nBcc: attacker@example.com")
    login_as(make.user(Role.OFFICER, department=a.department))
    response = client.post(
        f"/portal/admin/requests/{request.id}/links",
        data={"days": "10", "recipient_email": "tanto@a-shoji.example.jp"},
    )
    assert response.status_code == 302
    assert db.session.scalars(select(UploadLink)).one().recipient_email
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "tanto@a-shoji.example.jp にリンクをメールで送信しました" in shown
    (message,) = smtp_inbox.messages
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert message["Subject"].endswith("（報告書 Bcc: attacker@example.com）")
    assert message["Bcc"] is None
