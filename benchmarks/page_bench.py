"""Benchmark: every list page, the home page per role and a heavy detail page at city scale.

    . env (VENDORGUARD_DATABASE_URL, VENDORGUARD_SECRET_KEY) pointing at a database filled with
    flask --app vendorguard vg seed-scale   (20,000 arrangements, 500,000 evidence requests …)
    .venv/bin/python benchmarks/page_bench.py [--runs 15] [--only engagements]
        [--http [--workers 4] [--threads 1]]

The real application (create_app with the environment's settings: CSRF on, real login, the same
session and Babel code) is driven in-process through its WSGI interface (Flask's test client, no
network), signed in once per role through the login form. Each page is timed interleaved with a
bare Flask + Jinja page (a separate minimal app in the same process) that renders, from memory,
a table with the same number of rows as the page showed, so machine load hits both alike. For
each page: p50 / p95 of the real page, p50 / p95 of the bare page, the p95 ratio, the SQL
statements per request (counted on the engine) and the response size.

With ``--http`` the same pages are timed over HTTP against the real app and the bare app each
under gunicorn on 127.0.0.1 with the same worker settings (served.py: as deployed, 4 sync
workers unless told otherwise), one signed-in cookie session per role; statements are still
counted in-process, with one request through the test client.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The home page's body is kept while the records stay unchanged (dashboard.kept): rows with this
# label renew the records marker before every request, as a change committed by anyone would.
CHANGED = "home, records changed"
WARM_RUNS = 10  # requests per page before timing: past a statement's generic plan (see below)
PASSWORD = os.environ.get("SCALE_PASSWORD", "scale-password-1")
ROLES = {
    "admin": "scale-admin@city.example.jp",
    "auditor": "scale-auditor@city.example.jp",
    "officer": "scale-o{dept}-0@city.example.jp",
    "contractor": "scale-c{contractor}@vendor{contractor}.example.jp",
}
BARE = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/app.css"></head><body><header><nav>{% for n in nav %}
<a href="/{{ n }}">{{ n }}</a>{% endfor %}</nav></header><main><h1>{{ title }}</h1>
<table><thead><tr>{% for c in cols %}<th>{{ c }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr>{% for cell in row %}<td><a href="/x/{{ loop.index }}">{{ cell }}</a></td>
{% endfor %}</tr>{% endfor %}</tbody></table></main></body></html>"""


def bare_app():
    """A minimal Flask + Jinja app: one page rendering ``n`` table rows held in memory."""
    from flask import Flask, render_template_string, request

    app = Flask("bare")
    rows = [
        (f"業務委託 第{i}号", f"株式会社サンプル{i}", "2026-04-01", "有効", "区分A", f"課{i % 40}")
        for i in range(500)
    ]

    @app.route("/bare")
    def bare():
        n = int(request.args.get("n", "25"))
        return render_template_string(
            BARE,
            title="一覧",
            nav=["a", "b", "c", "d", "e", "f"],
            cols=list(range(6)),
            rows=rows[:n],
        )

    return app


def pages(ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """(label, role, url) of every page measured."""
    late = "page=200"
    return [
        # the fixed cost of any signed-in page: session, user, Babel, CSRF, layout, unread badge
        ("fixed cost (password form)", "admin", "/account/password"),
        ("home", "admin", "/"),
        ("home", "officer", "/"),
        ("home", "auditor", "/"),
        ("home", "contractor", "/portal/"),
        # the same pages made again: the records changed just before each request (CHANGED)
        (CHANGED, "admin", "/"),
        (CHANGED, "officer", "/"),
        (CHANGED, "auditor", "/"),
        ("engagements p1", "admin", "/engagements/"),
        ("engagements late", "admin", f"/engagements/?{late}"),
        ("engagements search", "admin", "/engagements/?q=税務"),
        ("engagements filter", "admin", f"/engagements/?contractor={ids['contractor']}"),
        ("engagements sort", "admin", "/engagements/?sort=title&dir=asc&page=50"),
        ("engagements p1", "officer", "/engagements/"),
        ("engagement detail", "admin", f"/engagements/{ids['engagement']}"),
        ("contractors p1", "admin", "/contractors/"),
        ("contractors late", "admin", "/contractors/?page=70"),
        ("contractors search", "admin", "/contractors/?q=情報"),
        ("cloud services p1", "admin", "/cloud-services/"),
        ("cloud services late", "admin", "/cloud-services/?page=20"),
        ("SNS accounts p1", "admin", "/social-accounts/"),
        ("SNS accounts late", "admin", "/social-accounts/?page=12"),
        ("evidence requests p1", "admin", "/evidence/requests/"),
        ("evidence requests late", "admin", f"/evidence/requests/?{late}"),
        ("evidence requests filter", "admin", "/evidence/requests/?status=open&overdue=1"),
        ("evidence requests sort", "admin", "/evidence/requests/?sort=arrangement&page=20"),
        ("evidence requests search", "admin", "/evidence/requests/?q=第1234号"),
        ("evidence requests p1", "officer", "/evidence/requests/"),
        ("notifications", "officer", "/notifications/"),
        ("notifications", "admin", "/notifications/"),
        ("outbox sent p1", "admin", "/admin/reminders/sent"),
        ("outbox sent late", "admin", f"/admin/reminders/sent?{late}"),
        ("outbox upcoming", "admin", "/admin/reminders/"),
        ("audit log p1", "admin", "/admin/audit/"),
        ("audit log late", "admin", f"/admin/audit/?{late}"),
        ("audit log filter", "admin", "/admin/audit/?object_type=contractor"),
        ("catalog", "admin", "/catalog/requirements/"),
        ("ISMAP", "admin", "/admin/ismap/"),
    ]


def login(client, email: str) -> None:
    """Sign in through the real form (CSRF token from the page)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"email": email, "password": PASSWORD}
    if token:
        data["csrf_token"] = token.group(1)
    response = client.post("/login", data=data)
    assert response.status_code == 302, (email, response.status_code)


def settle(get_cheap, workers: int) -> None:
    """Serve a cheap page until every process is past its last scheduled heap refreeze but one
    (``web.heap.REFREEZE_AFTER``): a process freezes once after its 1,000th request, as a running
    city's processes did long ago. Without this, that one full collection (35–48 ms) fell in
    whichever page's samples held the 1,000th request (the catalog's, 9.3× in part 4)."""
    from vendorguard.web.heap import REFREEZE_AFTER

    # gunicorn hands requests to whichever worker is free: send each worker its share and a tenth
    past = REFREEZE_AFTER[-2] * workers * 11 // 10
    for _ in range(past):
        get_cheap()


def over_http(stack: contextlib.ExitStack, workers: int, threads: int, emails: dict[str, str]):
    """(get(role, url) → status, get_bare(rows)) against the real and the bare app, each under
    gunicorn (stopped when ``stack`` closes), signed in once per role."""
    import requests
    from served import BARE_APP, REAL_APP, Gunicorn, Workers, sign_in

    settings = Workers(workers, threads)
    real = stack.enter_context(Gunicorn("app", REAL_APP, settings, {}))
    bare = stack.enter_context(Gunicorn("bare", BARE_APP, settings, {}))
    print(f"over HTTP: {settings.label()} per server (gunicorn on 127.0.0.1)", flush=True)
    sessions = {role: requests.Session() for role in emails}
    bare_session = requests.Session()
    for session in (*sessions.values(), bare_session):
        session.headers["Connection"] = "close"  # as nginx talks to gunicorn (see served.py)
    for role, email in emails.items():
        sign_in(sessions[role], real.url, email, PASSWORD)

    def get(role: str, url: str) -> int:
        return sessions[role].get(real.url + url, allow_redirects=False, timeout=120).status_code

    def get_bare(rows: int) -> None:
        bare_session.get(f"{bare.url}/bare?n={rows}", timeout=120).raise_for_status()

    return get, get_bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed samples per page")
    parser.add_argument("--only", default="", help="only pages whose label contains this")
    parser.add_argument(
        "--skip",
        default="",
        help="leave out pages whose label contains one of these (comma-separated)",
    )
    parser.add_argument("--http", action="store_true", help="time both apps under gunicorn")
    parser.add_argument("--workers", type=int, default=4, help="with --http: gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="with --http: > 1 means gthread")
    args = parser.parse_args()

    from sqlalchemy import event, func, select, update

    from vendorguard import create_app
    from vendorguard.auth.models import User
    from vendorguard.core.changes import ChangeMarker, fresh_value
    from vendorguard.engagements.models import Engagement
    from vendorguard.extensions import db

    # The seeded users have no second factor: sign in with the password alone.
    app = create_app({"MFA_REQUIRED_ROLES": ""})
    bare = bare_app().test_client()
    statements = [0]
    with app.app_context():
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *a: statements.__setitem__(0, statements[0] + 1),
        )
        busiest = db.session.execute(
            select(Engagement.contractor_id, func.count())
            .group_by(Engagement.contractor_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
        ids = {
            "engagement": db.session.scalar(select(func.min(Engagement.id))),
            "contractor": busiest[0],
        }
        officer = db.session.scalar(select(User).where(User.email.like("scale-o%-0@%")).limit(1))
        dept, contractor = officer.department_id, ids["contractor"]
        db.session.remove()
    clients = {}
    emails = {role: email.format(dept=dept, contractor=contractor) for role, email in ROLES.items()}
    for role, email in emails.items():
        clients[role] = app.test_client()
        login(clients[role], email)

    # Each response is closed, as a WSGI server closes it once sent (what the app does on close
    # runs, and is timed, as it is in production).
    def get(role: str, url: str) -> int:
        with clients[role].get(url) as response:
            return response.status_code

    def get_bare(rows: int) -> None:
        with bare.get(f"/bare?n={rows}"):
            pass

    def renew_marker() -> None:
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(update(ChangeMarker).values(value=fresh_value()))

    stack = contextlib.ExitStack()
    atexit.register(stack.close)  # the servers of --http stop however the run ends
    if args.http:
        get, get_bare = over_http(stack, args.workers, args.threads, emails)
    settle(lambda: get("admin", "/login"), args.workers if args.http else 1)
    print(f"load average: {os.getloadavg()}", flush=True)
    print("| page | role | p50 | p95 | bare p50 | bare p95 | p95 ÷ bare | queries | rows | KB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, role, url in pages(ids):
        skipped = [part for part in args.skip.split(",") if part and part in label]
        if (args.only and args.only not in label) or skipped:
            continue
        client = clients[role]
        before = renew_marker if label == CHANGED else lambda: None
        before()
        with client.get(url) as first:
            assert first.status_code == 200, (label, url, first.status_code)
            body = first.get_data(as_text=True)
        rows = max(1, body.count("<tr") - 1)
        before()
        statements[0] = 0
        client.get(url).close()
        queries = statements[0]
        real, base = [], []
        # A served app's database connections live long: psycopg prepares a statement once it
        # has run five times on a connection (core.prepared), and PostgreSQL plans the first five
        # executions of a prepared statement for their parameters before it settles on a generic
        # plan: about eleven runs per connection. Warm each page past that (with the two requests
        # above), as a running city's connections are; until part 4 this warmed six times, which
        # left the first timed samples planning.
        for _ in range(WARM_RUNS):
            before()
            client.get(url).close()
        if args.http:
            for _ in range(WARM_RUNS * args.workers):  # every worker has its own connections
                before()
                assert get(role, url) == 200, (label, url)
        for _ in range(args.runs):
            before()
            started = time.perf_counter()
            get(role, url)
            real.append(time.perf_counter() - started)
            started = time.perf_counter()
            get_bare(rows)
            base.append(time.perf_counter() - started)

        def p95(samples: list[float]) -> float:
            return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]

        ms = 1000
        print(
            f"| {label} | {role} | {statistics.median(real) * ms:.1f} | {p95(real) * ms:.1f} | "
            f"{statistics.median(base) * ms:.1f} | {p95(base) * ms:.1f} | "
            f"{p95(real) / p95(base):.1f}× | {queries} | {rows} | {len(body) // 1024} |",
            flush=True,
        )
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
