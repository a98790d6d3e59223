"""The load benchmark's helpers (benchmarks/load_bench.py), without its 60-second run: the role
mix, the percentiles, and that every journey it walks is allowed for the role that walks it (a
403 or 404 would be counted as an error of the app under load) and reaches the later page, the
search and a record the way the benchmark expects the app's markup to link them."""

from __future__ import annotations

import random
import statistics
from collections import Counter

from sqlalchemy import select

from benchmarks import load_bench
from tests.scale.test_page_queries import PASSWORD, _spec
from vendorguard.auth.models import User
from vendorguard.demo import scale
from vendorguard.extensions import db


def test_roster_mixes_roles_and_spreads_officers_over_departments():
    users = load_bench.roster(50, departments=list(range(1, 41)), contractors=list(range(1, 2001)))
    roles = Counter(user.role for user in users)
    assert roles == {"officer": 30, "contractor": 12, "admin": 5, "auditor": 3}
    officers = [u.email for u in users if u.role == "officer"]
    assert len(set(officers)) == 30
    assert len({email.split("-")[1] for email in officers}) == 30  # 30 departments
    contractors = [u.email for u in users if u.role == "contractor"]
    assert len(set(contractors)) == 12 and "scale-c1@vendor1.example.jp" in contractors
    # More officers than departments: the next officer of each department signs in.
    many = load_bench.roster(10, departments=[7, 8], contractors=[3])
    assert {u.email for u in many if u.role == "officer"} >= {
        "scale-o7-0@city.example.jp",
        "scale-o7-1@city.example.jp",
        "scale-o8-2@city.example.jp",
    }


def test_percentile_interpolates_between_ranks():
    assert load_bench.percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert load_bench.percentile([1.0, 2.0], 95) == 1.95
    assert load_bench.percentile([7.0], 99) == 7.0
    samples = [random.Random(4).expovariate(1) for _ in range(999)]
    for q in (50, 95, 99):
        inclusive = statistics.quantiles(samples, n=100, method="inclusive")[q - 1]
        assert abs(load_bench.percentile(samples, q) - inclusive) < 1e-12


def test_every_journey_of_every_role_is_allowed_and_follows_the_pages_links(app):
    scale.seed_scale(db.session, _spec(60), PASSWORD)
    db.session.commit()
    emails = db.session.scalars(select(User.email).order_by(User.id)).all()
    departments, contractors = load_bench.accounts_of(emails)
    assert departments and contractors
    users = {u.role: u for u in load_bench.roster(50, departments, contractors)}
    db.session.rollback()
    reached: dict[str, set[str]] = {}
    for role, user in sorted(users.items()):
        client = app.test_client()
        signed_in = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert signed_in.status_code == 302, role
        for listing in load_bench.LISTS[role]:
            for seed in range(2):  # the later page is the next link once, the last once

                def fetch(kind: str, url: str, role: str = role, client=client) -> str:
                    response = client.get(url)
                    assert response.status_code == 200, (role, kind, url, response.status_code)
                    return response.get_data(as_text=True)

                kinds = load_bench.walk(role, listing, random.Random(seed), fetch)
                reached.setdefault(f"{role} {listing[0]}", set()).update(kinds)
    # 60 rows make more than one page of 25: every list of the whole city has a later page.
    for path in ("/engagements/", "/contractors/", "/evidence/requests/", "/admin/audit/"):
        assert "list later" in reached[f"admin {path}"], path
    assert "search" in reached["officer /engagements/"]
    for listing in ("admin /engagements/", "admin /evidence/requests/", "contractor /portal/"):
        assert "detail" in reached[listing], listing
