"""The step list at the top of an engagement's page says what is done and what comes next:
取扱情報 → 再委託と許諾 → 要件の網羅 → 特記事項 → 証跡."""

from __future__ import annotations

import re

from vendorguard.auth.roles import Role
from vendorguard.catalog.services import ensure_catalog
from vendorguard.engagements.models import InformationItem
from vendorguard.extensions import db


def _steps(html: str) -> list[tuple[str, bool]]:
    return [
        (label, state == "done")
        for state, label in re.findall(
            r'<li class="step (done|todo)[^"]*".*?<span class="step-label">([^<]+)</span>',
            html,
            re.S,
        )
    ]


def test_a_new_engagement_starts_at_the_information_step(client, make, login_as):
    ensure_catalog(db.session)
    db.session.commit()
    officer = make.user(Role.OFFICER)
    engagement = make.engagement(department=officer.department)
    login_as(officer)
    html = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert [label for label, _done in _steps(html)] == [
        "取扱情報",
        "再委託と許諾",
        "要件の網羅",
        "特記事項",
        "証跡",
    ]
    assert dict(_steps(html))["取扱情報"] is False
    assert dict(_steps(html))["再委託と許諾"] is True  # nothing subcontracted yet
    assert 'aria-current="step"' in html and "次にすること：" in html
    assert "取り扱う情報を登録する" in html


def test_recorded_information_and_an_unpermitted_subcontractor_move_the_next_step(
    client, make, login_as
):
    ensure_catalog(db.session)
    db.session.commit()
    officer = make.user(Role.OFFICER)
    engagement = make.engagement(department=officer.department)
    db.session.add(InformationItem(engagement_id=engagement.id, name="住民票データ"))
    make.subcontractor(engagement, approved=False)
    db.session.commit()
    login_as(officer)
    html = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    steps = dict(_steps(html))
    assert steps["取扱情報"] is True and steps["再委託と許諾"] is False
    assert "許諾の記録がない再委託先 1件" in html
    next_button = re.search(r'次にすること：<a class="btn" href="([^"]+)">([^<]+)</a>', html)
    assert next_button.group(2) == "許諾を記録する"
    assert next_button.group(1).endswith("#subcontractors")


def test_readers_see_the_steps_without_the_action(client, make, login_as):
    engagement = make.engagement()
    login_as(make.user(Role.AUDITOR))
    html = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert len(_steps(html)) == 5 and "次にすること：" not in html
