"""Upload links: a stored title with CR/LF (written straight to the database) must not make
link mails fail; NUL in an upload's text field is refused."""

from __future__ import annotations

from sqlalchemy import select

from tests.portal.conftest import make_request, multipart, pdf_bytes, stored_keys
from vendorguard.auth.roles import Role
from vendorguard.evidence.models import EvidenceSubmission, UploadLink
from vendorguard.extensions import db
from vendorguard.portal import services, tokens


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


def test_nul_in_an_upload_comment_is_refused_and_nothing_is_stored(app, client, two_contractors):
    a = two_contractors[0]
    link, nonce = services.create_upload_link(db.session, a.request, created_by=None, days=7)
    db.session.commit()
    url = f"/portal/link/{a.request.id}/{tokens.upload_link_token(link.id, nonce)}"
    response = client.post(
        url,
        data=multipart([(pdf_bytes(), "報告書.pdf")], comment="提出\x00します"),
        content_type="multipart/form-data",
    )
    assert response.status_code in (400, 422)
    assert "入力に使えない文字（NUL）が含まれています" in response.get_data(as_text=True)
    assert db.session.scalars(select(EvidenceSubmission)).first() is None
    assert stored_keys(app) == []
