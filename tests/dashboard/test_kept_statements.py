"""The home page's statements are kept by the process per user, scope and day (``statements.built``, ``parts.kept_for``):
what the page shows must still follow the user's department, role and the date."""

from __future__ import annotations

import re
from datetime import timedelta

from vendorguard.auth.roles import Role
from vendorguard.core.timeutil import today_tokyo
from vendorguard.dashboard import parts
from vendorguard.extensions import db


def _ending_count(html: str) -> str | None:
    match = re.search(r'id="block-ending".*?(\d+)件', html, re.S)
    return match.group(1) if match else None


def test_a_second_view_reuses_the_statements_built_by_the_first(client, make, login_as):
    kanko = make.department(name="観光課")
    make.engagement(
        kanko, make.contractor(), title="観光サイト保守", ends_on=today_tokyo() + timedelta(10)
    )
    officer = make.user(Role.OFFICER, department=kanko)
    login_as(officer)
    first = client.get("/").get_data(as_text=True)
    key = next(k for k in parts._kept if k[0] == officer.id)
    statements = parts._kept[key]._built.copy()
    assert "counts" in statements and "chart" in statements
    second = client.get("/").get_data(as_text=True)
    assert parts._kept[key]._built["counts"] is statements["counts"]
    assert _ending_count(first) == _ending_count(second) == "1"


def test_moving_to_another_department_shows_that_department(client, make, login_as):
    kanko = make.department(name="観光課")
    shimin = make.department(name="市民課")
    contractor = make.contractor()
    make.engagement(
        kanko, contractor, title="観光サイト保守", ends_on=today_tokyo() + timedelta(10)
    )
    make.engagement(shimin, contractor, title="窓口システム", ends_on=today_tokyo() + timedelta(10))
    make.engagement(shimin, contractor, title="窓口端末", ends_on=today_tokyo() + timedelta(20))
    officer = make.user(Role.OFFICER, department=kanko)
    login_as(officer)
    assert _ending_count(client.get("/").get_data(as_text=True)) == "1"
    officer.department_id = shimin.id
    db.session.commit()
    login_as(officer)  # a change of department signs the user out
    html = client.get("/").get_data(as_text=True)
    assert "市民課 の案件を表示しています" in html
    assert _ending_count(html) == "2"


def test_a_new_day_counts_with_the_new_date(client, make, login_as, monkeypatch):
    kanko = make.department(name="観光課")
    make.engagement(
        kanko, make.contractor(), title="観光サイト保守", ends_on=today_tokyo() + timedelta(1)
    )
    login_as(make.user(Role.OFFICER, department=kanko))
    assert _ending_count(client.get("/").get_data(as_text=True)) == "1"
    # two days on, the engagement has ended: yesterday's kept statements must not answer
    monkeypatch.setattr(
        "vendorguard.dashboard.views.today_tokyo", lambda: today_tokyo() + timedelta(days=2)
    )
    assert _ending_count(client.get("/").get_data(as_text=True)) == "0"
