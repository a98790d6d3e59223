"""Upload feedback: the size limit stated next to every file input; progress and 「送信中…」 in a browser."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from tests.portal.conftest import make_request, pdf_bytes
from vendorguard.auth.roles import Role
from vendorguard.evidence.models import EvidenceSubmission
from vendorguard.extensions import db


def _contractor_with_request(make):
    contractor = make.contractor(name="但馬データセンター株式会社")
    engagement = make.engagement(contractor=contractor, title="住民記録システム保守業務")
    user = make.user(Role.CONTRACTOR, contractor_id=contractor.id, name="但馬 太郎")
    return user, make_request(engagement)


def test_limit_is_stated_next_to_the_file_input(app, client, make, login_as):
    user, request = _contractor_with_request(make)
    app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    login_as(user)
    html = client.get(f"/portal/requests/{request.id}").get_data(as_text=True)
    field = html.split('id="files"')[1].split("</div>")[0]
    assert "1ファイル 20 MB まで" in field
    assert f'data-upload-limit="{20 * 1024 * 1024}"' in field
    assert "js/upload.js" in html and '<meta name="vg-sending-label" content="送信中…">' in html
    client.post("/language", data={"locale": "en", "next": "/portal/"})
    html = client.get(f"/portal/requests/{request.id}").get_data(as_text=True)
    assert "Up to 20 MB per file" in html and 'content="Sending…"' in html
    assert "“%s” is too large (at most 20 MB per file)." in html


@pytest.mark.browser
def test_upload_shows_progress_and_refuses_a_file_over_the_limit(app, live_server, page, make):
    user, request = _contractor_with_request(make)
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    page.goto(f"{live_server}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server}/portal/requests/{request.id}")
    assert "1ファイル 2 MB まで" in page.locator("#upload").inner_text()

    big = {"name": "大きな報告書.pdf", "mimeType": "application/pdf", "buffer": b"0" * 2_200_000}
    page.set_input_files("#files", files=[big])
    page.wait_for_selector("[data-upload-error] >> text=「大きな報告書.pdf」は大きすぎます")
    page.click("#upload button[type=submit]")  # refused before anything is sent
    assert db.session.scalar(select(EvidenceSubmission.id)) is None

    posts = []
    page.on(
        "request",
        lambda r: posts.append(r.resource_type) if r.method == "POST" else None,
    )
    page.evaluate(  # hold the button state long enough to observe it
        "document.querySelector('#upload form').addEventListener('submit', () =>"
        " setTimeout(() => { const b = document.querySelector('#upload button[type=submit]');"
        " window.seen = [b.disabled, b.textContent, !!document.querySelector('progress.upload-progress')]; }, 0))"
    )
    # 600 KB: big enough for the progress bar (smaller files post normally)
    padded = pdf_bytes("ok") + b"%" + b"0" * 600_000 + b"\n"
    page.set_input_files(
        "#files", files=[{"name": "報告書.pdf", "mimeType": "application/pdf", "buffer": padded}]
    )
    assert page.locator("[data-upload-error]").inner_text() == ""
    page.click("#upload button[type=submit]")
    page.wait_for_selector("text=を提出しました（1件のファイル）")
    assert page.evaluate("window.seen") == [True, "送信中…", True]
    assert posts == ["xhr"]  # sent by XMLHttpRequest (progress events), not a page load
    assert page.url.endswith(f"/portal/requests/{request.id}")
    db.session.expire_all()
    assert db.session.scalar(select(EvidenceSubmission.id)) is not None
