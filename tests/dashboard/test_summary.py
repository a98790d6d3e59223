"""The home page's summaries (``dashboard.summary``): the chart by department and the auditor's
register counts are counted at most once a minute per statement, shared by the readers who send the
same statement, and say when they were counted; the to-do counts beside them move at once."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from markupsafe import Markup

from tests.dashboard.test_dashboard import block
from vendorguard.auth.roles import Role
from vendorguard.core import changes
from vendorguard.core.timeutil import today_tokyo
from vendorguard.dashboard import kept, summary


def _bar_total(html: str, department: str) -> int | None:
    """The number of live arrangements the chart draws for ``department`` (None: no bar)."""
    chart = block(html, "chart") or ""
    found = re.search(
        rf">{department}</text>.*?font-size=\"12\">(?:\d+/)?(\d+)</text>", chart, re.S
    )
    return int(found.group(1)) if found else None


def _ending(html: str) -> int:
    found = re.search(r'id="block-ending".*?(\d+)件', html, re.S)
    return int(found.group(1)) if found else 0


@pytest.fixture
def city(make):
    """Two departments with one engagement each, ending within the month."""
    kanko = make.department(name="観光課")
    shimin = make.department(name="市民課")
    contractor = make.contractor()
    for department in (kanko, shimin):
        make.engagement(department, contractor, title="保守", ends_on=today_tokyo() + timedelta(10))
    return kanko, shimin, contractor


def _chart_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if " AS live" in s]


@pytest.fixture
def per_process(app):
    """Home pages kept in this process only: the test moves its clock, not the files'."""
    app.config["KEPT_PAGES_DIR"] = ""
    app.extensions.pop("vg_kept_home", None)


def test_the_chart_is_counted_once_a_minute_and_says_when(
    client, make, login_as, city, count_queries, monkeypatch, per_process
):
    kanko, _shimin, contractor = city
    login_as(make.user(Role.ADMIN))
    first = client.get("/").get_data(as_text=True)
    assert _bar_total(first, "観光課") == 1 and _ending(first) == 2
    assert "時点の集計です。" in block(first, "chart")

    make.engagement(kanko, contractor, title="追加分", ends_on=today_tokyo() + timedelta(20))
    with count_queries() as counter:
        within = client.get("/").get_data(as_text=True)
    assert _ending(within) == 3  # the to-do count moves at once
    assert _bar_total(within, "観光課") == 1  # the chart is the count of a moment ago
    assert not _chart_statements(counter.statements)

    # the page showing the older count is kept no longer than that count may be shown
    later = summary.time.monotonic() + 61
    monkeypatch.setattr(summary.time, "monotonic", lambda: later)
    with count_queries() as counter:
        after = client.get("/").get_data(as_text=True)
    assert _bar_total(after, "観光課") == 2
    assert len(_chart_statements(counter.statements)) == 1

    # counted with no change since: exact, so the page and its count are kept as long as that holds
    much_later = later + 200
    monkeypatch.setattr(summary.time, "monotonic", lambda: much_later)
    with count_queries() as counter:
        quiet = client.get("/").get_data(as_text=True)
    assert counter.count == 1 and _bar_total(quiet, "観光課") == 2


def test_a_shared_page_with_an_older_count_is_dated_to_end_with_it(app, tmp_path):
    shared = kept.SharedBodies(tmp_path / "kept", b"secret")
    bodies = kept.KeptBodies(shared=shared)
    bodies.put("key", "m1", Markup("<p>chart</p>"), lifetime=30)
    (path,) = (tmp_path / "kept").iterdir()
    age = time.time() - path.stat().st_mtime
    assert changes.MAX_AGE - 30 - 5 < age <= changes.MAX_AGE - 30 + 5
    assert shared.get("key", "m1") is not None  # still within its 30 seconds
    other = kept.KeptBodies(shared=shared)  # another worker
    assert other.get("key", "m1") == Markup("<p>chart</p>")
    bodies.put("gone", "m1", Markup("<p>old</p>"), lifetime=0)  # already due: not kept at all
    assert bodies.get("gone", "m1") is None and shared.get("gone", "m1") is None


def test_readers_of_one_statement_share_a_count_and_others_count_their_own(
    client, make, login_as, city, count_queries
):
    kanko, shimin, contractor = city
    login_as(make.user(Role.ADMIN))
    client.get("/")
    client.post("/logout")
    login_as(make.user(Role.ADMIN))  # another admin: the same statement, the same values
    with count_queries() as counter:
        client.get("/")
    assert not _chart_statements(counter.statements)

    make.engagement(
        shimin, contractor, title="市民課の追加分", ends_on=today_tokyo() + timedelta(20)
    )
    for department, other, live in ((kanko, "市民課", 1), (shimin, "観光課", 2)):
        client.post("/logout")
        login_as(make.user(Role.OFFICER, department=department))
        with count_queries() as counter:
            html = client.get("/").get_data(as_text=True)
        assert len(_chart_statements(counter.statements)) == 1  # its own department's count
        assert _bar_total(html, department.name) == live
        assert _bar_total(html, other) is None


def test_with_no_age_allowed_every_view_counts(app, client, make, login_as, city):
    kanko, _shimin, contractor = city
    app.config["HOME_SUMMARY_MAX_AGE_SECONDS"] = 0
    app.extensions.pop("vg_home_summaries", None)
    login_as(make.user(Role.ADMIN))
    assert _bar_total(client.get("/").get_data(as_text=True), "観光課") == 1
    make.engagement(kanko, contractor, title="追加分", ends_on=today_tokyo() + timedelta(20))
    assert _bar_total(client.get("/").get_data(as_text=True), "観光課") == 2


def test_the_auditors_register_counts_say_when_they_were_counted(client, make, login_as, city):
    kanko, _shimin, contractor = city
    login_as(make.user(Role.AUDITOR))
    html = client.get("/").get_data(as_text=True)
    assert "時点の件数です。" in html
    engagements = re.search(r"業務委託（終了分を含む）</dt><dd>(\d+)</dd>", html)
    assert engagements and engagements.group(1) == "2"
