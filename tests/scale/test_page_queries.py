"""Every list page, the outbox pages and the engagement detail page: the same number of SQL
statements with 5 rows as with 500 (data built in bulk by ``seed-scale``); the detail page also
within its budget. The home page per role: within its budget at both sizes —
it reads rows only for its most urgent sections that have any (dashboard.views), so with 5 rows,
where some sections are empty, it may spend fewer statements, never more."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import _empty_all_tables
from vendorguard.auth import models as auth_models
from vendorguard.auth.models import User
from vendorguard.core import settings
from vendorguard.core.timeutil import today_tokyo
from vendorguard.demo import scale
from vendorguard.engagements.models import Engagement
from vendorguard.extensions import db
from vendorguard.reminders import plan_store

PASSWORD = "scale-password-1"
HOME_BUDGET = 8  # statements for any role's home page (issue 16)
DETAIL_BUDGET = 11  # the engagement detail page: 1 of any signed-in page + one per panel (issue 16)
OUTBOX_BUDGET = 8  # and for the outbox pages
PAGES = (
    ("admin", "/"),
    ("officer", "/"),
    ("auditor", "/"),
    ("contractor", "/portal/"),
    ("admin", "/engagements/"),
    ("admin", "/engagements/?q=システム&sort=title"),
    ("officer", "/engagements/"),
    ("admin", "/contractors/"),
    ("admin", "/cloud-services/"),
    ("admin", "/social-accounts/"),
    ("admin", "/evidence/requests/"),
    ("admin", "/evidence/requests/?status=all&sort=arrangement"),
    ("officer", "/evidence/requests/"),
    ("officer", "/notifications/"),
    ("admin", "/admin/reminders/sent"),
    ("admin", "/admin/reminders/"),
    ("admin", "/admin/audit/"),
    ("admin", "/catalog/requirements/"),
    ("admin", "/admin/ismap/"),
    # the heavy detail page (every panel): its first engagement, filled in by _measure
    ("admin", "/engagements/{engagement}"),
)


def _spec(n: int) -> scale.ScaleSpec:
    return scale.ScaleSpec(
        arrangements=n,
        contractors=n,
        departments=2,
        requests=n,
        cloud_services=n,
        sns_accounts=n,
        notifications=n,
        audit_events=n,
    )


def _emails() -> dict[str, str]:
    first = {role: f"scale-{role}@city.example.jp" for role in ("admin", "auditor")}
    for role, pattern in (("officer", "scale-o%"), ("contractor", "scale-c%")):
        first[role] = db.session.scalar(
            select(User.email).where(User.email.like(pattern)).order_by(User.id).limit(1)
        )
    return first


def _measure(app, count_queries, n: int) -> dict[tuple[str, str], int]:
    scale.seed_scale(db.session, _spec(n), PASSWORD)
    # The outbox "upcoming" page reads the stored plan: with 500 rows it holds hundreds of rows.
    planned = plan_store.refresh(db.session, today_tokyo(), webhook=False).total
    db.session.commit()
    # with 500 of everything the stored plan fills many pages (the page must not grow with it)
    assert n < 500 or planned > 10 * settings.current().page_size, planned
    clients = {}
    for role, email in _emails().items():
        clients[role] = app.test_client()
        response = clients[role].post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, (role, email)
    engagement = db.session.scalar(select(func.min(Engagement.id)))
    db.session.rollback()
    counts = {}
    for role, page in PAGES:
        url = page.format(engagement=engagement)
        clients[role].get(url)  # warm caches that are filled once per process (settings, catalog)
        with count_queries() as counter:
            response = clients[role].get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        counts[role, page] = counter.count
    return counts


@pytest.mark.slow
def test_every_list_page_costs_the_same_queries_with_5_and_500_rows(
    app, count_queries, monkeypatch
):
    # A cheap password hash: the seeded users' sign-in still checks a real salted hash.
    monkeypatch.setattr(
        scale,
        "generate_password_hash",
        lambda pw: auth_models.generate_password_hash(pw, "pbkdf2:sha256:1"),
    )
    small = _measure(app, count_queries, 5)
    db.session.remove()
    _empty_all_tables()
    large = _measure(app, count_queries, 500)
    homes = {page for page in PAGES if page[1] == "/"}
    differing = {
        page: (small[page], large[page])
        for page in PAGES
        if page not in homes and small[page] != large[page]
    }
    assert not differing, differing
    detail = ("admin", "/engagements/{engagement}")
    assert large[detail] <= DETAIL_BUDGET, large[detail]
    outbox = {page: large[page] for page in PAGES if page[1].startswith("/admin/reminders/")}
    assert all(count <= OUTBOX_BUDGET for count in outbox.values()), outbox
    over = {page: (small[page], large[page]) for page in homes if large[page] > HOME_BUDGET}
    assert not over, over
    assert all(small[page] <= large[page] for page in homes), {
        p: (small[p], large[p]) for p in homes
    }
