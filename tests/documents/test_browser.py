"""A bulk job followed in a real browser: CSP and CSRF on, the job in its background thread."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from vendorguard.auth.roles import Role
from vendorguard.documents import bulk_worker, services
from vendorguard.documents.models import BulkJob, BulkStatus
from vendorguard.extensions import db

pytestmark = pytest.mark.browser


def test_progress_page_follows_the_job_and_offers_the_zip(
    app, live_server, page, make, shipped_catalog, monkeypatch
):
    app.config.update(BULK_SYNC=False, BULK_PROGRESS_EVERY=1)
    department = make.department("市民課")
    for n in range(4):
        make.engagement(
            department=department, title=f"窓口業務委託{n + 1}", starts_on=date(2027, 4, 1 + n)
        )
    real = services.generate_appendix_with_data

    def slow(*args, **kwargs):  # slow enough for the page to poll while the job runs
        time.sleep(0.6)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "generate_appendix_with_data", slow)
    user = make.user(Role.PROCUREMENT)
    errors, polls = [], []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on(
        "request",
        lambda request: polls.append(request.url) if request.url.endswith("/progress") else None,
    )
    page.goto(f"{live_server}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server}/documents/bulk?starting_fy=2027")
    page.wait_for_selector("text=作成する業務委託（4件）")
    page.click("text=チェックした業務委託の特記事項を作成する")
    page.wait_for_selector("text=4件の特記事項の作成を始めました")
    assert page.locator("progress[data-bulk-bar]").count() == 1
    page.wait_for_selector(
        "text=ZIP ファイルをダウンロード", timeout=60000
    )  # the script reloads at the end
    job = db.session.scalars(select(BulkJob)).one()
    assert bulk_worker.wait(app, job.id, timeout=30)
    db.session.expire_all()
    assert db.session.get(BulkJob, job.id).status == BulkStatus.DONE
    assert polls, "the page never asked for the progress"
    assert page.locator('[data-bulk="done"]').inner_text() == "4"
    with page.expect_download() as download:
        page.click("text=ZIP ファイルをダウンロード")
    assert download.value.suggested_filename.endswith(".zip")
    assert not errors, errors
