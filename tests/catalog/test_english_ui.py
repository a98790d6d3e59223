"""The editors in the English UI: no Japanese UI text, western dates, labels built per request."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.portal.conftest import make_request
from vendorguard.auth.roles import Role
from vendorguard.catalog.models import Clause
from vendorguard.extensions import db

JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff60]")


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def _english(client) -> None:
    """Switch to English (the sign-in flash, said in Japanese before, is shown and gone)."""
    client.post("/language", data={"locale": "en", "next": "/"}, follow_redirects=True)


def test_reminder_settings_page_has_no_japanese(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    _english(client)
    main = _main(client.get("/admin/reminders/settings").get_data(as_text=True))
    assert not JAPANESE.search(main), JAPANESE.findall(main)[:20]
    assert "Add a day count" in main and "(no. 1)" in main


def test_date_style_options_follow_each_requests_language(client, make, login_as):
    login_as(make.user(Role.ADMIN))
    engagement = make.engagement()
    url = f"/documents/arrangement/{engagement.id}"
    select_ja = (
        client.get(url).get_data(as_text=True).split('id="date_style"')[1].split("</select>")[0]
    )
    assert "和暦（令和8年4月1日）" in select_ja and "西暦（2026年4月1日）" in select_ja
    _english(client)
    select_en = (
        client.get(url).get_data(as_text=True).split('id="date_style"')[1].split("</select>")[0]
    )
    assert (
        "Japanese era (Reiwa 8, 1 April)" in select_en
        and "Western calendar (1 April 2026)" in select_en
    )
    assert not JAPANESE.search(select_en), select_en


def test_clause_pages_use_english_punctuation(client, make, login_as, catalog):
    login_as(make.user(Role.ADMIN))
    _english(client)
    clause = db.session.scalars(select(Clause).where(Clause.code == "ENG-02")).one()
    detail = _main(client.get(f"/catalog/clauses/{clause.id}").get_data(as_text=True))
    assert "Version 1: " in detail and "Version 1：" not in detail
    edit = _main(client.get(f"/catalog/clauses/{clause.id}/edit").get_data(as_text=True))
    heading = edit.split("<h1>")[1].split("</h1>")[0]
    assert heading.startswith("Edit clause: ") or ": ENG-02" in heading, heading
    picker = edit.split("data-placeholder-picker")[1].split("</ul>")[0]
    assert "Placeholders (click to insert at the cursor)" in picker


def test_portal_due_date_is_western_in_english(client, make, login_as):
    contractor = make.contractor()
    user = make.user(Role.CONTRACTOR, contractor_id=contractor.id)
    request = make_request(make.engagement(contractor=contractor))
    login_as(user)
    html = _main(client.get(f"/portal/requests/{request.id}").get_data(as_text=True))
    assert "令和8年12月1日" in html  # Japanese UI: both calendars
    _english(client)
    html = _main(client.get(f"/portal/requests/{request.id}").get_data(as_text=True))
    assert "1 Dec 2026" in html and "令和" not in html
