"""Single-request upload links: made by the department, usable by anyone holding one, for one request only."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.portal.conftest import expire, mail_text, make_request, multipart, pdf_bytes, stored_keys
from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import TOKYO, today_tokyo
from vendorguard.evidence.models import (
    EvidenceFile,
    EvidenceProvider,
    EvidenceRequest,
    EvidenceSubmission,
    RequestStatus,
    UploadLink,
)
from vendorguard.extensions import db
from vendorguard.portal import services, tokens
from vendorguard.storage import get_storage


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _new_link(request, days: int = 14) -> tuple[UploadLink, str]:
    link, nonce = services.create_upload_link(db.session, request, created_by=None, days=days)
    db.session.commit()
    return link, f"/portal/link/{request.id}/{tokens.upload_link_token(link.id, nonce)}"


def _upload(client, url: str, content: bytes | None = None, name: str = "報告書.pdf"):
    return client.post(
        url,
        data=multipart([(content or pdf_bytes(), name)], comment="リンクから提出します。"),
        content_type="multipart/form-data",
    )


def test_an_officer_makes_a_link_sees_it_once_and_it_is_mailed(
    app, client, make, login_as, two_contractors, smtp_inbox
):
    a = two_contractors[0]
    app.config["BASE_URL"] = "https://vendorguard.city.example.jp"
    login_as(make.user(Role.OFFICER, department=a.department))
    page = client.get(f"/portal/admin/requests/{a.request.id}/links").get_data(as_text=True)
    assert "リンクを発行する" in page and 'value="14"' in page  # fourteen days unless changed
    response = client.post(
        f"/portal/admin/requests/{a.request.id}/links",
        data={"days": "10", "recipient_email": "Tanto@A-Shoji.example.jp"},
    )
    assert response.status_code == 302
    link = db.session.scalars(select(UploadLink)).one()
    assert link.recipient_email == "tanto@a-shoji.example.jp"
    assert link.expires_at.astimezone(TOKYO).date() == today_tokyo() + timedelta(days=10)
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    url = re.search(r'id="new-link-url" readonly value="([^"]+)"', shown).group(1)
    assert url.startswith("https://vendorguard.city.example.jp/portal/link/")
    assert "tanto@a-shoji.example.jp にリンクをメールで送信しました" in shown
    again = client.get(f"/portal/admin/requests/{a.request.id}/links").get_data(as_text=True)
    assert url not in again and "new-link-url" not in again  # shown once only
    # The nonce is never stored as such: only its hash.
    nonce = tokens.read_upload_link_token(url.rsplit("/", 1)[1]).nonce
    assert link.nonce == hashlib.sha256(nonce.encode()).hexdigest() != nonce
    (message,) = smtp_inbox.messages
    assert (
        message["To"] == "tanto@a-shoji.example.jp" and "証跡の提出のお願い" in message["Subject"]
    )
    text = mail_text(message)
    assert url in text and "2026年12月1日" in text and "A担当課" in text and "A社の保守業務" in text


def test_the_link_page_shows_the_request_and_accepts_an_upload(app, client, two_contractors):
    a = two_contractors[0]
    link, url = _new_link(a.request)
    page = client.get(url).get_data(as_text=True)
    assert "A社への報告依頼" in page and "2026年12月1日" in page and "A商事株式会社" in page
    assert "年1回、情報セキュリティ対策の実施状況を報告してください。" in page
    content = pdf_bytes("via link")
    response = _upload(client, url, content)
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    submission = db.session.scalars(select(EvidenceSubmission)).one()
    assert (submission.submitted_via, submission.upload_link_id, submission.submitted_by_id) == (
        "link",
        link.id,
        None,
    )
    stored = db.session.scalars(select(EvidenceFile)).one()
    assert get_storage(app).read_bytes(stored.storage_key) == content
    assert db.session.get(UploadLink, link.id).last_used_at is not None
    assert "を提出しました（1件のファイル）" in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize(
    "spoil, status, message",
    [
        ("expired", 410, "有効期限（"),
        ("revoked", 410, "取り消されました"),
        ("other_request", 404, "別の提出依頼のためのもの"),
        ("tampered", 404, "このリンクは無効です"),
        ("unknown", 404, "このリンクは無効です"),
    ],
)
def test_a_dead_or_misused_link_is_refused_clearly_and_stores_nothing(
    app, client, two_contractors, spoil, status, message
):
    a = two_contractors[0]
    link, url = _new_link(a.request)
    if spoil == "expired":
        expire(link)
    elif spoil == "revoked":
        services.revoke_upload_link(db.session, link)
        db.session.commit()
    elif spoil == "other_request":
        other = make_request(a.engagement, title="別の依頼")
        url = url.replace(f"/link/{a.request.id}/", f"/link/{other.id}/")
    elif spoil == "tampered":
        token = url.rsplit("/", 1)[1]
        url = url[: -len(token)] + token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif spoil == "unknown":
        other_link, nonce = _new_link(a.request)
        db.session.delete(other_link)
        db.session.commit()
        url = f"/portal/link/{a.request.id}/{tokens.upload_link_token(other_link.id + 1000, 'x' * 43)}"
    for response in (client.get(url), _upload(client, url)):
        assert response.status_code == status
        html = response.get_data(as_text=True)
        assert message in html and "このリンクは使えません" in html
        assert 'type="file"' not in html
    assert _count(EvidenceSubmission) == 0 and _count(EvidenceFile) == 0 and stored_keys(app) == []
    assert db.session.get(UploadLink, link.id).last_used_at is None


def test_an_expired_link_still_says_whom_to_ask(client, two_contractors):
    a = two_contractors[0]
    link, url = _new_link(a.request)
    expire(link)
    html = client.get(url).get_data(as_text=True)
    assert "A担当課" in html and "0796-23-1111" in html and "A社への報告依頼" in html


def test_a_link_for_a_withdrawn_request_is_gone(app, client, two_contractors):
    a = two_contractors[0]
    link, url = _new_link(a.request)
    db.session.get(EvidenceRequest, a.request.id).status = RequestStatus.CLOSED
    db.session.commit()
    response = _upload(client, url)
    assert response.status_code == 410 and "取り下げられた" in response.get_data(as_text=True)
    assert stored_keys(app) == []


def test_links_only_for_contractor_requests_and_only_by_whoever_may_change_it(
    client, make, login_as, two_contractors
):
    a = two_contractors[0]
    internal = make_request(a.engagement, provider=EvidenceProvider.INTERNAL, title="市の点検記録")
    login_as(make.user(Role.OFFICER, department=a.department))
    response = client.post(f"/portal/admin/requests/{internal.id}/links", data={"days": "14"})
    assert response.status_code == 400 and "提出用リンクを発行できません" in response.get_data(
        as_text=True
    )
    response = client.post(f"/portal/admin/requests/{a.request.id}/links", data={"days": "0"})
    assert response.status_code == 400 and "1〜90日で指定してください" in response.get_data(
        as_text=True
    )
    assert _count(UploadLink) == 0


def test_other_departments_and_readers_cannot_make_or_revoke_links(app, make, two_contractors):
    a = two_contractors[0]
    link, _ = _new_link(a.request)
    from tests.conftest import login

    outsider, auditor = app.test_client(), app.test_client()
    login(outsider, make.user(Role.OFFICER))
    login(auditor, make.user(Role.AUDITOR))
    assert (
        outsider.post(
            f"/portal/admin/requests/{a.request.id}/links", data={"days": "14"}
        ).status_code
        == 403
    )
    assert outsider.post(f"/portal/admin/links/{link.id}/revoke").status_code == 403
    listing = auditor.get(f"/portal/admin/requests/{a.request.id}/links")
    assert listing.status_code == 200 and "リンクを発行する" not in listing.get_data(as_text=True)
    assert auditor.post(f"/portal/admin/links/{link.id}/revoke").status_code == 403
    assert db.session.get(UploadLink, link.id).revoked_at is None and _count(UploadLink) == 1


def test_revoking_stops_the_link_at_once(client, make, login_as, two_contractors):
    a = two_contractors[0]
    link, url = _new_link(a.request)
    assert client.get(url).status_code == 200
    login_as(make.user(Role.PROCUREMENT))
    response = client.post(f"/portal/admin/links/{link.id}/revoke")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "取消済" in page
    assert client.get(url).status_code == 410


def test_the_links_page_runs_the_same_number_of_queries_for_5_and_500_links(
    client, make, login_as, count_queries, two_contractors
):
    import secrets

    from vendorguard.core.timeutil import utcnow

    a = two_contractors[0]
    login_as(make.user(Role.OFFICER, department=a.department))

    def add(n):
        db.session.add_all(
            [
                UploadLink(
                    request_id=a.request.id,
                    nonce=secrets.token_hex(32),
                    expires_at=utcnow() + timedelta(days=i % 3 - 1),
                    revoked_at=utcnow() if i % 5 == 0 else None,
                )
                for i in range(n)
            ]
        )
        db.session.commit()

    add(5)
    with count_queries() as small:
        assert client.get(f"/portal/admin/requests/{a.request.id}/links").status_code == 200
    add(495)
    with count_queries() as large:
        html = client.get(f"/portal/admin/requests/{a.request.id}/links").get_data(as_text=True)
    assert html.count("/revoke") > 100
    assert small.count == large.count
